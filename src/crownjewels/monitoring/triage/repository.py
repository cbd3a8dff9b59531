"""Triage's queries: the alerts an actor may see (everyone's for alerts:read, a secret owner's
own secrets' otherwise), the queue's filters and counts, an alert's evidence and trail, the
per-rule decisions, and a person's events by day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, case, cast, false, func, or_, select
from sqlalchemy.orm import Session

from crownjewels.monitoring.models import ActivityEvent, Alert, AlertEvent, AlertNote
from crownjewels.monitoring.schemas import AlertStatus
from crownjewels.monitoring.triage.schemas import ACTIVE_STATUSES, StatusFilter


def _names_secret(secret_id: str) -> ColumnElement[bool]:
    # secret_ids is a JSON list of ULIDs: 26 characters that never occur inside another id,
    # so a substring of its text is an exact match on both engines
    return cast(Alert.secret_ids, String).contains(f'"{secret_id}"', autoescape=True)


def visible_to(owned_secret_ids: Sequence[str] | None) -> Select[Alert]:
    """Every alert (None: an alerts:read holder), or those naming one of the secrets owned."""
    query = select(Alert)
    if owned_secret_ids is None:
        return query
    if not owned_secret_ids:
        return query.where(false())
    return query.where(or_(*[_names_secret(s) for s in owned_secret_ids]))


def find(query: Select[Alert], session: Session, ref: str) -> Alert | None:
    """A visible alert by ref (AL-0007, any case) or id."""
    typed = ref.strip()
    return session.scalar(
        query.where((func.upper(Alert.ref) == typed.upper()) | (Alert.id == typed))
    )


def filtered(
    query: Select[Alert],
    *,
    status: StatusFilter | None = None,
    severity: str | None = None,
    secret_id: str | None = None,
    person_id: str | None = None,
    organisation_id: str | None = None,
    rule_id: str | None = None,
    assignee_id: str | None = None,
) -> Select[Alert]:
    """The query narrowed by the queue's filters (None: not filtered)."""
    if status == StatusFilter.ACTIVE:
        query = query.where(Alert.status.in_([s.value for s in ACTIVE_STATUSES]))
    elif status is not None and status != StatusFilter.ALL:
        query = query.where(Alert.status == status.value)
    if severity:
        query = query.where(Alert.severity == severity)
    if secret_id:
        query = query.where(_names_secret(secret_id))
    if person_id:
        query = query.where(Alert.person_id == person_id)
    if organisation_id:
        query = query.where(Alert.organisation_id == organisation_id)
    if rule_id:
        query = query.where(Alert.rule_id == rule_id)
    if assignee_id:
        query = query.where(Alert.assignee_person_id == assignee_id)
    return query


def queue_order(query: Select[Alert]) -> Select[Alert]:
    """Most severe first, then the latest activity first."""
    return query.order_by(_severity_rank().desc(), Alert.last_event_at.desc(), Alert.ref.desc())


def _severity_rank() -> ColumnElement[int]:
    return case({"critical": 3, "high": 2, "medium": 1, "low": 0}, value=Alert.severity, else_=0)


def count_by(session: Session, query: Select[Alert], column: Any) -> dict[str, int]:
    """How many alerts of the query fall on each value of `column` (status or severity)."""
    sub = query.subquery()
    rows = session.execute(select(sub.c[column.key], func.count()).group_by(sub.c[column.key]))
    return {str(value): int(n) for value, n in rows}


def evidence(session: Session, alert_id: str, limit: int) -> tuple[list[ActivityEvent], int]:
    """The events behind an alert, oldest first, at most `limit`, and how many there are."""
    ids = select(AlertEvent.event_id).where(AlertEvent.alert_id == alert_id)
    total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    rows = session.scalars(
        select(ActivityEvent)
        .where(ActivityEvent.id.in_(ids))
        .order_by(ActivityEvent.occurred_at, ActivityEvent.id)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def notes(session: Session, alert_id: str) -> list[AlertNote]:
    """The alert's trail, oldest first."""
    query = select(AlertNote).where(AlertNote.alert_id == alert_id)
    return list(session.scalars(query.order_by(AlertNote.at, AlertNote.id)))


def decisions_by_rule(session: Session, query: Select[Alert]) -> dict[str, dict[str, int]]:
    """For each rule of the visible alerts, how many alerts stand in each status."""
    sub = query.subquery()
    rows = session.execute(
        select(sub.c.rule_id, sub.c.status, func.count()).group_by(sub.c.rule_id, sub.c.status)
    )
    out: dict[str, dict[str, int]] = {}
    for rule_id, status, n in rows:
        out.setdefault(rule_id, {})[status] = int(n)
    return out


def dismissal_reasons(
    session: Session, query: Select[Alert], per_rule: int
) -> dict[str, list[str]]:
    """The latest dismissal reasons of each rule's visible alerts, newest first."""
    sub = query.subquery()
    rows = session.execute(
        select(sub.c.rule_id, AlertNote.body)
        .join(AlertNote, AlertNote.alert_id == sub.c.id)
        .where(AlertNote.kind == AlertStatus.DISMISSED.value)
        .order_by(AlertNote.at.desc(), AlertNote.id.desc())
    )
    out: dict[str, list[str]] = {}
    for rule_id, body in rows:
        reasons = out.setdefault(rule_id, [])
        if len(reasons) < per_rule:
            reasons.append(body)
    return out


def event_times(
    session: Session,
    *,
    person_id: str | None,
    actor: str,
    since: datetime,
    until: datetime,
) -> list[datetime]:
    """When the person (or, with no person, the actor as named) did anything in the window."""
    query = select(ActivityEvent.occurred_at).where(
        ActivityEvent.occurred_at >= since, ActivityEvent.occurred_at < until
    )
    if person_id:
        query = query.where(ActivityEvent.person_id == person_id)
    else:
        query = query.where(func.lower(ActivityEvent.actor) == actor.lower())
    return list(session.scalars(query))


def event_days(session: Session, alert_id: str) -> list[datetime]:
    """When the alert's events happened."""
    ids = select(AlertEvent.event_id).where(AlertEvent.alert_id == alert_id)
    return list(session.scalars(select(ActivityEvent.occurred_at).where(ActivityEvent.id.in_(ids))))
