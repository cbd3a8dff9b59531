"""The verbs of a case's evidence: list and read its items with their chain of custody,
register an item collected outside the system (EVIDENCE_REGISTERED), hand an item over between
custodians (EVIDENCE_HANDED_OVER), and the chain-of-custody form as a PDF. What the system
preserves itself is in `preserve`. Every event carries the item's SHA-256, so the custody log
anchors it; nothing here deletes an item.

Reading needs incidents:read (or a seat on the case's team); registering and handing over need
incidents:write. An item is registered on an open case; hand-overs go on after it closes, since
the item is still held by someone."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.core.refs import next_ref
from crownjewels.custody import labels
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventRead, EventType
from crownjewels.incidents import service as cases
from crownjewels.incidents.evidence import pdf, repository
from crownjewels.incidents.evidence.documents import OWNER_TYPE
from crownjewels.incidents.evidence.errors import EvidenceNotFound, NotCustodian
from crownjewels.incidents.evidence.schemas import (
    KIND_WORDS,
    EvidenceKind,
    EvidenceRead,
    EvidenceRegister,
    EvidenceSummary,
    HandoverCreate,
    HandoverRead,
)
from crownjewels.incidents.models import Evidence, Handover, Incident
from crownjewels.vault import reading
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import VersionRead

#: the custody subject type of an evidence item
SUBJECT = "evidence"
#: how far ahead of the clock a typed time may be (clocks of two machines differ a little)
SKEW = timedelta(minutes=5)
_CHUNK = 1 << 20
#: reads whether a preserved item's document is held, for whoever may see the item
READER = fact_reader("incidents")


class Readable(Protocol):
    """Anything with read(n): an open file, an upload."""

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class FileDigest:
    """A file's SHA-256 and size, computed by reading it once."""

    sha256: str
    size: int


def digest(source: Readable) -> FileDigest:
    """The SHA-256 and size of a file, read in 1 MiB chunks (never held whole)."""
    hasher, size = hashlib.sha256(), 0
    while chunk := source.read(_CHUNK):
        hasher.update(chunk)
        size += len(chunk)
    return FileDigest(hasher.hexdigest(), size)


# --- reading ----------------------------------------------------------------------------------


def _item(session: Session, case: Incident, ref: str) -> Evidence:
    found = repository.item(session, case.id, ref)
    if found is None:
        raise EvidenceNotFound(
            f"{case.ref} has no evidence item {ref.strip()}; its evidence page lists them"
        )
    return found


def _held(session: Session, case: Incident, rows: list[Evidence]) -> set[str]:
    """The items whose vault document is under legal hold (read as the installation: the hold
    is a fact of an item the caller may already see, never the document's content)."""
    if not any(r.document_id for r in rows):
        return set()
    docs = vault.list_documents(session, actor=READER, owner_type=OWNER_TYPE, owner_ref=case.id)
    held = {d.id for d in docs if d.legal_hold}
    return {r.id for r in rows if r.document_id in held}


def list_items(session: Session, *, actor: Actor, ref: str) -> list[EvidenceSummary]:
    """A case's evidence items, oldest first, with how often each changed hands."""
    case = cases.row(session, actor, ref)
    rows = repository.items_of(session, case.id)
    handovers = repository.handovers_of(session, [r.id for r in rows])
    held = _held(session, case, rows)
    return [
        EvidenceSummary(
            ref=r.ref,
            kind=EvidenceKind(r.kind),
            kind_words=KIND_WORDS[EvidenceKind(r.kind)],
            description=r.description,
            sha256=r.sha256,
            size=r.size,
            collected_at=r.collected_at,
            custodian=r.custodian,
            stored_at=r.stored_at,
            handovers=len(handovers.get(r.id, [])),
            legal_hold=r.id in held,
        )
        for r in rows
    ]


def _events(session: Session, row: Evidence) -> dict[int, EventRead]:
    """The custody events of an item: 0 for its registration, n for its n-th hand-over."""
    out: dict[int, EventRead] = {}
    for event in custody.history(session, subject_type=SUBJECT, subject_id=row.id, limit=10_000):
        if event.event_type == EventType.EVIDENCE_HANDED_OVER:
            out[int(event.details.get("handover", -1))] = event
        elif event.event_type in (EventType.EVIDENCE_REGISTERED, EventType.EVIDENCE_PRESERVED):
            out[0] = event
    return out


def _seq(events: dict[int, EventRead], n: int) -> tuple[int | None, str | None]:
    found = events.get(n)
    return (found.seq, found.hash) if found else (None, None)


