"""Storing activity: ids, the month partitions (PostgreSQL), the scoring queue, the wake-up of
the scorers, and retention.

- Ids: PostgreSQL draws them from the sequence `activity_event_id_seq` (one round trip per
  batch); SQLite keeps the last id given in the cursor row `activity-ids`, advanced under the
  write lock every write unit of work holds (BEGIN IMMEDIATE), so ids are never given twice,
  even after retention has removed the newest rows' elders.
- Partitions (PostgreSQL): `activity_event_pYYYY_MM` for each month a batch touches is created
  before the insert. Rows of that month already in the default partition (stored before the
  partition existed: by an older version, or by hand) are moved into the new partition in the
  same transaction, since PostgreSQL refuses to create a partition whose rows sit in the
  default one.
- Every stored event gets a `monitoring_pending` row (the scoring queue), and on PostgreSQL a
  NOTIFY on `monitoring_events`, which PostgreSQL delivers at commit, waking the scorers.
- Retention (`CROWNJEWELS_MONITORING_RETENTION_DAYS`, default 400): PostgreSQL drops each month
  partition that ends before the cut-off (whole months: evidence is never deleted row by row);
  SQLite deletes the rows before the cut-off (it has no partitions, and no delete trigger).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, insert, select, text, update
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.db import append_lock
from crownjewels.monitoring.models import ActivityEvent, Cursor, PendingScore

#: the NOTIFY channel scorers LISTEN on
CHANNEL = "monitoring_events"
#: the SQLite cursor row holding the last event id given
IDS_CURSOR = "activity-ids"
#: rows per INSERT statement (a whole batch of 10,000 on PostgreSQL, where a statement takes
#: one array per column; SQLite's executemany goes in chunks of this size too)
CHUNK = 10_000
#: pg_advisory_xact_lock key serializing partition changes ("CJMONPRT" as a 64-bit integer)
PARTITION_LOCK_KEY = int.from_bytes(b"CJMONPRT", "big") - 2**63


def person_key(person_id: str | None, actor: str) -> str:
    """The scoring queue's key of an event: its person, or its unknown actor lower-cased."""
    return person_id if person_id else f"actor:{actor.strip().lower()}"[:340]


def _is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def allocate_ids(session: Session, count: int) -> list[int]:
    """`count` new event ids, increasing."""
    if count <= 0:
        return []
    if _is_postgresql(session):
        query = text("SELECT nextval('activity_event_id_seq') FROM generate_series(1, :n)")
        return sorted(session.scalars(query, {"n": count}))
    append_lock(session)  # SQLite: the write unit of work already holds the write lock
    last = session.scalar(select(Cursor.position).where(Cursor.name == IDS_CURSOR))
    if last is None:
        # first use (or a database from before the cursor): start after any stored event
        last = session.scalar(select(ActivityEvent.id).order_by(ActivityEvent.id.desc())) or 0
        session.add(Cursor(name=IDS_CURSOR, position=last + count, updated_at=clock.now()))
    else:
        session.execute(
            update(Cursor)
            .where(Cursor.name == IDS_CURSOR)
            .values(position=last + count, updated_at=clock.now())
        )
    session.flush()
    return list(range(last + 1, last + count + 1))


def month_of(at: datetime) -> date:
    """The first day of the (UTC) month of a moment."""
    at = at.astimezone(UTC)
    return date(at.year, at.month, 1)


