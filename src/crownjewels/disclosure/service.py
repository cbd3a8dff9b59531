"""Registered copies: every hand-out of a document version is a copy with an id, a recipient,
a channel and a purpose, marked for its recipient (`watermark`); `identify` reads the marks of
a file found in the wild and names the copy.

A hand-out of a secret's document asks `access` first (`require_allowed` at the download level
for the recipient, before anything is decrypted): a denial raises AccessDenied (403) naming
every failed rule, and records ACCESS_DENIED. An allowed one also writes its disclosure-ledger
entry (`ledger.enter`, DISCLOSURE_RECORDED) in the same transaction. Documents of other owner
kinds (vendor certificates, agreements, assessments) need the documents:read permission (or
their owner kind's own reading rule) and the vault's visibility rules, and are not secrets'
disclosures, so they get no ledger entry."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection
from datetime import datetime
from functools import cached_property

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.schemas import Decision, Level
from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, Invalid, NotFound
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.disclosure import planting, repository
from crownjewels.disclosure.errors import CopyNotFound, NoRecipient
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.models import DisclosureCopy
from crownjewels.disclosure.schemas import (
    Channel,
    CopyRead,
    FoundMarkRead,
    Identification,
    IssuedCopy,
    LedgerChannel,
    OriginalRead,
    Verdict,
)
from crownjewels.disclosure.watermark import engine as watermark
from crownjewels.disclosure.watermark.marks import DEFAULT_LEGEND
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead
from crownjewels.settings import Settings

# The vault's decrypting reads live in `vault.reading`, the read half of its service.
from crownjewels.vault import reading as vault_reading
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentRead, VersionRead

SUBJECT = "copy"
#: reads the document's secret, the recipient's person and, for a self-download that access
#: allowed, the document itself
READER = fact_reader("disclosure")
SECRET_OWNER = "secret"
WATERMARK_KEY_PURPOSE = b"crownjewels/watermark/v1"


def watermark_key(secret_key: str) -> bytes:
    """The installation's watermark key (the HMAC key of every mark), from its secret key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=WATERMARK_KEY_PURPOSE).derive(
        secret_key.encode("utf-8")
    )


class Issuer:
    """What handing out and tracing copies needs from the installation's settings: its vault
    (opened on first use, so tracing a found file never opens it) and its watermark key."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.key = watermark_key(settings.resolved_secret_key())

    @cached_property
    def vault(self) -> vault.Vault:
        """The installation's vault, where the documents to copy are."""
        return vault.open_vault(self._settings)


def issuer(settings: Settings) -> Issuer:
    """The one place a route, page, command or job gets the vault and watermark key of copies."""
    return Issuer(settings)


def _self_download(actor: Actor, recipient: str | None) -> bool:
    """True when the actor may take a copy only for themselves: without documents:read, a copy
    of a secret's document the access rules let them download (a vendor user in the portal)."""
    if actor.can(Permission.DOCUMENTS_READ):
        return False
    if actor.person_id is None or (recipient and recipient.strip() != actor.person_id):
        raise Forbidden(
            "a copy for someone else needs the documents:read permission; without it you may "
            "download only what your own grants allow, for yourself"
        )
    actor.require_write(what="taking a copy")
    return True


def _purpose(purpose: str) -> str:
    purpose = purpose.strip()
    if len(purpose) < 3:
        raise watermark.MarkError("say what the copy is for (the purpose)", field="purpose")
    return purpose


def _document(session: Session, actor: Actor, document_id: str, own: bool) -> DocumentRead:
    """The document: through the vault's visibility for a reader, or, for a self-download, a
    secret's document (whether the actor may have it is the access decision's to say)."""
    if not own:
        return vault.get_document(session, actor=actor, document_id=document_id)
    document = vault.get_document(session, actor=READER, document_id=document_id)
    if document.owner_type != SECRET_OWNER:
        raise Forbidden("a copy of this document needs the documents:read permission")
    return document


