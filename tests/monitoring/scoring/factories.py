"""Stored events for scoring's tests, written as storage writes them: an `activity_event` row
and its `monitoring_pending` row."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.monitoring.models import ActivityEvent, PendingScore

_ids = itertools.count(1_000_000)


def store_event(
    session: Session,
    *,
    actor: str,
    action: str = "download",
    person_id: str | None = None,
    organisation_id: str | None = None,
    secret_id: str | None = None,
    at: datetime | None = None,
    channel: str = "api",
    resource: str = "s3://bucket/recipes/one.pdf",
    **fields: Any,
) -> int:
    """One stored, queued event; returns its id."""
    event_id = next(_ids)
    at = at or clock.now()
    session.add(
        ActivityEvent(
            id=event_id,
            occurred_at=at,
            received_at=clock.now(),
            actor=actor,
            person_id=person_id,
            organisation_id=organisation_id,
            action=action,
            resource=resource,
            secret_id=secret_id,
            source=fields.pop("source", "s3"),
            channel=channel,
            details=fields.pop("details", {}),
            **fields,
        )
    )
    person_key = person_id or f"actor:{actor.lower()}"
    session.add(PendingScore(event_id=event_id, occurred_at=at, person_key=person_key))
    session.flush()
    return event_id
