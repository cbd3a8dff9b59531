"""The plan of a case's containment, gathered from the lower capabilities' services: its scope
(the case's people, and the people of its organisations and vendors; its secrets), then per
kind of step what would change, what is already so, and what is held back. The lists are read
with the acting user's eyes (what they could not see, they could not change); names and the
case's subjects with the installation's (`READER`), after the caller's own check.

A protected reporter's grants, login, tokens and sessions are held back unless a second person
approved that very action (core/adverse.py): the run leaves them out, and says so."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantFilter, GrantStatus
from crownjewels.core import adverse
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import NotFound
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.incidents import repository as cases_repository
from crownjewels.incidents.containment import repository, rules
from crownjewels.incidents.containment.schemas import (
    KIND_WORDS,
    REVERSIBLE,
    ContainmentPlan,
    PlanItem,
    PlanStep,
    StepKind,
)
from crownjewels.incidents.models import Incident
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.monitoring.watch import service as watch
from crownjewels.parties import lockout
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentStatus
from crownjewels.vendors import service as vendors
from crownjewels.vendors.schemas import VendorRead, VendorStatus

READER = fact_reader("incidents")
#: the adverse action (core/adverse.py) each kind of step is, against a protected reporter
ADVERSE: dict[StepKind, str] = {
    StepKind.GRANTS: adverse.SUSPEND_GRANT,
    StepKind.ACCOUNTS: adverse.DISABLE_ACCOUNT,
    StepKind.TOKENS: adverse.REVOKE_TOKEN,
    StepKind.SESSIONS: adverse.END_SESSIONS,
}


@dataclass(frozen=True)
class Target:
    """One change: its kind, the key its verb takes (a grant's ref, a login's or a token's id,
    a vendor's ref, a document's or a copy's id, a person's id), how a person reads it, whom it
    acts against and, for an adverse action, its target as an approval names it."""

    kind: StepKind
    key: str
    ref: str
    text: str
    person_id: str | None = None
    guard: str = ""
    #: how many it counts for (a login's live sessions)
    amount: int = 1
    #: the secret of a document put on hold
    secret_ref: str | None = None


@dataclass
class Gathered:
    """A case's containment as it stands now: its scope and, per kind, the changes."""

    case: Incident
    people: list[PersonRead]
    organisations: dict[str, str]
    secrets: list[SecretRead]
    protected: set[str] = field(default_factory=set)
    targets: dict[StepKind, list[Target]] = field(default_factory=dict)
    already: dict[StepKind, int] = field(default_factory=dict)
    held: dict[StepKind, list[PlanItem]] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        """The reason every change gives, naming the case."""
        return f"containment of {self.case.ref}: {self.case.title}"

    def digest(self) -> str:
        """The digest of exactly these changes."""
        return rules.digest((t.kind.value, t.key) for ts in self.targets.values() for t in ts)

    def tally(self, skip: frozenset[StepKind] = frozenset()) -> rules.Tally:
        """The changes counted as the summary says them (the kinds in `skip` left out)."""
        t = {k: [] if k in skip else v for k, v in self.targets.items()}
        names = {p.id: p for p in self.people}
        grant_people = {g.person_id for g in t[StepKind.GRANTS] if g.person_id}
        orgs = {names[p].organisation_id for p in grant_people if p in names}
        return rules.Tally(
            grants=len(t[StepKind.GRANTS]),
            grant_people=len(grant_people),
            organisations=tuple(sorted(self.organisations.get(o, "") for o in orgs if o)),
            accounts=len(t[StepKind.ACCOUNTS]),
            tokens=len(t[StepKind.TOKENS]),
            sessions=sum(s.amount for s in t[StepKind.SESSIONS]),
            vendors=tuple(v.ref for v in t[StepKind.VENDORS]),
            documents=len(t[StepKind.HOLDS]),
            document_secrets=tuple(
                sorted({d.secret_ref for d in t[StepKind.HOLDS] if d.secret_ref})
            ),
            copies=len(t[StepKind.COPIES]),
            watched=len(t[StepKind.MONITORING]),
        )

    def plan(self, skip: frozenset[StepKind] = frozenset()) -> ContainmentPlan:
        """The plan as a person previews it; its summary leaves out the kinds in `skip` (its
        digest names the whole plan, whatever is left out)."""
        steps = []
        for kind in StepKind:
            title, _, undo = KIND_WORDS[kind]
            items = self.targets[kind]
            steps.append(
                PlanStep(
                    kind=kind,
                    title=title,
                    undo=undo,
                    reversible=kind in REVERSIBLE,
                    count=sum(i.amount for i in items),
                    items=[PlanItem(ref=i.ref, text=i.text) for i in items],
                    already=self.already.get(kind, 0),
                    already_words=rules.already_words(kind, self.already.get(kind, 0)),
                    held=self.held.get(kind, []),
                    left_out=kind in skip,
                )
            )
        return ContainmentPlan(
            case=self.case.ref,
            title=self.case.title,
            people=[f"{p.full_name} ({p.email})" for p in self.people],
            organisations=sorted(set(self.organisations.values())),
            secrets=[f"{s.ref} {s.name}" for s in self.secrets],
            protected=[p.full_name for p in self.people if p.id in self.protected],
            steps=steps,
            summary=rules.summary(self.tally(skip)),
            digest=self.digest(),
        )