def read(session: Session, case: Incident, row: Evidence) -> EvidenceRead:
    """An item in words, with its hand-overs and the custody events that record them."""
    handovers = repository.handovers_of(session, [row.id]).get(row.id, [])
    names = labels.actor_texts(session, {row.recorded_by, *(h.recorded_by for h in handovers)})
    events = _events(session, row)
    seq, digest_ = _seq(events, 0)
    first = events[0].details.get("stored_at") if 0 in events else None
    return EvidenceRead(
        ref=row.ref,
        case_ref=case.ref,
        case_title=case.title,
        kind=EvidenceKind(row.kind),
        kind_words=KIND_WORDS[EvidenceKind(row.kind)],
        description=row.description,
        sha256=row.sha256,
        size=row.size,
        document_id=row.document_id,
        legal_hold=bool(_held(session, case, [row])),
        collected_by=row.collected_by,
        collected_at=row.collected_at,
        collected_where=row.collected_where,
        stored_at=row.stored_at,
        first_stored_at=str(first or row.stored_at),
        custodian=row.custodian,
        recorded_by=names.get(row.recorded_by, row.recorded_by),
        created_at=row.created_at,
        custody_seq=seq,
        custody_hash=digest_,
        handovers=[
            HandoverRead(
                number=n,
                from_custodian=h.from_custodian,
                to_custodian=h.to_custodian,
                handed_at=h.handed_at,
                purpose=h.purpose,
                stored_at=h.stored_at,
                recorded_by=names.get(h.recorded_by, h.recorded_by),
                created_at=h.created_at,
                custody_seq=_seq(events, n)[0],
                custody_hash=_seq(events, n)[1],
            )
            for n, h in enumerate(handovers, start=1)
        ],
    )


def get_item(session: Session, *, actor: Actor, ref: str, item_ref: str) -> EvidenceRead:
    """One item of a case (EV-0001 of IN-0004) with its chain of custody."""
    case = cases.row(session, actor, ref)
    return read(session, case, _item(session, case, item_ref))


def form(session: Session, *, actor: Actor, ref: str, item_ref: str) -> tuple[str, bytes]:
    """The chain-of-custody form of an item as a PDF, with its file name."""
    item = get_item(session, actor=actor, ref=ref, item_ref=item_ref)
    made_by = labels.actor_text(session, actor.ref)
    return f"chain-of-custody-{item.ref}.pdf", pdf.render(item, made_by, clock.now())


def _artefact(session: Session, actor: Actor, ref: str, item_ref: str) -> str:
    """The vault document of a preserved item (an item collected outside has none)."""
    item = get_item(session, actor=actor, ref=ref, item_ref=item_ref)
    if item.document_id is None:
        raise Invalid(
            f"{item.ref} was collected outside the system: the vault holds no file of it; "
            f"it is kept at {item.stored_at}"
        )
    return item.document_id


def stream_artefact(
    session: Session, *, actor: Actor, ref: str, item_ref: str, vault_: vault.Vault
) -> tuple[VersionRead, Iterator[bytes]]:
    """A preserved artefact decrypted from the vault as it streams (a DOCUMENT_READ)."""
    document_id = _artefact(session, actor, ref, item_ref)
    return reading.stream_version(session, actor=actor, vault=vault_, document_id=document_id)


def write_artefact(
    session: Session, *, actor: Actor, ref: str, item_ref: str, vault_: vault.Vault, path: Path
) -> VersionRead:
    """A preserved artefact decrypted from the vault to `path` (a DOCUMENT_READ); the file
    appears only if all of it authenticated."""
    document_id = _artefact(session, actor, ref, item_ref)
    return reading.export_version(
        session, actor=actor, vault=vault_, document_id=document_id, path=path
    )


# --- writing ----------------------------------------------------------------------------------


def record(
    session: Session, actor: Actor, case: Incident, row: Evidence, event: EventType, **details: Any
) -> tuple[int, str]:
    """One custody event of an item, with its reference, its case and its SHA-256."""
    session.flush()
    return custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, "case": case.ref, "sha256": row.sha256, **details},
    )


def _not_ahead(moment: datetime, field: str, what: str) -> None:
    now = clock.now()
    if moment > now + SKEW:
        raise Invalid(
            f"{what} cannot be in the future (it is {now:%Y-%m-%d %H:%M} UTC now); "
            "give when it happened",
            field=field,
        )


