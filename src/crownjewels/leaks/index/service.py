"""The fingerprint index in the database (keyword-only verbs, actor explicit, each change with
its custody event in the caller's transaction).

A version of a secret's document stored in the vault is queued (`leak_pending`, in the
upload's transaction) and fingerprinted right after the upload commits (`prompt.install`), or
by the worker's `leaks.index_pending` job. A crypto-shredded document's sources and
fingerprints go in the shredding's transaction. Only hashes and offsets are stored: never the
text."""

from __future__ import annotations

import base64
import hashlib
import logging
import threading
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.documents import DocumentDestroyed, VersionStored
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission
from crownjewels.core.text import extract
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.leaks.errors import Unreadable
from crownjewels.leaks.fingerprint import PARAMS, Channel, Index, Prints, fingerprint
from crownjewels.leaks.index.schemas import IndexReport, IndexStatus, SourceRead
from crownjewels.leaks.models import Fingerprint, Match, PendingIndex, Source
from crownjewels.leaks.schemas import SourceKind, SourceStatus
from crownjewels.vault import reading as vault_reading
from crownjewels.vault import service as vault_service
from crownjewels.vault.errors import DocumentNotFound

log = logging.getLogger(__name__)

#: the vault owner type of a secret's documents (inventory's documents)
SECRET_OWNER = "secret"
#: session.info key: versions queued in this unit of work (indexed once it commits)
QUEUED = "crownjewels.leaks.queued"
_INSERT_BATCH = 20_000


# --- listeners (registered from registry.py) ---------------------------------------------------


def on_stored(session: Session, actor: Actor, version: VersionStored) -> None:
    """Queue a stored version of a secret's document, in the upload's transaction."""
    if version.owner_type != SECRET_OWNER:
        return
    key = (version.document_id, version.version_number)
    if session.get(PendingIndex, key) is None:
        session.add(
            PendingIndex(
                document_id=version.document_id,
                version_number=version.version_number,
                queued_at=clock.now(),
            )
        )
    session.info.setdefault(QUEUED, []).append(key)


def on_destroyed(session: Session, actor: Actor, document: DocumentDestroyed) -> None:
    """Remove a crypto-shredded document's fingerprints, in the shredding's transaction."""
    remove_document(session, actor=actor, document_id=document.document_id)


def queued(info: dict[str, Any]) -> list[tuple[str, int]]:
    """The versions a committed unit of work queued (its session.info)."""
    return list(dict.fromkeys(info.get(QUEUED, [])))


# --- storing ------------------------------------------------------------------------------------


def _pack_lines(prints: Prints) -> str:
    deltas = np.diff(prints.line_starts, prepend=0).astype("<u4")
    return base64.b64encode(zlib.compress(deltas.tobytes(), 6)).decode("ascii")


def _unpack_lines(packed: str | None) -> np.ndarray[Any, np.dtype[np.int32]]:
    if not packed:
        return np.zeros(1, dtype=np.int32)
    deltas = np.frombuffer(zlib.decompress(base64.b64decode(packed)), dtype="<u4")
    return np.cumsum(deltas).astype(np.int32)