# --- scope -----------------------------------------------------------------------------------


def _scope(session: Session, actor: Actor, case: Incident) -> tuple[Gathered, list[VendorRead]]:
    """The case's secrets, people (its own and its organisations'), their organisations, and
    its vendors."""
    secrets: list[SecretRead] = []
    people: dict[str, PersonRead] = {}
    org_ids: list[str] = []
    found_vendors: dict[str, VendorRead] = {}
    for subject in cases_repository.subjects_of(session, case.id):
        try:
            if subject.kind == "secret":
                secrets.append(
                    inventory.get_plain(session, actor=READER, secret_ref=subject.subject_id)
                )
            elif subject.kind == "person":
                person = parties.get_person(session, actor=READER, person_ref=subject.subject_id)
                people[person.id] = person
            elif subject.kind == "vendor":
                vendor = vendors.get(session, actor=READER, vendor_ref=subject.subject_id)
                found_vendors[vendor.id] = vendor
                org_ids.append(vendor.organisation_id)
            elif subject.kind == "organisation":
                org_ids.append(subject.subject_id)
                standing = vendors.standing(session, organisation_id=subject.subject_id)
                if standing is not None:
                    vendor = vendors.get(session, actor=READER, vendor_ref=standing.ref)
                    found_vendors[vendor.id] = vendor
        except NotFound:
            continue  # a subject since removed from its own capability: nothing to contain
    for org_id in dict.fromkeys(org_ids):
        for person in parties.people_of(session, organisation_id=org_id, active_only=False):
            people.setdefault(person.id, person)
    ordered = sorted(people.values(), key=lambda p: (p.full_name.lower(), p.email))
    gathered = Gathered(
        case=case,
        people=ordered,
        organisations=parties.organisation_names(session, {p.organisation_id for p in ordered}),
        secrets=sorted(secrets, key=lambda s: s.ref),
    )
    return gathered, sorted(found_vendors.values(), key=lambda v: v.ref)


# --- each kind of step -----------------------------------------------------------------------


def _grants(session: Session, actor: Actor, g: Gathered) -> None:
    live, already = [], 0
    for person in g.people:
        for grant in access.list_grants(
            session, actor=actor, filters=GrantFilter(person=person.id)
        ):
            if grant.status == GrantStatus.SUSPENDED:
                already += 1
            elif grant.status in (GrantStatus.ACTIVE, GrantStatus.APPROVED):
                text = (
                    f"{grant.ref}: {person.full_name} on {grant.secret_ref} {grant.secret_name} "
                    f"({grant.level.value}, {grant.status.value})"
                )
                live.append(
                    Target(StepKind.GRANTS, grant.ref, grant.ref, text, person.id, grant.ref)
                )
    live.sort(key=lambda t: t.ref)
    g.targets[StepKind.GRANTS], g.already[StepKind.GRANTS] = live, already


def _logins(session: Session, actor: Actor, g: Gathered) -> None:
    names = {p.id: p.full_name for p in g.people}
    accounts, tokens, sessions, disabled = [], [], [], 0
    for login in lockout.logins_of(session, actor=actor, person_ids=list(names)):
        who = f"{names.get(login.person_id, '')} ({login.username})"
        if login.active:
            accounts.append(
                Target(
                    StepKind.ACCOUNTS, login.user_id, login.username, f"the login of {who}",
                    login.person_id, login.username,
                )
            )  # fmt: skip
        else:
            disabled += 1
        for token in login.tokens:
            text = f"the API token {token.name!r} ({token.prefix}…) of {who}"
            tokens.append(
                Target(StepKind.TOKENS, token.id, token.name, text, login.person_id, token.name)
            )
        if login.live_sessions:
            text = f"{rules.plural(login.live_sessions, 'live web session')} of {who}"
            sessions.append(
                Target(
                    StepKind.SESSIONS, login.user_id, login.username, text, login.person_id,
                    login.username, amount=login.live_sessions,
                )
            )  # fmt: skip
    g.targets[StepKind.ACCOUNTS], g.already[StepKind.ACCOUNTS] = accounts, disabled
    g.targets[StepKind.TOKENS], g.targets[StepKind.SESSIONS] = tokens, sessions


