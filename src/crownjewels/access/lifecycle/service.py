"""Grant lifecycle: re-check every live grant against the rules and suspend those whose
recipient no longer passes for a lasting cause (an NDA expired, due diligence lapsed, training
expired, the person is leaving), telling each secret's owner in a message of the mail outbox
(parties.notifications: queued with the suspensions, mailed after they committed)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crownjewels.access import decide as deciding
from crownjewels.access import repository, service
from crownjewels.access.decision import recipient_mfa
from crownjewels.access.engine import PolicyEngine, engine_for
from crownjewels.access.facts import Level
from crownjewels.access.rules import GrantStatus
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.schemas import MailKind
from crownjewels.parties.schemas import PersonRead

READER = fact_reader("access")
#: the failed rules that suspend a grant, in plain words; others (need-to-know, region, mfa)
#: are not lasting causes the job acts on
CAUSES: dict[str, str] = {
    "bound:agreement": "the confidentiality agreement (NDA) covering the secret is no longer "
    "in force",
    "diligence": "the vendor's due diligence has lapsed",
    "training": "required training has expired",
    "active": "the person is departing, departed or suspended",
}


def causes_of(failed_rules: list[str]) -> list[str]:
    """The lasting causes among a decision's failed rule names, in plain words."""
    return [CAUSES[r] for r in dict.fromkeys(failed_rules) if r in CAUSES]


@dataclass
class Suspension:
    """What one run of the re-check suspended, per secret owner."""

    refs: list[str] = field(default_factory=list)
    #: owner person id -> lines "G-… (person, secret): cause"
    by_owner: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notice_ids: list[str] = field(default_factory=list)


def _person(session: Session, cache: dict[str, PersonRead], pid: str) -> PersonRead:
    if pid not in cache:
        cache[pid] = parties.get_person(session, actor=READER, person_ref=pid)
    return cache[pid]


def _secret(session: Session, cache: dict[str, SecretRead], sid: str) -> SecretRead:
    if sid not in cache:
        cache[sid] = inventory.get(session, actor=READER, secret_ref=sid)
    return cache[sid]


def suspend_lapsed(
    session: Session, *, actor: Actor, engine: PolicyEngine | None = None
) -> Suspension:
    """Evaluate every live (approved or active) person grant once; suspend those failing for
    a lasting cause, with the cause as the reason; one notice per affected secret owner."""
    engine = engine or engine_for(None)
    people: dict[str, PersonRead] = {}
    secrets: dict[str, SecretRead] = {}
    out = Suspension()
    grants = repository.live_for(session, statuses=(GrantStatus.APPROVED, GrantStatus.ACTIVE))
    for grant in grants:
        if not grant.person_id:
            continue  # a group grant: its member grants are checked one by one
        person = _person(session, people, grant.person_id)
        secret = _secret(session, secrets, grant.secret_id)
        decision = deciding.evaluate(
            session,
            person=person,
            secret=secret,
            action=Level(grant.level),
            document_id=grant.document_id,
            mfa=recipient_mfa(session, person),
            engine=engine,
        )
        causes = causes_of([r.rule for r in decision.reasons])
        if not causes:
            continue
        reason = "; ".join(causes)
        suspended = service.suspend_for(session, actor=actor, grants=[grant], reason=reason)
        if not suspended:
            continue  # its holder is protected from retaliation: it waits for an approval
        out.refs += suspended
        out.by_owner[secret.owner_id].append(
            f"{grant.ref} ({person.full_name}, {secret.ref} {secret.name}): {reason}"
        )
    for owner_id, lines in out.by_owner.items():
        notice_id = _notice(session, actor, owner_id, lines)
        if notice_id:
            out.notice_ids.append(notice_id)
    return out


def _notice(session: Session, actor: Actor, owner_id: str, lines: list[str]) -> str | None:
    """Queue the owner's message (None when they turned this kind of mail off)."""
    subject = f"{len(lines)} access grant(s) on your secrets suspended"
    body = (
        "These grants on secrets you own were suspended because their holder no longer "
        "meets the access rules:\n\n"
        + "\n".join(f"- {line}" for line in lines)
        + "\n\nResume a grant once the cause is fixed: "
        + notifications.link("/access/grants?status=suspended")
        + "\n"
    )
    row = notifications.enqueue(
        session,
        to=owner_id,
        kind=MailKind.GRANTS_SUSPENDED,
        subject=subject,
        body=body,
        actor=actor,
    )
    return row.id if row else None