def _counts(session: Session, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    rows = session.execute(
        select(Fingerprint.source_id, func.count())
        .where(Fingerprint.source_id.in_(ids))
        .group_by(Fingerprint.source_id)
    ).all()
    return {sid: int(n) for sid, n in rows}


def _read(row: Source, *, fingerprints: int, refs: dict[str, str]) -> SourceRead:
    out = SourceRead.model_validate(row)
    out.fingerprints = fingerprints
    out.secret_ref = refs.get(row.secret_id or "")
    return out


def _refs(session: Session, secret_ids: Iterable[str | None]) -> dict[str, str]:
    ids = {s for s in secret_ids if s}
    return {s.id: s.ref for s in inventory.secrets_by_ids(session, ids)}


def _delete_sources(session: Session, ids: list[str]) -> int:
    """Delete sources and their fingerprints (matches keep their evidence, without the link)."""
    if not ids:
        return 0
    removed = session.execute(delete(Fingerprint).where(Fingerprint.source_id.in_(ids))).rowcount  # type: ignore[attr-defined]
    session.execute(update(Match).where(Match.source_id.in_(ids)).values(source_id=None))
    session.execute(delete(Source).where(Source.id.in_(ids)))
    return int(removed or 0)


def _store(
    session: Session,
    *,
    prints: Prints | None,
    status: SourceStatus,
    reason: str | None,
    name: str,
    sha256: str,
    secret_id: str | None,
    document_id: str | None = None,
    version_number: int | None = None,
    token_id: str | None = None,
) -> Source:
    kind = SourceKind.TEXT if prints is None or prints.kind == "text" else SourceKind.CODE
    row = Source(
        secret_id=secret_id,
        document_id=document_id,
        version_number=version_number,
        token_id=token_id,
        name=name[:300],
        kind=kind.value,
        language=prints.language if prints else None,
        sha256=sha256,
        status=status.value,
        reason=reason,
        chars=prints.chars if prints else 0,
        lines=prints.lines if prints else 0,
        prints={
            "units": {str(k): v for k, v in (prints.units if prints else {}).items()},
            "lines": _pack_lines(prints) if prints else "",
        },
        params=PARAMS.key,
        indexed_at=clock.now(),
    )
    session.add(row)
    session.flush()
    if prints is not None and len(prints):
        cols = zip(
            prints.channel.tolist(),
            prints.hash.tolist(),
            prints.unit.tolist(),
            prints.start.tolist(),
            prints.end.tolist(),
            strict=True,
        )
        batch: list[dict[str, Any]] = []
        for ch, h, u, s, e in cols:
            batch.append(
                {"source_id": row.id, "channel": ch, "hash": h, "unit": u, "start": s, "end": e}
            )
            if len(batch) >= _INSERT_BATCH:
                session.execute(insert(Fingerprint), batch)
                batch = []
        if batch:
            session.execute(insert(Fingerprint), batch)
    return row


# --- indexing -----------------------------------------------------------------------------------


def index_version(
    session: Session,
    *,
    actor: Actor,
    vault: vault_service.Vault,
    document_id: str,
    version_number: int,
) -> SourceRead | None:
    """Fingerprint one version of a secret's document (replacing what it had): read through
    the vault (a DOCUMENT_READ), its text extracted, its fingerprints stored; a
    DOCUMENT_FINGERPRINTED event. None when there is nothing to index (not a secret's
    document, or destroyed); its queue entry goes either way."""
    actor.require(Permission.LEAKS_MANAGE, what="fingerprinting a document")
    session.execute(
        delete(PendingIndex).where(
            PendingIndex.document_id == document_id,
            PendingIndex.version_number == version_number,
        )
    )
    try:
        doc = vault_service.get_document(session, actor=actor, document_id=document_id)
    except DocumentNotFound:
        return None
    version = next((v for v in doc.versions if v.number == version_number), None)
    if doc.owner_type != SECRET_OWNER or doc.destroyed_at is not None or version is None:
        return None
    if version.shredded:
        return None
    meta, plaintext = vault_reading.open_version(
        session, actor=actor, vault=vault, document_id=document_id, version=version_number
    )
    with plaintext:
        data = plaintext.read()
    name = version.filename or doc.title
    prints: Prints | None = None
    reason: str | None = None
    try:
        text = extract(data, filename=name, media_type=meta.media_type)
        prints = fingerprint(text, name=name)
        status = SourceStatus.INDEXED if len(prints) else SourceStatus.EMPTY
        if not len(prints):
            reason = "too little text to fingerprint"
    except Invalid as exc:
        status, reason = SourceStatus.UNREADABLE, exc.message
    old = session.scalars(
        select(Source.id).where(
            Source.document_id == document_id, Source.version_number == version_number
        )
    ).all()
    _delete_sources(session, list(old))
    row = _store(
        session,
        prints=prints,
        status=status,
        reason=reason,
        name=name,
        sha256=version.sha256,
        secret_id=doc.owner_id,
        document_id=document_id,
        version_number=version_number,
    )
    n = len(prints) if prints is not None else 0
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_FINGERPRINTED,
        subject_type="document",
        subject_id=document_id,
        details={
            "version": version_number,
            "secret": doc.owner_label,
            "status": status.value,
            "kind": row.kind,
            "language": row.language,
            "fingerprints": n,
            "params": PARAMS.key,
            **({"reason": reason} if reason else {}),
        },
    )
    return _read(row, fingerprints=n, refs={doc.owner_id: doc.owner_label})