def next_month(first: date) -> date:
    """The first day of the month after."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def partition_name(first: date) -> str:
    """The partition table of a month: activity_event_p2026_12."""
    return f"activity_event_p{first.year:04d}_{first.month:02d}"


def existing_partitions(connection: Connection) -> dict[str, tuple[datetime, datetime]]:
    """The month partitions of activity_event and their bounds (the default one left out)."""
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent "
            "WHERE p.relname = 'activity_event' AND c.relname LIKE 'activity_event_p____\\___'"
        )
    ).all()
    out = {}
    for name, _bound in rows:
        year, month = int(name[-7:-3]), int(name[-2:])
        first = date(year, month, 1)
        out[name] = (_midnight(first), _midnight(next_month(first)))
    return out


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def ensure_partitions(session: Session, months: Iterable[date]) -> list[str]:
    """Create the month partitions a batch needs (PostgreSQL; nothing on SQLite); returns the
    names created. Rows of such a month in the default partition are moved into it."""
    if not _is_postgresql(session):
        return []
    wanted = {partition_name(m): m for m in months}
    # asked of the catalogue every batch (one query): a cache could outlive a rolled-back
    # savepoint that created the partition, and the rows would land in the default partition
    connection = session.connection()
    present = existing_partitions(connection)
    missing = {name: m for name, m in wanted.items() if name not in present}
    if not missing:
        return []
    # two batches creating the same month queue here; the second finds it made
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PARTITION_LOCK_KEY})
    present = existing_partitions(connection)
    created = []
    for name, first in sorted(missing.items()):
        if name not in present:
            _create_partition(connection, name, first)
            created.append(name)
    return created


def _create_partition(connection: Connection, name: str, first: date) -> None:
    # `name` and the bounds are built from a date here, never from input: DDL takes no parameters
    lower, upper = _midnight(first), _midnight(next_month(first))
    bounds = f"FROM ('{lower.isoformat()}') TO ('{upper.isoformat()}')"
    span = {"lo": lower, "hi": upper}
    stranded = connection.execute(
        text(
            "SELECT EXISTS (SELECT 1 FROM activity_event_pdefault "
            "WHERE occurred_at >= :lo AND occurred_at < :hi)"
        ),
        span,
    ).scalar()
    if not stranded:
        connection.execute(
            text(f"CREATE TABLE {name} PARTITION OF activity_event FOR VALUES {bounds}")
        )
        return
    # The month's rows sit in the default partition: copy them into a new table, remove them
    # from the default one (its append-only trigger is set aside for that one statement: the
    # rows are moved, not deleted), then attach the table as the month's partition.
    connection.execute(
        text(f"CREATE TABLE {name} (LIKE activity_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    move = f"INSERT INTO {name} SELECT * FROM activity_event_pdefault WHERE "  # noqa: S608 (a name made from a date)
    connection.execute(text(move + "occurred_at >= :lo AND occurred_at < :hi"), span)
    trigger = "activity_event_no_update_delete"
    connection.execute(text(f"ALTER TABLE activity_event_pdefault DISABLE TRIGGER {trigger}"))
    connection.execute(
        text("DELETE FROM activity_event_pdefault WHERE occurred_at >= :lo AND occurred_at < :hi"),
        span,
    )
    connection.execute(text(f"ALTER TABLE activity_event_pdefault ENABLE TRIGGER {trigger}"))
    connection.execute(
        text(f"ALTER TABLE activity_event ATTACH PARTITION {name} FOR VALUES {bounds}")
    )


#: (column, PostgreSQL type) of each table's bulk insert
EVENT_COLUMNS = (
    ("id", "bigint"), ("occurred_at", "timestamptz"), ("received_at", "timestamptz"),
    ("actor", "text"), ("person_id", "text"), ("organisation_id", "text"), ("action", "text"),
    ("resource", "text"), ("secret_id", "text"), ("document_id", "text"), ("bytes", "bigint"),
    ("ip", "text"), ("country", "text"), ("device", "text"), ("source", "text"),
    ("channel", "text"), ("custody_seq", "bigint"), ("details", "json"),
)  # fmt: skip
PENDING_COLUMNS = (("event_id", "bigint"), ("occurred_at", "timestamptz"), ("person_key", "text"))


def _recordset_insert(table: str, columns: Sequence[tuple[str, str]]) -> str:
    names = ", ".join(name for name, _ in columns)
    typed = ", ".join(f"{name} {kind}" for name, kind in columns)
    # names and types are this module's constants, never input
    source = f"json_to_recordset(%s::json) AS t({typed})"
    return f"INSERT INTO {table} ({names}) SELECT {names} FROM {source}"  # noqa: S608


_BULK_SQL = {
    "activity_event": _recordset_insert("activity_event", EVENT_COLUMNS),
    "monitoring_pending": _recordset_insert("monitoring_pending", PENDING_COLUMNS),
}


def _moment(value: object) -> str:
    """A moment as JSON text, in UTC (the only non-JSON value a row holds)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use crownjewels.core.clock.now()")
        return value.astimezone(UTC).isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _insert_json(connection: Connection, table: str, rows: Sequence[dict[str, Any]]) -> None:
    """PostgreSQL: one INSERT ... SELECT FROM json_to_recordset per CHUNK rows: the rows go as
    one JSON text that the server unpacks (the driver's executemany sends a statement per row,
    and binding arrays or a 10,000-row VALUES spends its time formatting values in Python)."""
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        payload = json.dumps(chunk, separators=(",", ":"), default=_moment)
        connection.exec_driver_sql(_BULK_SQL[table], (payload,))


