"""Small factories for the departure watch and log review tests: activity events and alerts
inserted directly (the intake and the scorer are other parts' business)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.monitoring.models import ActivityEvent, Alert

_alerts = itertools.count(1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of a day, UTC."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert activity events: each row gives at least `occurred_at` and `action`; the rest
    defaults to an unclassified view by an unknown actor."""
    first = (session.scalar(select(func.max(ActivityEvent.id))) or 0) + 1
    now = clock.now()
    values = [
        {
            "id": first + i,
            "received_at": now,
            "actor": "someone@example.com",
            "person_id": None,
            "organisation_id": None,
            "resource": "https://files.example.com/x",
            "secret_id": None,
            "document_id": None,
            "bytes": None,
            "ip": None,
            "country": None,
            "device": None,
            "source": "test",
            "channel": "api",
            "custody_seq": None,
            "details": {},
            **row,
        }
        for i, row in enumerate(rows)
    ]
    if values:
        session.execute(insert(ActivityEvent), values)


def daily(
    person_id: str,
    start: date,
    days: int,
    per_day: int,
    *,
    action: str = "view",
    secret_id: str | None = None,
    actor: str = "",
) -> list[dict[str, Any]]:
    """`per_day` events a day for `days` days from `start`, each on its own document."""
    return [
        {
            "occurred_at": at(start + timedelta(days=d), 9, n % 60),
            "action": action,
            "person_id": person_id,
            "actor": actor or f"{person_id}@example.com",
            "secret_id": secret_id,
            "document_id": f"doc-{d}-{n}",
            "bytes": 1000,
        }
        for d in range(days)
        for n in range(per_day)
    ]


def alert(
    session: Session,
    *,
    person_id: str | None,
    secret_ids: list[str],
    when: datetime,
    status: str = "open",
    title: str = "Bulk download",
    resolution: str | None = None,
) -> Alert:
    """An alert row as the scorer would store it."""
    n = next(_alerts)
    row = Alert(
        ref=f"AL-9{n:03d}",
        rule_id="bulk-download",
        rule_version="2026.12.1",
        severity="high",
        status=status,
        title=title,
        explanation="test",
        facts={},
        person_id=person_id,
        organisation_id=None,
        actor="someone",
        secret_ids=secret_ids,
        group_key=f"test-{n}",
        first_event_at=when,
        last_event_at=when,
        created_at=clock.now(),
        updated_at=clock.now(),
        resolution=resolution,
    )
    session.add(row)
    session.flush()
    return row