def _recipient(session: Session, actor: Actor, recipient: str | None, own: bool) -> PersonRead:
    if own and actor.person_id:
        return parties.get_person(session, actor=READER, person_ref=actor.person_id)
    if recipient and recipient.strip():
        try:
            return parties.get_person(session, actor=actor, person_ref=recipient.strip())
        except NotFound as exc:  # the recipient field is wrong, not the page
            raise NoRecipient(exc.message, field="recipient") from None
    if actor.person_id is None:
        raise NoRecipient(
            "you have no person record to receive the copy; name the recipient "
            "(--to EMAIL, or `recipient` in the API)",
            field="recipient",
        )
    return parties.get_person(session, actor=actor, person_ref=actor.person_id)


def _secret(session: Session, document: DocumentRead) -> SecretRead | None:
    """The secret a document belongs to, read once for the hand-out (None: another owner)."""
    if document.owner_type != SECRET_OWNER:
        return None
    return inventory.get(session, actor=READER, secret_ref=document.owner_id)


def _allowed(
    session: Session,
    actor: Actor,
    document: DocumentRead,
    person: PersonRead,
    secret: SecretRead | None,
) -> Decision | None:
    """A secret's document: the access rules must let the recipient download it (raises
    AccessDenied with every reason). Other owners' documents: None, their own rules hold."""
    if secret is None:
        return None
    return access.require_allowed(
        session,
        actor=actor,
        person=person,
        secret=secret,
        action=Level.DOWNLOAD,
        document_id=document.id,
    )


def _open(
    session: Session,
    actor: Actor,
    vault_: vault.Vault,
    document: DocumentRead,
    version: int | None,
    own: bool,
) -> tuple[VersionRead, bytes]:
    """Decrypt the version (a DOCUMENT_READ recorded against the actor). A self-download holds
    no documents:read: the vault decrypts with the installation's eyes, once access allowed it."""
    meta, plaintext = vault_reading.open_version(
        session,
        actor=READER if own else actor,
        vault=vault_,
        document_id=document.id,
        version=version,
        recorded_as=actor if own else None,
    )
    with plaintext:
        return meta, plaintext.read()


def _read(row: DisclosureCopy, document: DocumentRead | None = None) -> CopyRead:
    read = CopyRead.model_validate(row)
    if document is not None:
        read.document_title, read.owner_label = document.title, document.owner_label
    return read


def _register(
    session: Session,
    actor: Actor,
    *,
    document: DocumentRead,
    meta: VersionRead,
    person: PersonRead,
    mark: watermark.Mark,
    marked: watermark.MarkedCopy,
    channel: Channel,
    purpose: str,
    issued_at: datetime,
) -> DisclosureCopy:
    """The copy's row and its COPY_ISSUED event."""
    row = DisclosureCopy(
        id=mark.copy_id,
        document_id=document.id,
        version_id=meta.id,
        version_number=meta.number,
        source_sha256=meta.sha256,
        owner_type=document.owner_type,
        owner_id=document.owner_id,
        recipient_person_id=person.id,
        recipient_name=person.full_name[:200],
        recipient_email=person.email,
        recipient_organisation=(person.organisation_name or "")[:200],
        channel=channel.value,
        purpose=purpose,
        issued_by=actor.ref,
        issued_at=issued_at,
        media_type=meta.media_type,
        filename=meta.filename,
        marked=marked.marked,
        methods=list(marked.methods),
        sha256=hashlib.sha256(marked.data).hexdigest(),
        size=len(marked.data),
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.COPY_ISSUED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "document_id": document.id,
            "owner_type": document.owner_type,
            "owner_id": document.owner_id,
            "version": meta.number,
            "source_sha256": meta.sha256,
            "recipient_person_id": person.id,
            "recipient": row.recipient_name,
            "organisation": row.recipient_organisation,
            "channel": row.channel,
            "purpose": purpose,
            "marked": row.marked,
            "methods": row.methods,
            "sha256": row.sha256,
        },
    )
    return row