def _tally(report: IndexReport, source: SourceRead | None) -> None:
    if source is None:
        report.skipped += 1
        return
    report.sources.append(source)
    report.fingerprints += source.fingerprints
    if source.status == SourceStatus.INDEXED:
        report.indexed += 1
    elif source.status == SourceStatus.UNREADABLE:
        report.unreadable += 1
    else:
        report.empty += 1


def pending(session: Session, *, limit: int | None = None) -> list[tuple[str, int]]:
    """The queued versions, oldest first."""
    q = select(PendingIndex.document_id, PendingIndex.version_number).order_by(
        PendingIndex.queued_at, PendingIndex.document_id, PendingIndex.version_number
    )
    if limit is not None:
        q = q.limit(limit)
    return [(d, int(v)) for d, v in session.execute(q).all()]


def stale(session: Session, *, limit: int | None = None) -> list[tuple[str, int]]:
    """Document versions fingerprinted with other parameters than this version's (after an
    upgrade that changed them): the worker fingerprints them again, a batch at a time."""
    q = (
        select(Source.document_id, Source.version_number)
        .where(
            Source.params != PARAMS.key,
            Source.document_id.is_not(None),
            Source.version_number.is_not(None),
        )
        .order_by(Source.indexed_at, Source.id)
    )
    if limit is not None:
        q = q.limit(limit)
    return [(str(d), int(v)) for d, v in session.execute(q).all() if v is not None]


def index_pending(
    session: Session, *, actor: Actor, vault: vault_service.Vault, limit: int = 100
) -> IndexReport:
    """Fingerprint up to `limit` queued versions, oldest first."""
    actor.require(Permission.LEAKS_MANAGE, what="fingerprinting documents")
    report = IndexReport()
    for document_id, number in pending(session, limit=limit):
        _tally(
            report,
            index_version(
                session,
                actor=actor,
                vault=vault,
                document_id=document_id,
                version_number=number,
            ),
        )
    return report


def reindex(
    session: Session,
    *,
    actor: Actor,
    vault: vault_service.Vault,
    secret_ref: str | None = None,
) -> IndexReport:
    """Fingerprint again every stored version of a secret's documents (or of every secret's):
    after a change of parameters, or on demand."""
    actor.require(Permission.LEAKS_MANAGE, what="fingerprinting documents")
    docs = vault_service.list_documents(
        session, actor=actor, owner_type=SECRET_OWNER, owner_ref=secret_ref
    )
    report = IndexReport()
    for doc in sorted(docs, key=lambda d: (d.owner_label, d.created_at, d.id)):
        if doc.destroyed_at is not None:
            continue
        for version in doc.versions:
            if version.shredded:
                continue
            _tally(
                report,
                index_version(
                    session,
                    actor=actor,
                    vault=vault,
                    document_id=doc.id,
                    version_number=version.number,
                ),
            )
    return report


# --- honey strings (canary tokens) ------------------------------------------------------------


def register_text(
    session: Session,
    *,
    actor: Actor,
    token_id: str,
    secret_id: str,
    name: str,
    text: str,
) -> SourceRead:
    """Fingerprint a canary token's honey text as a source of its secret (replacing what the
    token had), so that a scan finds it. The text itself is not kept."""
    actor.require(Permission.LEAKS_MANAGE, what="registering a honey string")
    prints = fingerprint(text, name=name)
    if not len(prints):
        channel = PARAMS.channels[Channel.TEXT if prints.kind == "text" else Channel.STRUCTURE]
        raise Unreadable(
            f"the honey text of {name} is too short to fingerprint: give at least {channel.t} "
            f"words (a copy of {channel.t} words or more is always found)",
            field="text",
        )
    old = session.scalars(select(Source.id).where(Source.token_id == token_id)).all()
    _delete_sources(session, list(old))
    row = _store(
        session,
        prints=prints,
        status=SourceStatus.INDEXED,
        reason=None,
        name=name,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        secret_id=secret_id,
        token_id=token_id,
    )
    custody.record(
        session,
        actor=actor,
        event_type=EventType.DOCUMENT_FINGERPRINTED,
        subject_type="secret",
        subject_id=secret_id,
        details={"token_id": token_id, "name": name, "fingerprints": len(prints)},
    )
    return _read(row, fingerprints=len(prints), refs=_refs(session, [secret_id]))


