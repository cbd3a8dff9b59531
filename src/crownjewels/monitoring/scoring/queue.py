"""Claiming the scoring queue (`monitoring_pending`) without scoring an event twice.

PostgreSQL, several scorers at once: a scorer looks at the head of the queue (the oldest
`limit` rows), takes a transaction-scoped advisory lock on each person key it finds there
(`pg_try_advisory_xact_lock`: never waits, so two scorers split the keys between them), and
claims the rows of the keys it locked, oldest first, `FOR UPDATE SKIP LOCKED`. One person's
events therefore go to one scorer at a time and in the order they happened, so their state
(baselines, what they were seen with) is read and written by one transaction at a time. The
rows are deleted in the transaction that stores their alerts: a scorer that dies leaves them
(and its locks go with its connection) for the next.

SQLite: one writer at a time already (a write unit of work holds the database's write lock
from BEGIN IMMEDIATE), so the oldest rows are simply taken."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.types import Text

from crownjewels.monitoring.models import PendingScore

#: the first key of the two-part advisory locks on person keys ("CJ" "MS": monitoring scorer)
LOCK_CLASS = 0x434A4D53 - 2**31

_HEAD = text(
    "SELECT person_key FROM (SELECT person_key, event_id FROM monitoring_pending "
    "ORDER BY event_id LIMIT :limit) AS head GROUP BY person_key ORDER BY min(event_id)"
)
_TRY_LOCK = text(
    "SELECT k FROM unnest(:keys) AS k WHERE pg_try_advisory_xact_lock(:cls, hashtext(k))"
).bindparams(bindparam("keys", type_=ARRAY(Text)))


@dataclass(frozen=True, slots=True)
class Claimed:
    """A queue row this transaction now owns."""

    event_id: int
    occurred_at: datetime
    person_key: str


def claim(session: Session, *, limit: int) -> list[Claimed]:
    """Up to `limit` queued rows for this transaction alone, in the order their events
    happened (by person: a person's rows are all this scorer's until it commits)."""
    if session.get_bind().dialect.name == "postgresql":
        return _claim_postgresql(session, limit)
    query = select(PendingScore.event_id, PendingScore.occurred_at, PendingScore.person_key)
    rows = session.execute(query.order_by(PendingScore.event_id).limit(limit)).all()
    return _ordered(rows)


def _claim_postgresql(session: Session, limit: int) -> list[Claimed]:
    keys = list(session.scalars(_HEAD, {"limit": limit}))
    if not keys:
        return []
    locked = list(session.scalars(_TRY_LOCK, {"keys": keys, "cls": LOCK_CLASS}))
    if not locked:
        return []  # another scorer has every person at the head of the queue
    query = (
        select(PendingScore.event_id, PendingScore.occurred_at, PendingScore.person_key)
        .where(PendingScore.person_key.in_(locked))
        .order_by(PendingScore.occurred_at, PendingScore.event_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _ordered(session.execute(query).all())


def _ordered(rows: Sequence[Row[int, datetime, str]]) -> list[Claimed]:
    claimed = [Claimed(r[0], r[1], r[2]) for r in rows]
    claimed.sort(key=lambda c: (c.occurred_at, c.event_id))
    return claimed


def release(session: Session, event_ids: list[int]) -> None:
    """Take scored rows off the queue (in the transaction that stored their alerts)."""
    for start in range(0, len(event_ids), 1000):
        chunk = event_ids[start : start + 1000]
        session.execute(delete(PendingScore).where(PendingScore.event_id.in_(chunk)))


def backlog(session: Session) -> int:
    """How many events wait to be scored."""
    return session.scalar(select(func.count()).select_from(PendingScore)) or 0