def issue_copy(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    key: bytes,
    document_id: str,
    purpose: str,
    channel: Channel,
    recipient: str | None = None,
    version: int | None = None,
    plant: planting.PlantRequest | None = None,
) -> IssuedCopy:
    """Decrypt a version (a DOCUMENT_READ), mark it for its recipient (default: the actor) and
    register the copy (COPY_ISSUED); types the engine cannot mark are registered as unmarked.
    Needs documents:read, except for a copy of a secret's document for the actor themselves,
    which the access decision alone allows (a vendor user in the portal).
    With `plant`, a canary token of that kind goes into the marked copy (planting.py)."""
    own = _self_download(actor, recipient)
    purpose = _purpose(purpose)
    document = _document(session, actor, document_id, own)
    person = _recipient(session, actor, recipient, own)
    secret = _secret(session, document)  # read once: the access decision and the mark's legend
    decision = _allowed(session, actor, document, person, secret)
    meta, raw = _open(session, actor, vault_, document, version, own)
    issued_at = clock.now()
    legend = secret.legend if secret is not None else (meta.legend or DEFAULT_LEGEND)
    mark = watermark.Mark(
        new_id(),
        person.full_name,
        person.organisation_name or "",
        issued_at.date(),
        legend=legend,
    )
    marked = watermark.apply_mark(raw, meta.media_type, mark, key=key, filename=meta.filename)
    canary = None
    if plant is not None:
        if secret is None:
            raise Invalid(
                "a canary token belongs to a secret, and this document is not a secret's; "
                "issue the copy without one",
                field="plant",
            )
        planted = planting.plant(
            session,
            actor=actor,
            planting=planting.Planting(
                kind=plant.kind,
                base_url=plant.base_url,
                data=marked.data,
                media_type=meta.media_type,
                filename=meta.filename,
                secret_id=secret.id,
                copy_id=mark.copy_id,
                recipient_person_id=person.id,
                recipient_name=person.full_name,
                recipient_email=person.email,
            ),
        )
        marked, canary = dataclasses.replace(marked, data=planted.data), planted.reference
    row = _register(
        session,
        actor,
        document=document,
        meta=meta,
        person=person,
        mark=mark,
        marked=marked,
        channel=channel,
        purpose=purpose,
        issued_at=issued_at,
    )
    if decision is not None:
        ledger.enter(
            session,
            actor=actor,
            decision=decision,
            person=person,
            # a copy downloaded in the vendor portal is a portal disclosure; all others vault copies
            channel=LedgerChannel.PORTAL if channel is Channel.PORTAL else LedgerChannel.VAULT_COPY,
            purpose=purpose,
            disclosed_at=issued_at,
            document=(document.id, meta.number, meta.sha256),
            copy_id=row.id,
            secret=secret,
        )
    return IssuedCopy(
        copy=_read(row, document),
        data=marked.data,
        filename=meta.filename or document.title,
        canary=canary,
    )


def own_copy_decisions(
    session: Session, *, actor: Actor, secret: SecretRead, documents: Collection[DocumentRead]
) -> dict[str, Decision]:
    """For each document of the secret, whether the actor may take their own copy now: the
    access decision, asked without recording it (the page only offers; a download asks again
    and records). Empty when the actor has no person record to receive a copy."""
    if actor.person_id is None:
        return {}
    person = parties.get_person(session, actor=READER, person_ref=actor.person_id)
    return {
        doc.id: access.decide(
            session,
            actor=actor,
            person=person,
            secret=secret,
            action=Level.DOWNLOAD,
            document_id=doc.id,
            record=False,
        )
        for doc in documents
    }


def _documents(
    session: Session, actor: Actor, *, secret_ref: str | None = None
) -> dict[str, DocumentRead]:
    """The documents the actor may see (of one secret), by id: the scope of every copy query."""
    docs = vault.list_documents(
        session,
        actor=actor,
        owner_type=SECRET_OWNER if secret_ref else None,
        owner_ref=secret_ref,
    )
    return {d.id: d for d in docs}


def list_copies(
    session: Session,
    *,
    actor: Actor,
    secret_ref: str | None = None,
    document_id: str | None = None,
) -> list[CopyRead]:
    """The copies issued of the documents the actor may see, newest first; narrowed to one
    secret's documents or to one document."""
    actor.require(Permission.DOCUMENTS_READ, what="listing copies")
    docs = _documents(session, actor, secret_ref=secret_ref)
    if document_id is not None:
        doc = vault.get_document(session, actor=actor, document_id=document_id)
        docs = {doc.id: doc} if secret_ref is None or doc.id in docs else {}
    rows = repository.listed(session, actor, docs)
    return [_read(r, docs.get(r.document_id)) for r in rows]


