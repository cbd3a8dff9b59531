"""Every query of the departure watch, the heightened watches and the log reviews over
monitoring's own tables."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, case, cast, distinct, func, select
from sqlalchemy.orm import Session

from crownjewels.monitoring.models import (
    ActivityEvent,
    Alert,
    DepartureWatch,
    HeightenedWatch,
    LogReview,
)
from crownjewels.monitoring.schemas import Action
from crownjewels.monitoring.watch.lookback import TAKE_ACTIONS, DayTotals
from crownjewels.monitoring.watch.schemas import ReviewStatus, WatchStatus


def watch(session: Session, ref: str) -> DepartureWatch | None:
    """A watch by its ref (DW-0001), case-insensitively."""
    return session.scalar(
        select(DepartureWatch).where(func.upper(DepartureWatch.ref) == ref.strip().upper())
    )


def open_watch_of(session: Session, person_id: str) -> DepartureWatch | None:
    """The person's open watch, if any."""
    return session.scalar(
        select(DepartureWatch).where(
            DepartureWatch.person_id == person_id, DepartureWatch.status == WatchStatus.OPEN
        )
    )


def latest_watch_of(session: Session, person_id: str) -> DepartureWatch | None:
    """The person's most recent watch (open or closed)."""
    return session.scalar(
        select(DepartureWatch)
        .where(DepartureWatch.person_id == person_id)
        .order_by(DepartureWatch.opened_at.desc(), DepartureWatch.ref.desc())
        .limit(1)
    )


def watches(session: Session, status: WatchStatus | None = None) -> list[DepartureWatch]:
    """Watches, newest first."""
    query = select(DepartureWatch).order_by(DepartureWatch.opened_at.desc())
    if status is not None:
        query = query.where(DepartureWatch.status == status)
    return list(session.scalars(query))


def heightened_people(session: Session, today: date) -> set[str]:
    """People with an open watch whose last day has not passed."""
    query = select(DepartureWatch.person_id).where(
        DepartureWatch.status == WatchStatus.OPEN, DepartureWatch.last_day >= today
    )
    return set(session.scalars(query))


def live_heightened(
    session: Session,
    now: datetime,
    *,
    reference: str | None = None,
    person_ids: Iterable[str] | None = None,
) -> list[HeightenedWatch]:
    """Heightened watches not ended and not past their `until`, oldest first (of one reference,
    of some people)."""
    query = select(HeightenedWatch).where(
        HeightenedWatch.ended_at.is_(None),
        (HeightenedWatch.until.is_(None)) | (HeightenedWatch.until > now),
    )
    if reference is not None:
        query = query.where(HeightenedWatch.reference == reference)
    if person_ids is not None:
        query = query.where(HeightenedWatch.person_id.in_(list(person_ids)))
    return list(session.scalars(query.order_by(HeightenedWatch.started_at, HeightenedWatch.id)))


def watches_ended_before(session: Session, day: date) -> list[DepartureWatch]:
    """Open watches whose last day was before `day`."""
    query = select(DepartureWatch).where(
        DepartureWatch.status == WatchStatus.OPEN, DepartureWatch.last_day < day
    )
    return list(session.scalars(query))


#: what other capabilities (and the look-back itself) report: not something the person did
SIGNAL = Action.SIGNAL.value


