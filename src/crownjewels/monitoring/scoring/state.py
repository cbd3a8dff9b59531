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


def _locked(session: Session, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored states of these keys, read FOR UPDATE on PostgreSQL, in key order."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(keys), 2000):
        query = (
            select(Baseline.subject, Baseline.state)
            .where(
                Baseline.measure == MEASURE,
                among(session, Baseline.subject, keys[start : start + 2000]),
            )
            .order_by(Baseline.subject)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        found.update({subject: dict(state or {}) for subject, state in session.execute(query)})
    return found


def load(session: Session, subjects: Iterable[str], *, now: datetime) -> dict[str, dict[str, Any]]:
    """The stored state of each subject ({} for a subject never seen), locked for this
    transaction on PostgreSQL: the rows that exist are read FOR UPDATE (in key order), the
    missing ones inserted empty (an insert locks its row); a row another scorer inserted in
    the meantime is then read FOR UPDATE too."""
    keys = {key_of(s): s for s in subjects}
    wanted = sorted(keys)
    if not wanted:
        return {}
    found = _locked(session, wanted)
    missing = [k for k in wanted if k not in found]
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
        statement = insert(Baseline).on_conflict_do_nothing().returning(Baseline.subject)
        inserted = set(session.scalars(statement, rows)) if postgresql else set(missing)
        if postgresql:
            raced = [k for k in missing if k not in inserted]
            found.update(_locked(session, raced) if raced else {})
        else:
            session.execute(insert(Baseline).on_conflict_do_nothing(), rows)
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