def get_copy(session: Session, *, actor: Actor, copy_id: str) -> CopyRead:
    """One copy the actor may see."""
    actor.require(Permission.DOCUMENTS_READ, what="a copy's record")
    docs = _documents(session, actor)
    row = repository.find(session, actor, docs, copy_id)
    if row is None:
        raise CopyNotFound(f"no copy {copy_id!r} among the copies you may see")
    return _read(row, docs.get(row.document_id))


def _found(found: Collection[watermark.FoundMark]) -> list[FoundMarkRead]:
    return [
        FoundMarkRead(method=m.method, status=m.status.value, copy_id=m.copy_id, count=m.count)
        for m in found
    ]


def _original(session: Session, actor: Actor, result: Identification) -> Identification:
    """The verdict on a file with no copy named: if it is byte for byte a vault original the
    actor may see, it is that original (no copy carries the original's bytes unless its type
    takes no mark), not an untraceable file."""
    for doc in vault.originals_of(session, actor=actor, sha256=result.sha256):
        number = next(v.number for v in doc.versions if v.sha256 == result.sha256)
        owner = doc.owner_label or doc.owner_id
        result.verdict = Verdict.ORIGINAL
        result.original = OriginalRead(
            document_id=doc.id,
            document_title=doc.title,
            version_number=number,
            owner_type=doc.owner_type,
            owner_id=doc.owner_id,
            owner_label=owner,
        )
        result.message = (
            f"This is the original of “{doc.title}” v{number} of {owner}, not a registered "
            "copy: its SHA-256 equals the version kept in the vault"
        )
        return result
    return result


def identify(
    session: Session,
    *,
    actor: Actor,
    key: bytes,
    data: bytes,
    media_type: str | None = None,
    record: bool = True,
) -> Identification:
    """Read the marks of a found file and name its copy, recipient and date; or the vault
    original it equals byte for byte; or say that no mark survives, that the marks are damaged,
    or that they were made by another installation.
    A file that names a copy is recorded (COPY_IDENTIFIED) against that copy, unless `record`
    is False (the caller records it with `record_identified` when it writes)."""
    actor.require(Permission.DOCUMENTS_READ, what="identifying a file")
    kind = media_type or watermark.sniff(data)
    found = watermark.read_marks(data, kind, key=key)
    verdict = watermark.describe(found)
    digest = hashlib.sha256(data).hexdigest()
    result = Identification(
        verdict=Verdict(verdict.status),
        message=verdict.message,
        copy_id=verdict.copy_id,
        marks=_found(found),
        media_type=kind,
        sha256=digest,
    )
    if verdict.copy_id is None:
        return _original(session, actor, result)
    docs = _documents(session, actor)
    row = repository.find(session, actor, docs, verdict.copy_id)
    if row is None:
        result.verdict = Verdict.UNKNOWN_COPY
        result.message = (
            f"the marks name copy {verdict.copy_id}, which is not among the copies you may see"
        )
        return result
    copy = _read(row, docs.get(row.document_id))
    result.record = copy
    result.message = (
        f"copy {copy.id} of {copy.owner_label or copy.owner_id} "
        f"“{copy.document_title or copy.document_id}” v{copy.version_number}, issued to "
        f"{copy.recipient_name}"
        + (f" ({copy.recipient_organisation})" if copy.recipient_organisation else "")
        + f" on {copy.issued_at:%Y-%m-%d} for “{copy.purpose}”; {verdict.message}"
    )
    if record:
        record_identified(session, actor=actor, result=result)
    return result


def record_identified(session: Session, *, actor: Actor, result: Identification) -> None:
    """Record that a found file named its copy (COPY_IDENTIFIED), for a caller that identified
    it with `record=False` and writes later (a leak scan reads every file first, then writes
    everything in one short transaction)."""
    copy = result.record
    if copy is None:
        return
    custody.record(
        session,
        actor=actor,
        event_type=EventType.COPY_IDENTIFIED,
        subject_type=SUBJECT,
        subject_id=copy.id,
        details={
            "document_id": copy.document_id,
            "found_sha256": result.sha256,
            "media_type": result.media_type,
            "methods": sorted({m.method for m in result.marks if m.copy_id == copy.id}),
        },
    )