def _utc_day(session: Session) -> ColumnElement[Any]:
    """The UTC day of an event: PostgreSQL keeps a timestamptz (the session's zone must not
    move the day), SQLite the UTC text that `date()` cuts."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.timezone("UTC", ActivityEvent.occurred_at), Date)
    return func.date(ActivityEvent.occurred_at)


def daily_totals(
    session: Session, person_ids: Iterable[str], since: datetime, until: datetime
) -> dict[str, dict[date, DayTotals]]:
    """Per person and UTC day in [since, until): events, takes (downloads, copies, prints,
    exports, shares), bytes taken, distinct documents taken; summed in the database, one row
    per person-day."""
    ids = list(person_ids)
    out: dict[str, dict[date, DayTotals]] = defaultdict(dict)
    if not ids:
        return out
    day = _utc_day(session)
    take = ActivityEvent.action.in_([str(a) for a in TAKE_ACTIONS])
    thing = func.coalesce(ActivityEvent.document_id, ActivityEvent.resource)
    query = (
        select(
            ActivityEvent.person_id,
            day,
            func.count(),
            func.sum(case((take, 1), else_=0)),
            func.sum(case((take, func.coalesce(ActivityEvent.bytes, 0)), else_=0)),
            func.count(distinct(case((take, thing), else_=None))),
        )
        .where(
            ActivityEvent.person_id.in_(ids),
            ActivityEvent.occurred_at >= since,
            ActivityEvent.occurred_at < until,
            ActivityEvent.action != SIGNAL,
        )
        .group_by(ActivityEvent.person_id, day)
    )
    for pid, when, events, taken, size, documents in session.execute(query):
        on = when if isinstance(when, date) else date.fromisoformat(str(when))
        out[pid][on] = DayTotals(int(events), int(taken or 0), int(size or 0), int(documents))
    return out


def person_activity(
    session: Session, person_id: str, since: datetime, until: datetime
) -> list[tuple[str | None, str | None, str, int, int, datetime, datetime]]:
    """The person's events in [since, until) per (secret, resource when unclassified, action):
    count, bytes, first and last."""
    resource = func.coalesce(ActivityEvent.secret_id, ActivityEvent.resource)
    query = (
        select(
            ActivityEvent.secret_id,
            resource,
            ActivityEvent.action,
            func.count(),
            func.coalesce(func.sum(ActivityEvent.bytes), 0),
            func.min(ActivityEvent.occurred_at),
            func.max(ActivityEvent.occurred_at),
        )
        .where(
            ActivityEvent.person_id == person_id,
            ActivityEvent.occurred_at >= since,
            ActivityEvent.occurred_at < until,
            ActivityEvent.action != SIGNAL,
        )
        .group_by(ActivityEvent.secret_id, resource, ActivityEvent.action)
    )
    # PostgreSQL sums a bigint to a numeric (a Decimal): back to an int, as on SQLite
    return [
        (s, r, a, int(n), int(b or 0), f, last) for s, r, a, n, b, f, last in session.execute(query)
    ]


def secret_activity(
    session: Session, secret_id: str, since: datetime, until: datetime
) -> list[tuple[str | None, str, str, int, int]]:
    """A secret's events in [since, until) per (person, actor, action): count and bytes."""
    query = (
        select(
            ActivityEvent.person_id,
            ActivityEvent.actor,
            ActivityEvent.action,
            func.count(),
            func.coalesce(func.sum(ActivityEvent.bytes), 0),
        )
        .where(
            ActivityEvent.secret_id == secret_id,
            ActivityEvent.occurred_at >= since,
            ActivityEvent.occurred_at < until,
        )
        .group_by(ActivityEvent.person_id, ActivityEvent.actor, ActivityEvent.action)
    )
    return [(p, a, act, int(n), int(b or 0)) for p, a, act, n, b in session.execute(query)]


def alerts_of_person(session: Session, person_id: str, since: datetime) -> list[Alert]:
    """Alerts naming the person with events since `since`, newest first."""
    query = (
        select(Alert)
        .where(Alert.person_id == person_id, Alert.last_event_at >= since)
        .order_by(Alert.last_event_at.desc())
    )
    return list(session.scalars(query))


def alerts_between(session: Session, since: datetime, until: datetime) -> list[Alert]:
    """Alerts whose events fall (at least partly) in [since, until): the secret is matched by
    the caller (the alert's secrets are a JSON list, read alike on both engines)."""
    query = (
        select(Alert)
        .where(Alert.last_event_at >= since, Alert.first_event_at < until)
        .order_by(Alert.first_event_at)
    )
    return list(session.scalars(query))


def review(session: Session, ref: str) -> LogReview | None:
    """A log review by its ref (LR-0001), case-insensitively."""
    return session.scalar(select(LogReview).where(func.upper(LogReview.ref) == ref.strip().upper()))


def reviews(
    session: Session,
    *,
    reviewer: str | None = None,
    secret_ids: Iterable[str] | None = None,
    status: ReviewStatus | None = None,
    overdue_on: date | None = None,
) -> list[LogReview]:
    """Reviews, newest period first, filtered."""
    query = select(LogReview).order_by(LogReview.period_start.desc(), LogReview.ref.desc())
    if reviewer is not None:
        query = query.where(LogReview.reviewer_person_id == reviewer)
    if secret_ids is not None:
        query = query.where(LogReview.secret_id.in_(list(secret_ids)))
    if status is not None:
        query = query.where(LogReview.status == status)
    if overdue_on is not None:
        query = query.where(LogReview.status == ReviewStatus.DUE, LogReview.due_on < overdue_on)
    return list(session.scalars(query))


def reviewed_secrets(session: Session, period_start: date) -> set[str]:
    """Secrets that already have a review of the period starting `period_start`."""
    query = select(LogReview.secret_id).where(LogReview.period_start == period_start)
    return set(session.scalars(query))
