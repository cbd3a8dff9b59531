"""The disclosure ledger: one entry for every time a secret reached someone, whether as a
registered vault copy (written by `service.issue_copy` in its transaction) or by hand
(`record_disclosure`: told, shown, handed over, sent by SFTP or the portal). Each entry names
the version and its plaintext SHA-256, the recipient and their organisation as they were, the
agreement that covered it, who approved the grants that allowed it, and the custody event
(DISCLOSURE_RECORDED) that seals it, by sequence number and hash.

Reading the ledger needs `disclosures:read`; without `secrets:read-all` (a secret owner) it is
narrowed to the secrets the reader owns. Recording a manual disclosure needs `grants:manage`
(those who manage access record what was disclosed outside the vault), and is refused with
every reason when the access rules would not let the person view the secret: fix the grant,
the agreement or the training first, then record.

A copy whose recipient is suspected (an incident's containment) is marked compromised
(`mark_compromised`, grants:manage); the ledger shows it beside the entry of that copy."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.schemas import Decision, Level
from crownjewels.agreements import service as agreements
from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Conflict, Forbidden, Invalid, NotFound
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.disclosure.ledger import repository
from crownjewels.disclosure.models import DisclosureCopy, DisclosureEntry
from crownjewels.disclosure.schemas import CopyRead, EntryRead, LedgerChannel, LedgerFilter
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentRead

SUBJECT = "disclosure"
#: a copy's custody subject (as `service.issue_copy` records it) and its documents' owner type
COPY_SUBJECT = "copy"
SECRET_OWNER = "secret"
#: the ledger reads agreements, grants and labels with the installation's eyes: what covered
#: a disclosure is part of the record whoever made it
READER = fact_reader("ledger")


def _agreement(
    session: Session, secret_id: str, person: PersonRead, on: datetime, ref: str | None
) -> tuple[str | None, str | None, int | None]:
    """(id, ref, version) of the named agreement, or of the first that covers the disclosure."""
    if ref:
        named = agreements.get(session, actor=READER, agreement_ref=ref)
        return named.id, named.ref, named.version
    covering = agreements.covering(
        session,
        READER,
        secret_id=secret_id,
        organisation_id=person.organisation_id,
        person_id=person.id,
        on=on.date(),
    )
    if not covering:
        return None, None, None
    first = covering[0]
    return first.id, first.ref, first.version


def _approvers(session: Session, grant_refs: list[str]) -> list[str]:
    """Who approved the grants that allowed the disclosure, in order, each once."""
    out: list[str] = []
    for ref in grant_refs:
        grant = access.get(session, actor=READER, grant_ref=ref)
        out += [a.approver for a in grant.approvals if a.approved and a.approver not in out]
    return out


#: the entry's fields the custody event repeats, so the ledger checks against the chain
_SEALED = (
    "secret_id", "document_id", "document_version", "document_sha256", "recipient_person_id",
    "recipient_name", "recipient_organisation_id", "recipient_organisation_name", "channel",
    "agreement_id", "agreement_ref", "agreement_version", "grant_refs", "approved_by",
    "copy_id", "purpose", "description",
)  # fmt: skip


def _details(row: DisclosureEntry) -> dict[str, object]:
    details: dict[str, object] = {k: getattr(row, k) for k in _SEALED}
    details["disclosed_at"] = row.disclosed_at.isoformat()
    return details


def enter(
    session: Session,
    *,
    actor: Actor,
    decision: Decision,
    person: PersonRead,
    channel: LedgerChannel,
    purpose: str,
    disclosed_at: datetime | None = None,
    document: tuple[str, int, str] | None = None,
    copy_id: str | None = None,
    description: str | None = None,
    agreement: str | None = None,
    secret: SecretRead | None = None,
) -> EntryRead:
    """Write one ledger entry for an allowed disclosure (`document`: id, version number,
    plaintext SHA-256) and its DISCLOSURE_RECORDED custody event; the caller's transaction.
    `secret`: the secret as the caller already read it (its labels are not read again)."""
    at = disclosed_at or clock.now()
    agreement_id, agreement_ref, agreement_version = _agreement(
        session, decision.secret_id, person, at, agreement
    )
    row = DisclosureEntry(
        id=new_id(),
        secret_id=decision.secret_id,
        document_id=document[0] if document else None,
        document_version=document[1] if document else None,
        document_sha256=document[2] if document else None,
        recipient_person_id=person.id,
        recipient_name=person.full_name[:200],
        recipient_organisation_id=person.organisation_id,
        recipient_organisation_name=(person.organisation_name or "")[:200],
        disclosed_at=at,
        channel=channel.value,
        agreement_id=agreement_id,
        agreement_ref=agreement_ref,
        agreement_version=agreement_version,
        grant_refs=list(decision.grant_refs),
        approved_by=_approvers(session, decision.grant_refs),
        copy_id=copy_id,
        purpose=purpose,
        description=description,
        recorded_by=actor.ref,
    )
    details = _details(row)
    row.custody_seq, row.custody_hash = custody.record(
        session,
        actor=actor,
        event_type=EventType.DISCLOSURE_RECORDED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details=details,
    )
    session.add(row)
    session.flush()
    return _read(session, row, {secret.id: (secret.ref, secret.name)} if secret else {})


def record_disclosure(
    session: Session,
    *,
    actor: Actor,
    secret: str,
    person: str,
    channel: LedgerChannel,
    on: datetime | None,
    description: str,
    agreement: str | None = None,
    purpose: str = "",
) -> EntryRead:
    """Record a disclosure made outside the vault (an oral briefing, a sample handed over, a
    file sent by SFTP …). The access rules must let the person view the secret: a denial is
    refused (AccessDenied, 403) with every reason, and nothing is recorded."""
    actor.require(Permission.GRANTS_MANAGE, what="recording a disclosure")
    if channel is LedgerChannel.VAULT_COPY:
        raise Invalid(
            "vault copies are entered when the copy is issued; record oral, physical or other "
            "disclosures here (channel manual-oral, manual-physical, manual-other, portal, sftp)",
            field="channel",
        )
    description = description.strip()
    if len(description) < 3:
        raise Invalid("say what was disclosed and how (the description)", field="description")
    at = on or clock.now()
    if at > clock.now():
        raise Invalid("a disclosure is recorded after it happened; fix the date", field="on")
    recipient = parties.get_person(session, actor=actor, person_ref=person.strip())
    # read once: the access decision and the entry's labels share it
    secret_read = inventory.get(session, actor=READER, secret_ref=secret.strip())
    decision = access.require_allowed(
        session, actor=actor, person=recipient, secret=secret_read, action=Level.VIEW
    )
    return enter(
        session,
        actor=actor,
        decision=decision,
        secret=secret_read,
        person=recipient,
        channel=channel,
        purpose=purpose.strip() or description,
        disclosed_at=at,
        description=description,
        agreement=agreement,
    )


def _read(session: Session, row: DisclosureEntry, labels: dict[str, tuple[str, str]]) -> EntryRead:
    if row.secret_id not in labels:
        secret = inventory.get(session, actor=READER, secret_ref=row.secret_id)
        labels[row.secret_id] = (secret.ref, secret.name)
    read = EntryRead.model_validate(row)
    read.secret_ref, read.secret_name = labels[row.secret_id]
    return read


def _owned_only(session: Session, actor: Actor) -> list[str] | None:
    """The secrets that bound the reader's ledger (a secret owner's own), else None."""
    actor.require(Permission.DISCLOSURES_READ, what="the disclosure ledger")
    if actor.can(Permission.SECRETS_READ_ALL):
        return None
    if actor.person_id is None:
        raise Forbidden("the ledger of your own secrets needs a person record")
    return inventory.owned_ids(session, person_id=actor.person_id)


def list_entries(session: Session, *, actor: Actor, filters: LedgerFilter) -> list[EntryRead]:
    """The ledger, oldest first, narrowed by the filters (secret, organisation, person, days)."""
    owned = _owned_only(session, actor)
    if filters.since and filters.until and filters.until < filters.since:
        raise Invalid("`until` is before `since`; swap them", field="until")
    secret_id = org_id = person_id = None
    if filters.secret:
        secret_id = inventory.get(session, actor=actor, secret_ref=filters.secret.strip()).id
    if filters.organisation:
        org_id = parties.get_organisation(
            session, actor=READER, org_ref=filters.organisation.strip()
        ).id
    if filters.person:
        person_id = parties.get_person(session, actor=READER, person_ref=filters.person.strip()).id
    rows = repository.entries(
        session,
        secret_ids=owned,
        secret_id=secret_id,
        organisation_id=org_id,
        person_id=person_id,
        since=filters.since,
        until=filters.until,
    )
    labels: dict[str, tuple[str, str]] = {}
    return _with_compromised(session, [_read(session, r, labels) for r in rows])


def get_entry(session: Session, *, actor: Actor, entry_id: str) -> EntryRead:
    """One entry the reader may see."""
    owned = _owned_only(session, actor)
    row = repository.entry(session, entry_id.strip().upper(), secret_ids=owned)
    if row is None:
        raise NotFound(f"no disclosure {entry_id!r} in the ledger you may read")
    return _with_compromised(session, [_read(session, row, {})])[0]


def _with_compromised(session: Session, entries: list[EntryRead]) -> list[EntryRead]:
    """The entries with when and why their copy was marked compromised (one query)."""
    marked = repository.compromised(session, {e.copy_id for e in entries if e.copy_id})
    for entry in entries:
        if entry.copy_id in marked:
            entry.copy_compromised_at, entry.copy_compromised_reason = marked[entry.copy_id]
    return entries


# --- compromised copies ---------------------------------------------------------------------


def _copy_read(row: DisclosureCopy, document: DocumentRead | None) -> CopyRead:
    read = CopyRead.model_validate(row)
    if document is not None:
        read.document_title, read.owner_label = document.title, document.owner_label
    return read


def copies_to(session: Session, *, actor: Actor, person_ids: list[str]) -> list[CopyRead]:
    """The copies of secrets' documents issued to these people, of the documents the actor
    may see (documents:read), oldest first, with their documents' titles."""
    actor.require(Permission.DOCUMENTS_READ, what="listing copies")
    rows = repository.copies_to(session, person_ids, SECRET_OWNER)
    documents: dict[str, DocumentRead | None] = {}
    for document_id in dict.fromkeys(r.document_id for r in rows):
        try:
            documents[document_id] = vault.get_document(
                session, actor=actor, document_id=document_id
            )
        except NotFound:
            documents[document_id] = None
    return [_copy_read(r, documents[r.document_id]) for r in rows if documents[r.document_id]]


