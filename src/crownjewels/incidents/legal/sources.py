"""The people, organisations, secrets and disclosures a case's letters name, read through the
services of parties, vendors, inventory, the vault and the disclosure ledger with the actor's
own permissions; what the actor may not read falls back to the case's own words for it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, NotFound
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import EntryRead, LedgerFilter
from crownjewels.incidents.legal import rules
from crownjewels.incidents.letters.schemas import Disclosure, Person, Recipient, Secret
from crownjewels.incidents.schemas import CaseRead, Named, SubjectKind
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from crownjewels.vault import service as vault
from crownjewels.vendors import service as vendors


@dataclass(frozen=True)
class Party:
    """A person or an organisation of the case, whom a letter may go to: how it is named, what
    a person may type for it, and the ids the ledger and the agreements know it by."""

    kind: str
    name: str
    #: what a form sends for it: the person's email, the organisation's name
    value: str
    typed: frozenset[str]
    organisation: str | None = None
    email: str | None = None
    role: str | None = None
    person_id: str | None = None
    organisation_id: str | None = None

    @property
    def label(self) -> str:
        """How a list names it: Jonas Berg (Meridian Tooling GmbH)."""
        if self.organisation and self.organisation != self.name:
            return f"{self.name} ({self.organisation})"
        return self.name

    def recipient(self) -> Recipient:
        """The party as a letter's addressee."""
        return Recipient(name=self.name, organisation=self.organisation, email=self.email)

    def person(self) -> Person:
        """The party as one of the people a letter lists."""
        return Person(name=self.name, organisation=self.organisation, role=self.role)

    def ledger_filter(self) -> LedgerFilter:
        """The ledger's lines of disclosures to this person or organisation."""
        if self.kind == "person":
            return LedgerFilter(person=self.person_id or self.email)
        return LedgerFilter(organisation=self.organisation_id or self.name)


def _keys(*values: str | None) -> frozenset[str]:
    return frozenset(" ".join(v.split()).lower() for v in values if v)


def _person(session: Session, actor: Actor, named: Named, own_id: str | None) -> Party:
    try:
        person = parties.get_person(session, actor=actor, person_ref=named.ref)
    except (Forbidden, NotFound):
        return Party("person", named.name, named.ref, _keys(named.ref, named.name), email=named.ref)
    foreign = person.organisation_id != own_id
    return Party(
        "person",
        person.full_name,
        person.email,
        _keys(person.email, person.full_name),
        organisation=person.organisation_name if foreign else None,
        email=person.email,
        role=person.title or person.kind.value.replace("-", " "),
        person_id=person.id,
        organisation_id=person.organisation_id,
    )


def _organisation(session: Session, actor: Actor, named: Named) -> Party:
    try:
        org = parties.get_organisation(session, actor=actor, org_ref=named.ref)
    except (Forbidden, NotFound):
        return Party("organisation", named.name, named.name, _keys(named.name), named.name)
    keys = _keys(org.name)
    return Party("organisation", org.name, org.name, keys, org.name, organisation_id=org.id)


def _vendor(session: Session, actor: Actor, named: Named) -> Party:
    try:
        found = vendors.get(session, actor=actor, vendor_ref=named.ref)
    except (Forbidden, NotFound):
        name = named.name.removeprefix(named.ref).strip() or named.name
        return Party("organisation", name, named.ref, _keys(named.ref, name), name)
    keys = _keys(found.ref, found.name)
    return Party(
        "organisation", found.name, found.name, keys, found.name,
        organisation_id=found.organisation_id,
    )  # fmt: skip


def parties_of(session: Session, actor: Actor, case: CaseRead) -> list[Party]:
    """The people and organisations (vendors among them) the case concerns, in its order; an
    organisation named twice (as itself and as a vendor) once."""
    own = parties.own_organisation(session)
    own_id = own.id if own else None
    out: list[Party] = []
    for named in case.subjects:
        if named.kind == SubjectKind.PERSON:
            party = _person(session, actor, named, own_id)
        elif named.kind == SubjectKind.ORGANISATION:
            party = _organisation(session, actor, named)
        elif named.kind == SubjectKind.VENDOR:
            party = _vendor(session, actor, named)
        else:
            continue
        twin = party.kind == "organisation" and any(
            p.kind == "organisation" and p.organisation_id == party.organisation_id for p in out
        )
        if not twin or party.organisation_id is None:
            out.append(party)
    return out


def secrets_of(session: Session, actor: Actor, case: CaseRead) -> tuple[Secret, ...]:
    """The secrets the case concerns, with their category in words."""
    out = []
    for named in case.of_kind(SubjectKind.SECRET):
        try:
            found = inventory.get(session, actor=actor, secret_ref=named.ref)
        except (Forbidden, NotFound):
            name = named.name.removeprefix(named.ref).strip() or named.ref
            out.append(Secret(ref=named.ref, name=name, category="trade secret"))
            continue
        category = rules.CATEGORIES.get(found.category.value, found.category.value)
        out.append(Secret(ref=found.ref, name=found.name, category=category))
    return tuple(out)


def _titles(session: Session, actor: Actor, ids: Iterable[str]) -> dict[str, str]:
    out = {}
    for document_id in ids:
        try:
            found = vault.get_document(session, actor=actor, document_id=document_id)
        except (Forbidden, NotFound):
            continue
        out[document_id] = found.title
    return out


def _disclosure(entry: EntryRead, titles: dict[str, str]) -> Disclosure:
    recipient = entry.recipient_name
    if entry.recipient_organisation_name:
        recipient += f" ({entry.recipient_organisation_name})"
    return Disclosure(
        copy_ref=entry.copy_id,
        secret_ref=entry.secret_ref or entry.secret_id,
        secret_name=entry.secret_name or entry.secret_ref or entry.secret_id,
        document=titles.get(entry.document_id or "") or entry.description or None,
        recipient=recipient,
        issued_at=entry.disclosed_at,
        watermark=entry.copy_id,
        channel=entry.channel.value.replace("-", " "),
        agreement_ref=entry.agreement_ref,
    )


def disclosures_to(
    session: Session, actor: Actor, targets: list[Party], secret_refs: set[str], notes: list[str]
) -> tuple[Disclosure, ...]:
    """The ledger's disclosures to the targets of the case's secrets (of any secret when the
    case names none), oldest first; none, with a note, for a reader the ledger refuses."""
    entries: dict[str, EntryRead] = {}
    for party in targets:
        try:
            rows = ledger.list_entries(session, actor=actor, filters=party.ledger_filter())
        except Forbidden:
            notes.append(
                "The disclosure ledger is not shown to you (disclosures:read): the draft lists "
                "no disclosure"
            )
            return ()
        except NotFound:
            continue
        for entry in rows:
            if not secret_refs or entry.secret_ref in secret_refs:
                entries[entry.id] = entry
    ordered = sorted(entries.values(), key=lambda e: (e.disclosed_at, e.custody_seq))
    titles = _titles(session, actor, {e.document_id for e in ordered if e.document_id})
    return tuple(_disclosure(e, titles) for e in ordered)
