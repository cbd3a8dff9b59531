"""The detector's memory between batches, kept in `monitoring_baseline` under the measure
`state`: one row per subject (a person, a peer group, an organisation) holding what the
detector's `state_of(subject)` returned, JSON as it is.

A person's subject is only ever touched by the scorer that holds that person (queue.py); a
peer group or an organisation is shared by the people in it, so its rows are read FOR UPDATE
(PostgreSQL), in a fixed order so that two scorers never wait for each other in a circle.
Rows that do not exist yet are created empty first (ON CONFLICT DO NOTHING), so there is a
row to lock."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crownjewels.monitoring.models import Baseline
from crownjewels.monitoring.scoring.among import among

#: the measure under which the detector's whole state of a subject is kept
MEASURE = "state"
#: the longest subject kept as it is (the column's width); a longer one (an unknown actor's
#: long name) is kept under a digest of it
LONGEST = 120


def key_of(subject: str) -> str:
    """The stored key of a subject: itself, or `digest:<sha256>` when too long."""
    if len(subject) <= LONGEST:
        return subject
    return "digest:" + hashlib.sha256(subject.encode()).hexdigest()


def _float(value: Any) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


def _versions(session: Session, keys: Sequence[str]) -> dict[str, datetime]:
    """When each existing row of these keys was last written, the rows locked FOR UPDATE on
    PostgreSQL (in key order, so two scorers never wait for each other in a circle)."""
    found: dict[str, datetime] = {}
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        query = (
            select(Baseline.subject, Baseline.updated_at)
            .where(Baseline.measure == MEASURE, among(session, Baseline.subject, chunk))
            .order_by(Baseline.subject)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        found.update({subject: at for subject, at in session.execute(query)})
    return found


def _states(session: Session, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 2000):
        chunk = keys[start : start + 2000]
        query = select(Baseline.subject, Baseline.state).where(
            Baseline.measure == MEASURE, among(session, Baseline.subject, chunk)
        )
        found.update({subject: dict(data or {}) for subject, data in session.execute(query)})
    return found


def load(
    session: Session,
    subjects: Iterable[str],
    *,
    now: datetime,
    held: Mapping[str, datetime] | None = None,
) -> dict[str, dict[str, Any]]:
    """The stored state of each subject ({} for a subject never seen), locked for this
    transaction on PostgreSQL: the rows that exist are locked FOR UPDATE, the missing ones
    inserted empty (an insert locks its row; one another scorer inserted in the meantime is
    then locked too).

    `held`: the version (`updated_at`) of each subject whose state the caller's detector
    already holds, as it last saved it; those still at that version are left out of the
    answer (nobody else wrote them since), the others are read."""
    keys = {key_of(s): s for s in subjects}
    wanted = sorted(keys)
    if not wanted:
        return {}
    versions = _versions(session, wanted)
    missing = [k for k in wanted if k not in versions]
    if missing:
        postgresql = session.get_bind().dialect.name == "postgresql"
        insert = pg_insert if postgresql else sqlite_insert
        rows = [
            {
                "subject": k,
                "measure": MEASURE,
                "state": {},
                "median": 0.0,
                "mad": 0.0,
                "days": 0,
                "updated_at": now,
            }
            for k in missing
        ]
        if postgresql:
            statement = insert(Baseline).on_conflict_do_nothing().returning(Baseline.subject)
            inserted = set(session.scalars(statement, rows))
            raced = [k for k in missing if k not in inserted]
            versions.update(_versions(session, raced) if raced else {})
        else:
            session.execute(insert(Baseline).on_conflict_do_nothing(), rows)
    held = held or {}
    stale = [k for k in wanted if k in versions and held.get(keys[k]) != versions[k]]
    found = _states(session, stale) if stale else {}
    return {keys[k]: found.get(k, {}) for k in wanted if k not in versions or k in found}


def save(session: Session, states: Mapping[str, dict[str, Any]], *, now: datetime) -> None:
    """Store each subject's new state (the rows exist: `load` made them). A state that names
    its own `median`, `mad` and `days` (the detector's headline figures) fills those columns,
    which the pages read without unpacking the state."""
    rows = [
        {
            "subject": key_of(subject),
            "measure": MEASURE,
            "state": data,
            "median": _float(data.get("median")),
            "mad": _float(data.get("mad")),
            "days": int(_float(data.get("days"))),
            "updated_at": now,
        }
        for subject, data in states.items()
    ]
    if rows:  # by primary key, as one executemany
        session.execute(update(Baseline), rows)
