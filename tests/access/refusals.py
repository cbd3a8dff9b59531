"""What the custody log kept of refused accesses: the tests of every edge (API, pages, CLI,
portal, the manual ledger record) ask it after a 403 or an exit code 1."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent


def refusals(db: Database, person_id: str) -> list[dict[str, Any]]:
    """The details of every ACCESS_DENIED event about the person, oldest first; the chain is
    checked whole on the way (a durable append must link like any other)."""
    with db.unit_of_work(write=False) as session:
        assert custody.verify(session, actor=system_actor("test")).ok
        rows = session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.event_type == "ACCESS_DENIED")
            .order_by(CustodyEvent.seq)
        ).all()
        found = [json.loads(row.details) for row in rows]
    return [d for d in found if d.get("person_id") == person_id]