def unregister_token(session: Session, *, actor: Actor, token_id: str) -> int:
    """Remove a token's honey fingerprints (a retired token); how many went."""
    actor.require(Permission.LEAKS_MANAGE, what="removing a honey string")
    rows = session.execute(
        select(Source.id, Source.secret_id).where(Source.token_id == token_id)
    ).all()
    if not rows:
        return 0
    removed = _delete_sources(session, [r[0] for r in rows])
    custody.record(
        session,
        actor=actor,
        event_type=EventType.FINGERPRINTS_REMOVED,
        subject_type="secret",
        subject_id=rows[0][1] or token_id,
        details={"token_id": token_id, "sources": len(rows), "fingerprints": removed},
    )
    return removed


def remove_document(session: Session, *, actor: Actor, document_id: str) -> int:
    """Remove a document's sources and fingerprints and its queued versions (a shredded
    document: no fingerprint outlives it); a FINGERPRINTS_REMOVED event when there were any."""
    ids = list(session.scalars(select(Source.id).where(Source.document_id == document_id)))
    queued_n = session.execute(
        delete(PendingIndex).where(PendingIndex.document_id == document_id)
    ).rowcount  # type: ignore[attr-defined]
    if not ids and not queued_n:
        return 0
    removed = _delete_sources(session, ids)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.FINGERPRINTS_REMOVED,
        subject_type="document",
        subject_id=document_id,
        details={"sources": len(ids), "fingerprints": removed, "queued": int(queued_n or 0)},
    )
    return removed


# --- reading ------------------------------------------------------------------------------------


