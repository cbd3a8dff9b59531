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

from crownjewels.monitoring.models import ActivityEvent, PendingScore
from crownjewels.monitoring.scoring.among import among

#: the first key of the two-part advisory locks on person keys ("CJ" "MS": monitoring scorer)
LOCK_CLASS = 0x434A4D53 - 2**31

#: how far into the queue a scorer looks for people no other scorer holds (× the batch size)
HEAD = 4

_HEAD = text(
    "SELECT person_key, count(*) FROM (SELECT person_key, event_id FROM monitoring_pending "
    "ORDER BY event_id LIMIT :window) AS head GROUP BY person_key ORDER BY min(event_id)"
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
    head = [(key, n) for key, n in session.execute(_HEAD, {"window": limit * HEAD})]
    locked = _lock_people(session, head, limit)
    if not locked:
        return []  # another scorer holds every person at the head of the queue
    query = (
        select(PendingScore.event_id, PendingScore.occurred_at, PendingScore.person_key)
        .where(among(session, PendingScore.person_key, locked))
        .order_by(PendingScore.occurred_at, PendingScore.event_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return _ordered(session.execute(query).all())


def _lock_people(session: Session, head: list[tuple[str, int]], limit: int) -> list[str]:
    """Lock the first people of the head, oldest first, until their rows fill a batch: each
    round tries just enough of the next ones (those another scorer holds are passed over), so
    a scorer does not hold people it will not score and the others find work."""
    locked: list[str] = []
    held = 0
    rest = head
    while rest and held < limit:
        need, take = limit - held, 0
        for _key, n in rest:
            take += 1
            need -= n
            if need <= 0:
                break
        chunk, rest = rest[:take], rest[take:]
        got = set(session.scalars(_TRY_LOCK, {"keys": [k for k, _ in chunk], "cls": LOCK_CLASS}))
        locked += [k for k, _ in chunk if k in got]
        held += sum(n for k, n in chunk if k in got)
    return locked


def _ordered(rows: Sequence[Row[int, datetime, str]]) -> list[Claimed]:
    claimed = [Claimed(r[0], r[1], r[2]) for r in rows]
    claimed.sort(key=lambda c: (c.occurred_at, c.event_id))
    return claimed


def release(session: Session, event_ids: list[int]) -> None:
    """Take scored rows off the queue (in the transaction that stored their alerts)."""
    for start in range(0, len(event_ids), 5000):
        chunk = event_ids[start : start + 5000]
        session.execute(delete(PendingScore).where(among(session, PendingScore.event_id, chunk)))


@dataclass(frozen=True, slots=True)
class Head:
    """The scoring queue seen from outside: its oldest event (id, when it was received) and
    its newest event's id. Ids are allocated in the order events are stored, so the ids from
    the oldest to the newest bound how many wait."""

    oldest_id: int
    received_at: datetime
    newest_id: int

    @property
    def queued(self) -> int:
        """At most this many events wait (fewer when some in between were scored first)."""
        return self.newest_id - self.oldest_id + 1


def head(session: Session) -> Head | None:
    """The queue's oldest and newest event (None: the queue is empty), in one statement of
    index lookups (the queue's key at both ends, the oldest event's (id, occurred_at) key)."""
    newest = select(func.max(PendingScore.event_id)).scalar_subquery()
    query = (
        select(PendingScore.event_id, ActivityEvent.received_at, newest.label("newest"))
        .join(
            ActivityEvent,
            (ActivityEvent.id == PendingScore.event_id)
            & (ActivityEvent.occurred_at == PendingScore.occurred_at),
        )
        .order_by(PendingScore.event_id)
        .limit(1)
    )
    row = session.execute(query).first()
    return Head(row.event_id, row.received_at, row.newest) if row else None


def backlog(session: Session) -> int:
    """How many events wait to be scored."""
    return session.scalar(select(func.count()).select_from(PendingScore)) or 0