def _vendors(g: Gathered, found: list[VendorRead]) -> None:
    active, already, held = [], 0, []
    for vendor in found:
        name = f"{vendor.ref} {vendor.name}"
        if vendor.status == VendorStatus.ACTIVE:
            active.append(Target(StepKind.VENDORS, vendor.ref, vendor.ref, name))
        elif vendor.status == VendorStatus.SUSPENDED:
            already += 1
        else:
            why = f"{name} is {vendor.status.value}: only an active vendor can be suspended"
            held.append(PlanItem(ref=vendor.ref, text=why))
    g.targets[StepKind.VENDORS], g.already[StepKind.VENDORS] = active, already
    g.held[StepKind.VENDORS] = held


def _holds(session: Session, actor: Actor, g: Gathered) -> None:
    to_hold, already = [], 0
    for secret in g.secrets:
        docs = vault.list_documents(session, actor=actor, owner_type="secret", owner_ref=secret.ref)
        for doc in sorted(docs, key=lambda d: (d.title.lower(), d.id)):
            if doc.status == DocumentStatus.DESTROYED:
                continue
            if doc.legal_hold:
                already += 1
                continue
            text = f"{doc.title} ({secret.ref} {secret.name})"
            to_hold.append(Target(StepKind.HOLDS, doc.id, doc.title, text, secret_ref=secret.ref))
    g.targets[StepKind.HOLDS], g.already[StepKind.HOLDS] = to_hold, already


def _copies(session: Session, actor: Actor, g: Gathered) -> None:
    to_mark, already = [], 0
    for copy in ledger.copies_to(session, actor=actor, person_ids=[p.id for p in g.people]):
        if copy.compromised_at is not None:
            already += 1
            continue
        text = (
            f"copy {copy.id} of {copy.document_title} ({copy.owner_label}) issued to "
            f"{copy.recipient_name} on {copy.issued_at:%Y-%m-%d}"
        )
        to_mark.append(Target(StepKind.COPIES, copy.id, copy.id, text, copy.recipient_person_id))
    g.targets[StepKind.COPIES], g.already[StepKind.COPIES] = to_mark, already


def _monitoring(session: Session, actor: Actor, g: Gathered) -> None:
    watched = {
        w.person_id for w in watch.heightened_for(session, actor=actor, reference=g.case.ref)
    }
    g.targets[StepKind.MONITORING] = [
        Target(StepKind.MONITORING, p.id, p.email, f"{p.full_name} ({p.email})", p.id)
        for p in g.people
        if p.id not in watched
    ]
    g.already[StepKind.MONITORING] = len([p for p in g.people if p.id in watched])


def _hold_back_protected(session: Session, g: Gathered) -> None:
    """Move a protected reporter's adverse changes without a second approval to `held`."""
    g.protected = repository.protected_among(session, [p.id for p in g.people])
    if not g.protected:
        return
    approved = repository.approved(session, g.protected)
    names = {p.id: p.full_name for p in g.people}
    emails = {p.id: p.email for p in g.people}
    for kind, action in ADVERSE.items():
        kept = []
        for target in g.targets[kind]:
            pid = target.person_id
            if pid not in g.protected or (pid, action, target.guard.lower()) in approved:
                kept.append(target)
                continue
            why = (
                f"{target.text}: left out, {names.get(pid, 'the person')} is protected from "
                f"retaliation; {adverse.ACTIONS[action]} {target.guard} needs a case handler's "
                f"approval first (`crownjewels reports approvals request {emails.get(pid)} "
                f'--action {action} --target "{target.guard}" --reason ...`)'
            )
            g.held.setdefault(kind, []).append(PlanItem(ref=target.ref, text=why))
        g.targets[kind] = kept


def gather(session: Session, *, actor: Actor, case: Incident) -> Gathered:
    """What containing the case would change now, kind by kind."""
    g, found_vendors = _scope(session, actor, case)
    _grants(session, actor, g)
    _logins(session, actor, g)
    _vendors(g, found_vendors)
    _holds(session, actor, g)
    _copies(session, actor, g)
    _monitoring(session, actor, g)
    _hold_back_protected(session, g)
    return g