def mark_compromised(session: Session, *, actor: Actor, copy_id: str, reason: str) -> CopyRead:
    """Mark a copy compromised with the reason (COPY_COMPROMISED): its recipient is suspected,
    and the ledger and its exports say so from now on; a compromised copy stays so. Needs
    grants:manage, as recording a disclosure does."""
    actor.require(Permission.GRANTS_MANAGE, what="marking a copy compromised")
    why = " ".join(reason.split())
    if len(why) < 3:
        raise Invalid("say why the copy is compromised (at least 3 characters)", field="reason")
    row = repository.copy(session, copy_id)
    document = None
    if row is not None:
        try:
            document = vault.get_document(session, actor=actor, document_id=row.document_id)
        except NotFound:
            row = None
    if row is None:
        raise NotFound(f"no copy {copy_id!r} among the copies you may see")
    if row.compromised_at is not None:
        raise Conflict(
            f"copy {row.id} was already marked compromised on {row.compromised_at:%Y-%m-%d}"
        )
    row.compromised_at, row.compromised_reason = clock.now(), why
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.COPY_COMPROMISED,
        subject_type=COPY_SUBJECT,
        subject_id=row.id,
        details={
            "document_id": row.document_id,
            "recipient_person_id": row.recipient_person_id,
            "recipient": row.recipient_name,
            "reason": why,
        },
    )
    return _copy_read(row, document)
