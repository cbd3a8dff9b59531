"""Alerts for triage's tests, written straight into the tables (as the scoring pipeline would):
the activity behind them, the alert and its evidence links."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.refs import next_ref
from crownjewels.monitoring.models import ActivityEvent, Alert, AlertEvent
from crownjewels.parties.schemas import PersonRead


def _next_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(ActivityEvent.id))) or 0) + 1


def add_events(
    session: Session,
    *,
    actor: str,
    person: PersonRead | None = None,
    secret_id: str | None = None,
    times: list[datetime],
    action: str = "download",
) -> list[ActivityEvent]:
    """One activity event per time, by the person (or an unknown actor)."""
    first = _next_event_id(session)
    rows = [
        ActivityEvent(
            id=first + i,
            occurred_at=at,
            received_at=at,
            actor=actor,
            person_id=person.id if person else None,
            organisation_id=person.organisation_id if person else None,
            action=action,
            resource=f"s3://plant-files/recipes/doc-{first + i}.pdf",
            secret_id=secret_id,
            document_id=None,
            bytes=120_000,
            ip="203.0.113.5",
            country="IN",
            device=None,
            source="s3",
            channel="api",
            custody_seq=None,
            details={},
        )
        for i, at in enumerate(times)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def make_alert(
    session: Session,
    *,
    person: PersonRead | None = None,
    actor: str | None = None,
    secret_ids: list[str] | None = None,
    rule_id: str = "bulk-download",
    severity: str = "high",
    status: str = "open",
    events: int = 6,
    at: datetime | None = None,
    history_days: int = 20,
) -> Alert:
    """An alert on `events` downloads in the hour before `at` (default: now), after a quiet
    habit of two downloads a day over the `history_days` before (the person's baseline)."""
    at = at or clock.now()
    who = actor or (person.email if person else "svc-backup@unknown.example")
    secret = (secret_ids or [None])[0]
    habit = [at - timedelta(days=d, hours=h) for d in range(1, history_days + 1) for h in (3, 5)]
    add_events(session, actor=who, person=person, secret_id=secret, times=habit)
    burst = add_events(
        session,
        actor=who,
        person=person,
        secret_id=secret,
        times=[at - timedelta(minutes=5 * k) for k in range(events, 0, -1)],
    )
    name = person.full_name if person else who
    row = Alert(
        ref=next_ref(session, Alert.ref, "AL-", 4),
        rule_id=rule_id,
        rule_version="2026.12.1",
        severity=severity,
        status=status,
        title=f"Bulk download by {name}",
        explanation=(
            f"{name} downloaded {events} documents in the last hour; "
            "their daily median is 2, their peers' 3"
        ),
        facts={"count": events, "median": 2, "peers_median": 3},
        person_id=person.id if person else None,
        organisation_id=person.organisation_id if person else None,
        actor=who,
        secret_ids=list(secret_ids or []),
        group_key=f"{rule_id}:{who}:{secret}",
        hits=1,
        first_event_at=burst[0].occurred_at,
        last_event_at=burst[-1].occurred_at,
        created_at=at,
        updated_at=at,
    )
    session.add(row)
    session.flush()
    session.add_all(AlertEvent(alert_id=row.id, event_id=e.id) for e in burst)
    session.flush()
    return row