def _hash(data: EvidenceRegister, computed: FileDigest | None) -> tuple[str, int | None]:
    """The item's SHA-256 and size: as typed, as computed from its file, or both if they agree."""
    if computed is None:
        if data.sha256 is None:
            raise Invalid(
                "give the item's SHA-256 (64 hexadecimal digits), or its file to compute it from",
                field="sha256",
            )
        return data.sha256, data.size
    if data.sha256 is not None and data.sha256 != computed.sha256:
        raise Invalid(
            f"the file's SHA-256 is {computed.sha256}, not the {data.sha256} typed; "
            "check that this is the item's file",
            field="sha256",
        )
    if data.size is not None and data.size != computed.size:
        raise Invalid(
            f"the file holds {computed.size:,} bytes, not the {data.size:,} typed", field="size"
        )
    return computed.sha256, computed.size


def register(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    data: EvidenceRegister,
    computed: FileDigest | None = None,
) -> EvidenceRead:
    """Register an item collected outside the system (EVIDENCE_REGISTERED): its SHA-256 as
    typed or `computed` from its file (`digest`), who collected it, when, where, and where it is
    kept; its first custodian is whoever collected it unless another is named."""
    case = cases.writable(session, actor, ref, "registering evidence")
    _not_ahead(data.collected_at, "collected_at", "the collection")
    sha256, size = _hash(data, computed)
    now = clock.now()
    row = Evidence(
        ref=next_ref(session, Evidence.ref, "EV-", 4),
        incident_id=case.id,
        kind=EvidenceKind.EXTERNAL.value,
        description=data.description,
        sha256=sha256,
        size=size,
        collected_by=data.collected_by,
        collected_at=data.collected_at,
        collected_where=data.collected_where,
        stored_at=data.stored_at,
        custodian=data.custodian or data.collected_by,
        recorded_by=actor.ref,
        created_at=now,
    )
    session.add(row)
    record(
        session,
        actor,
        case,
        row,
        EventType.EVIDENCE_REGISTERED,
        kind=row.kind,
        description=row.description[:500],
        size=row.size,
        hash_computed=computed is not None,
        collected_by=row.collected_by,
        collected_at=row.collected_at.isoformat(),
        collected_where=row.collected_where,
        stored_at=row.stored_at,
        custodian=row.custodian,
    )
    return read(session, case, row)


def _same_person(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _check_handover(row: Evidence, last: Handover | None, data: HandoverCreate) -> None:
    if not _same_person(data.from_custodian, row.custodian):
        raise NotCustodian(
            f"{row.ref} is held by {row.custodian}, not {data.from_custodian}: a hand-over "
            f"starts from whoever holds the item; record {row.custodian}'s hand-over first",
            field="from_custodian",
        )
    if _same_person(data.to_custodian, row.custodian):
        raise Invalid(
            f"{row.custodian} holds {row.ref} already; hand it to someone else",
            field="to_custodian",
        )
    _not_ahead(data.handed_at, "handed_at", "a hand-over")
    if data.handed_at < row.collected_at:
        raise Invalid(
            f"{row.ref} was collected on {row.collected_at:%Y-%m-%d %H:%M} UTC; "
            "a hand-over cannot come before it",
            field="handed_at",
        )
    if last is not None and data.handed_at < last.handed_at:
        raise Invalid(
            f"the last hand-over of {row.ref} was on {last.handed_at:%Y-%m-%d %H:%M} UTC; "
            "hand-overs are recorded in the order they happened",
            field="handed_at",
        )


def hand_over(
    session: Session, *, actor: Actor, ref: str, item_ref: str, data: HandoverCreate
) -> EvidenceRead:
    """Record that an item changed hands (EVIDENCE_HANDED_OVER): from its current custodian,
    at a time neither in the future nor before its collection or the last hand-over; the
    item's custodian and storage place follow. A closed case's items still change hands."""
    case = cases.row(session, actor, ref)
    actor.require(P.INCIDENTS_WRITE, what="recording a hand-over of evidence")
    row = _item(session, case, item_ref)
    before = repository.handovers_of(session, [row.id]).get(row.id, [])
    _check_handover(row, before[-1] if before else None, data)
    handover = Handover(
        evidence_id=row.id,
        from_custodian=row.custodian,
        to_custodian=data.to_custodian,
        handed_at=data.handed_at,
        purpose=data.purpose,
        stored_at=data.stored_at or row.stored_at,
        recorded_by=actor.ref,
        created_at=clock.now(),
    )
    session.add(handover)
    row.custodian, row.stored_at = handover.to_custodian, handover.stored_at
    record(
        session,
        actor,
        case,
        row,
        EventType.EVIDENCE_HANDED_OVER,
        handover=len(before) + 1,
        **{"from": handover.from_custodian, "to": handover.to_custodian},
        handed_at=handover.handed_at.isoformat(),
        purpose=handover.purpose,
        stored_at=handover.stored_at,
    )
    return read(session, case, row)