def list_sources(
    session: Session,
    *,
    actor: Actor,
    secret_ref: str | None = None,
    page: PageParams | None = None,
) -> tuple[list[SourceRead], int]:
    """A page of the fingerprinted sources (of one secret), by secret then name, and how many
    there are."""
    actor.require(Permission.LEAKS_READ, what="reading the fingerprint index")
    page = page or PageParams()
    where = []
    if secret_ref:
        secret = inventory.get_plain(session, actor=actor, secret_ref=secret_ref)
        where.append(Source.secret_id == secret.id)
    total = session.scalar(select(func.count()).select_from(Source).where(*where)) or 0
    q = (
        select(Source)
        .where(*where)
        .order_by(Source.secret_id, Source.name, Source.version_number, Source.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    rows = list(session.scalars(q))
    counts = _counts(session, [r.id for r in rows])
    refs = _refs(session, [r.secret_id for r in rows])
    return [_read(r, fingerprints=counts.get(r.id, 0), refs=refs) for r in rows], int(total)


def source_rows(session: Session, ids: Iterable[str]) -> dict[str, SourceRead]:
    """Sources by id (for a scan's verdicts: names, secrets, documents)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = list(session.scalars(select(Source).where(Source.id.in_(wanted))))
    refs = _refs(session, [r.secret_id for r in rows])
    return {r.id: _read(r, fingerprints=0, refs=refs) for r in rows}


def fingerprinted_documents(session: Session, *, secret_id: str) -> int:
    """How many of a secret's documents have an indexed version (the secret page's line)."""
    n = session.scalar(
        select(func.count(func.distinct(Source.document_id))).where(
            Source.secret_id == secret_id,
            Source.status == SourceStatus.INDEXED.value,
            Source.document_id.is_not(None),
        )
    )
    return int(n or 0)


def status(session: Session, *, actor: Actor) -> IndexStatus:
    """The index at a glance."""
    actor.require(Permission.LEAKS_READ, what="reading the fingerprint index")
    by_status = dict(
        session.execute(select(Source.status, func.count()).group_by(Source.status)).all()
    )
    return IndexStatus(
        sources=sum(int(v) for v in by_status.values()),
        indexed=int(by_status.get(SourceStatus.INDEXED.value, 0)),
        unreadable=int(by_status.get(SourceStatus.UNREADABLE.value, 0)),
        empty=int(by_status.get(SourceStatus.EMPTY.value, 0)),
        honey=int(session.scalar(select(func.count()).where(Source.token_id.is_not(None))) or 0),
        documents=int(session.scalar(select(func.count(func.distinct(Source.document_id)))) or 0),
        secrets=int(session.scalar(select(func.count(func.distinct(Source.secret_id)))) or 0),
        fingerprints=int(session.scalar(select(func.count()).select_from(Fingerprint)) or 0),
        pending=int(session.scalar(select(func.count()).select_from(PendingIndex)) or 0),
        params=PARAMS.key,
        stale=int(
            session.scalar(
                select(func.count()).where(
                    Source.params != PARAMS.key, Source.status == SourceStatus.INDEXED.value
                )
            )
            or 0
        ),
    )


# --- the in-memory index a scan queries -------------------------------------------------------


@dataclass
class _Cached:
    index: Index = field(default_factory=Index)
    lock: threading.Lock = field(default_factory=threading.Lock)


_CACHE: dict[str, _Cached] = {}
_CACHE_LOCK = threading.Lock()
_LOAD_BATCH = 500


def _cache_for(session: Session) -> _Cached:
    key = session.get_bind().engine.url.render_as_string(hide_password=True)
    with _CACHE_LOCK:
        return _CACHE.setdefault(key, _Cached())


def load(session: Session) -> Index:
    """The indexed sources as an in-memory `Index` keyed by source id. Kept per database in
    the process and brought up to date on each call (sources added or removed since: only
    those are read), so a scan after the first reads just the source ids."""
    cached = _cache_for(session)
    ids = set(session.scalars(select(Source.id).where(Source.status == SourceStatus.INDEXED.value)))
    with cached.lock:
        index = cached.index
        for gone in set(index.keys()) - ids:
            index.remove(gone)
        new = sorted(sid for sid in ids if sid not in index)
        for start in range(0, len(new), _LOAD_BATCH):
            chunk = new[start : start + _LOAD_BATCH]
            meta = {
                r[0]: r
                for r in session.execute(
                    select(
                        Source.id, Source.kind, Source.language, Source.prints, Source.chars
                    ).where(Source.id.in_(chunk))
                ).all()
            }
            prints = session.execute(
                select(
                    Fingerprint.source_id,
                    Fingerprint.channel,
                    Fingerprint.hash,
                    Fingerprint.unit,
                    Fingerprint.start,
                    Fingerprint.end,
                )
                .where(Fingerprint.source_id.in_(chunk))
                .order_by(Fingerprint.source_id, Fingerprint.id)
            ).all()
            grouped: dict[str, list[Any]] = {sid: [] for sid in chunk}
            for row in prints:
                grouped[row[0]].append(row[1:])
            for sid in chunk:
                if sid in meta:
                    index.add(sid, _prints_of(meta[sid], grouped[sid]))
        index.build()
        return index


def _prints_of(meta: Any, rows: list[Any]) -> Prints:
    _, kind, language, packed, chars = meta
    arr = np.array(rows, dtype=np.int64).reshape(-1, 5)
    units = {int(k): int(v) for k, v in (packed or {}).get("units", {}).items()}
    return Prints(
        kind=kind,
        language=language,
        channel=arr[:, 0].astype(np.int8),
        hash=arr[:, 1].astype(np.int64),
        unit=arr[:, 2].astype(np.int32),
        start=arr[:, 3].astype(np.int32),
        end=arr[:, 4].astype(np.int32),
        units=units,
        line_starts=_unpack_lines((packed or {}).get("lines")),
        chars=int(chars or 0),
    )


def forget_cache() -> None:
    """Drop every process cache (tests that change the database under the process)."""
    with _CACHE_LOCK:
        _CACHE.clear()
