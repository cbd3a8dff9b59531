"""Custody queries."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.custody.models import CustodyCheckpoint, CustodyEvent
from crownjewels.custody.schemas import EventFilter, EventType

E = CustodyEvent


#: read by every append: built once
_HEAD = select(E.seq, E.hash).order_by(E.seq.desc()).limit(1)


def head(session: Session) -> tuple[int, str] | None:
    """The last event's (seq, hash), or None for an empty log."""
    row = session.connection().execute(_HEAD).first()  # Core: the ORM adds nothing here
    return (row[0], row[1]) if row else None


def filtered(flt: EventFilter) -> Select[CustodyEvent]:
    """Events matching the filter, newest first."""
    query = select(E).order_by(E.seq.desc())
    if flt.subject_type:
        query = query.where(E.subject_type == flt.subject_type)
    if flt.subject_id:
        query = query.where(E.subject_id == flt.subject_id)
    if flt.actor:
        query = query.where(E.actor == flt.actor)
    if flt.event_type:
        query = query.where(E.event_type == flt.event_type)
    if flt.since:
        query = query.where(E.at_us >= clock.to_micros(flt.since))
    if flt.until:
        query = query.where(E.at_us < clock.to_micros(flt.until))
    return query


_CHAIN_SQL = (
    "SELECT seq, at_us, actor, event_type, subject_type, subject_id, prev_hash, details, hash "
    "FROM custody_event ORDER BY seq"
)


def chain_rows(session: Session, *, batch: int = 20_000) -> Generator[tuple[Any, ...], None, None]:
    """Every event's fields in seq order as plain DB-API tuples, fetched `batch` at a time
    (constant memory: a server-side cursor on PostgreSQL). Close the generator when stopping
    early, so that the cursor is closed at once."""
    connection = session.connection()
    dbapi: Any = connection.connection.dbapi_connection
    if connection.dialect.name == "postgresql":
        cursor = dbapi.cursor(name="crownjewels_custody_chain")
        cursor.itersize = batch
    else:
        cursor = dbapi.cursor()
        cursor.arraysize = batch
    try:
        cursor.execute(_CHAIN_SQL)
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def latest_checkpoint(session: Session) -> CustodyCheckpoint | None:
    """The checkpoint of the largest tree."""
    query = select(CustodyCheckpoint).order_by(CustodyCheckpoint.tree_size.desc()).limit(1)
    return session.scalars(query).first()


def checkpoints(session: Session, *, limit: int, offset: int = 0) -> list[CustodyCheckpoint]:
    """Checkpoints, largest tree first."""
    query = select(CustodyCheckpoint).order_by(CustodyCheckpoint.tree_size.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def checkpoint_count(session: Session) -> int:
    """How many checkpoints were signed."""
    return int(session.scalar(select(func.count()).select_from(CustodyCheckpoint)) or 0)


def covering_checkpoint(session: Session, seq: int) -> CustodyCheckpoint | None:
    """The smallest checkpoint whose tree holds event `seq`."""
    query = select(CustodyCheckpoint).where(CustodyCheckpoint.tree_size >= seq)
    return session.scalars(query.order_by(CustodyCheckpoint.tree_size).limit(1)).first()


def subject_events(session: Session, subject_type: str, subject_id: str) -> list[CustodyEvent]:
    """Every event of one subject, oldest first."""
    query = select(E).where(E.subject_type == subject_type, E.subject_id == subject_id)
    return list(session.scalars(query.order_by(E.seq)))


def _late_stamps() -> Select[str]:
    return select(E.subject_id).where(
        E.event_type == EventType.CHECKPOINT_TIMESTAMPED.value, E.subject_type == "checkpoint"
    )


def stamped_later(session: Session) -> set[int]:
    """Tree sizes of the checkpoints timestamped after signing (CHECKPOINT_TIMESTAMPED)."""
    return {int(s) for s in session.scalars(_late_stamps())}


def unstamped_checkpoints(session: Session, *, limit: int) -> list[CustodyCheckpoint]:
    """Checkpoints with no timestamp token in their row nor a CHECKPOINT_TIMESTAMPED event,
    oldest first."""
    later = stamped_later(session)
    query = (
        select(CustodyCheckpoint)
        .where(CustodyCheckpoint.timestamp_token.is_(None))
        .order_by(CustodyCheckpoint.tree_size)
    )
    found: list[CustodyCheckpoint] = []
    for row in session.scalars(query):
        if row.tree_size not in later:
            found.append(row)
            if len(found) >= limit:
                break
    return found


def late_stamp(session: Session, tree_size: int) -> CustodyEvent | None:
    """The newest CHECKPOINT_TIMESTAMPED event of a checkpoint."""
    query = (
        select(E)
        .where(
            E.event_type == EventType.CHECKPOINT_TIMESTAMPED.value,
            E.subject_type == "checkpoint",
            E.subject_id == str(tree_size),
        )
        .order_by(E.seq.desc())
        .limit(1)
    )
    return session.scalars(query).first()