@dataclass(frozen=True)
class Stored:
    """What one call of `store` wrote."""

    ids: list[int]
    partitions_created: list[str]


def store(session: Session, rows: Sequence[dict[str, Any]]) -> Stored:
    """Insert mapped events (dicts of activity_event's columns without `id`) and queue each
    for scoring; on PostgreSQL the scorers are woken at commit. Returns the ids, in order."""
    if not rows:
        return Stored(ids=[], partitions_created=[])
    created = ensure_partitions(session, {month_of(r["occurred_at"]) for r in rows})
    ids = allocate_ids(session, len(rows))
    connection = session.connection()
    pending = [
        {
            "event_id": i,
            "occurred_at": row["occurred_at"],
            "person_key": person_key(row.get("person_id"), row["actor"]),
        }
        for row, i in zip(rows, ids, strict=True)
    ]
    events = [{**row, "id": i} for row, i in zip(rows, ids, strict=True)]
    if connection.dialect.name == "postgresql":
        _insert_json(connection, "activity_event", events)
        _insert_json(connection, "monitoring_pending", pending)
    else:
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(ActivityEvent), events[start : start + CHUNK])
            connection.execute(insert(PendingScore), pending[start : start + CHUNK])
    if connection.dialect.name == "postgresql":
        # delivered when the transaction commits; several in one transaction fold into one
        connection.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(len(ids))})
    return Stored(ids=ids, partitions_created=created)


@dataclass(frozen=True)
class Purged:
    """What retention removed: whole month partitions (PostgreSQL) or rows (SQLite)."""

    cutoff: datetime
    partitions: list[str]
    rows: int


def purge_before(session: Session, cutoff: datetime) -> Purged:
    """Remove activity that occurred before `cutoff`: on PostgreSQL the month partitions that
    end on or before it (a month is kept while any of its days is within retention); on SQLite
    the rows. Their scoring-queue rows go with them."""
    session.execute(delete(PendingScore).where(PendingScore.occurred_at < cutoff))
    if not _is_postgresql(session):
        result = session.execute(delete(ActivityEvent).where(ActivityEvent.occurred_at < cutoff))
        return Purged(cutoff=cutoff, partitions=[], rows=int(getattr(result, "rowcount", 0) or 0))
    connection = session.connection()
    connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PARTITION_LOCK_KEY})
    dropped, rows = [], 0
    for name, (_lower, upper) in sorted(existing_partitions(connection).items()):
        if upper <= cutoff:
            count = f"SELECT count(*) FROM {name}"  # noqa: S608 (a partition's own name)
            rows += int(connection.execute(text(count)).scalar() or 0)
            connection.execute(text(f"ALTER TABLE activity_event DETACH PARTITION {name}"))
            connection.execute(text(f"DROP TABLE {name}"))
            dropped.append(name)
    rows += _purge_default(connection, cutoff)
    return Purged(cutoff=cutoff, partitions=dropped, rows=rows)


def _purge_default(connection: Connection, cutoff: datetime) -> int:
    """Rows past retention left in the default partition (stored before their month had a
    partition, and never moved since): removed with its append-only trigger set aside for
    that one statement, as retention would have dropped them with their month."""
    span = {"cutoff": cutoff}
    old = "FROM activity_event_pdefault WHERE occurred_at < :cutoff"
    count = int(connection.execute(text("SELECT count(*) " + old), span).scalar() or 0)
    if count:
        trigger = "activity_event_no_update_delete"
        connection.execute(text(f"ALTER TABLE activity_event_pdefault DISABLE TRIGGER {trigger}"))
        connection.execute(text("DELETE " + old), span)
        connection.execute(text(f"ALTER TABLE activity_event_pdefault ENABLE TRIGGER {trigger}"))
    return count


def retention_cutoff(days: int, *, now: datetime | None = None) -> datetime:
    """The moment before which activity is past a retention of `days`."""
    return (now or clock.now()) - timedelta(days=days)
