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
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crownjewels.monitoring.models import Baseline

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


def load(session: Session, subjects: Iterable[str], *, now: datetime) -> dict[str, dict[str, Any]]:
    """The stored state of each subject ({} for a subject never seen), locked for this
    transaction on PostgreSQL."""
    keys = {key_of(s): s for s in subjects}
    wanted = sorted(keys)
    if not wanted:
        return {}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = [
            {
                "subject": s,
                "measure": MEASURE,
                "state": {},
                "median": 0.0,
                "mad": 0.0,
                "days": 0,
                "updated_at": now,
            }
            for s in chunk
        ]
        session.execute(insert(Baseline).values(rows).on_conflict_do_nothing())
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(Baseline.subject, Baseline.state)
            .where(Baseline.measure == MEASURE, Baseline.subject.in_(wanted[start : start + 500]))
            .order_by(Baseline.subject)
        )
        if dialect == "postgresql":
            query = query.with_for_update()
        found.update({subject: dict(state or {}) for subject, state in session.execute(query)})
    return {keys[k]: found.get(k, {}) for k in wanted}


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
