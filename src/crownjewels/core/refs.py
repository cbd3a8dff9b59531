"""References a person reads and types (TS-0001, VN-0001, AG-2026-001, GR-000001 …): the next
one of a register, numbered under the append lock so two writers never take the same."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from crownjewels.core.db import append_lock


def next_ref(session: Session, column: InstrumentedAttribute[str], prefix: str, digits: int) -> str:
    """The next reference under `prefix`: one more than the rows whose `column` starts with it,
    zero-padded to `digits` (VN-0001, then VN-0002 …; past 9999 it grows to VN-10000).

    It takes the append lock (core.db) first, the one the custody log appends under: until the
    transaction ends no other writer can count the same rows, and the custody event the caller
    records takes no second lock, so there is no lock order to get wrong. References are never
    deleted, so the count is the highest number."""
    append_lock(session)
    taken = select(func.count()).where(column.startswith(prefix, autoescape=True))
    return f"{prefix}{(session.scalar(taken) or 0) + 1:0{digits}d}"
