"""JSON API of the departure watch and the log reviews under /api/v1/monitoring: record a
notice (opens the watch), list, show, report, close; log reviews: ask for the due ones, list,
overdue, show, sign off, raise a concern."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, ConfigDict, Field

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.watch import service
from crownjewels.monitoring.watch.schemas import (
    DepartureReport,
    LogReviewRead,
    ReviewDecision,
    ReviewStatus,
    WatchRead,
    WatchStatus,
)

router = APIRouter(prefix="/monitoring", tags=["monitoring: departures and log reviews"])
Reader = Annotated[Actor, Depends(require(P.CUSTODY_READ))]
Hr = Annotated[Actor, Depends(require(P.PARTIES_WRITE))]
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]


class NoticeIn(BaseModel):
    """A person's notice of departure, as HR records it."""

    model_config = ConfigDict(extra="forbid")

    person: str = Field(min_length=1, max_length=320, description="email or id")
    notice_on: date
    last_day: date


class CloseIn(BaseModel):
    """Why the watch closes."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=2000)


class ReviewsAsk(BaseModel):
    """Ask owners for the reviews of the last complete period (as the worker does)."""

    model_config = ConfigDict(extra="forbid")

    on: date | None = None
    months: int | None = Field(default=None, ge=1, le=12)


@router.post(
    "/departures",
    response_model=WatchRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a notice of departure",
)
def give_notice(session: DbSession, actor: Hr, data: NoticeIn) -> WatchRead:
    """Sets the person's notice date and last day and opens (or updates) their watch with
    its 90-day look-back."""
    return service.give_notice(
        session,
        actor=actor,
        person_ref=data.person,
        notice_on=data.notice_on,
        last_day=data.last_day,
    )


@router.get("/departures", response_model=list[WatchRead], summary="List departure watches")
def list_watches(
    session: DbSession, actor: Reader, status: WatchStatus | None = None
) -> list[WatchRead]:
    """Every watch (or those open or closed), newest first."""
    return service.list_watches(session, actor=actor, status=status)


@router.get("/departures/{ref}", response_model=WatchRead, summary="One departure watch")
def show_watch(session: DbSession, actor: Reader, ref: str) -> WatchRead:
    """The watch with its look-back."""
    return service.get_watch(session, actor=actor, ref=ref)


@router.get("/departures/{ref}/report", response_model=DepartureReport, summary="Departure report")
def watch_report(session: DbSession, actor: Reader, ref: str) -> DepartureReport:
    """For HR and legal: activity, alerts, grants, agreements, exit acknowledgements."""
    return service.report(session, actor=actor, ref=ref)


@router.post("/departures/{ref}/close", response_model=WatchRead, summary="Close a watch")
def close_watch(session: DbSession, actor: Manager, ref: str, data: CloseIn) -> WatchRead:
    """Thresholds back to normal, with the reason."""
    return service.close_watch(session, actor=actor, ref=ref, reason=data.reason)


@router.post(
    "/reviews",
    response_model=list[LogReviewRead],
    status_code=status.HTTP_201_CREATED,
    summary="Ask owners for due log reviews",
)
def ask_reviews(
    session: DbSession, actor: Manager, settings: AppSettings, data: ReviewsAsk
) -> list[LogReviewRead]:
    """One review of the last complete period per active secret without one."""
    months = data.months or settings.monitoring_review_months
    return service.create_due(session, actor=actor, on=data.on, months=months)


@router.get("/reviews", response_model=list[LogReviewRead], summary="List log reviews")
def list_reviews(
    session: DbSession,
    actor: CurrentActor,
    status: ReviewStatus | None = None,
    overdue: bool = False,
) -> list[LogReviewRead]:
    """Readers of the custody log see all; an owner their own."""
    return service.list_reviews(session, actor=actor, status=status, overdue=overdue)


@router.get("/reviews/{ref}", response_model=LogReviewRead, summary="One log review")
def show_review(session: DbSession, actor: CurrentActor, ref: str) -> LogReviewRead:
    """The review with its summary."""
    return service.get_review(session, actor=actor, ref=ref)


@router.post("/reviews/{ref}/sign-off", response_model=LogReviewRead, summary="Sign off")
def sign_off(
    session: DbSession, actor: CurrentActor, ref: str, data: ReviewDecision
) -> LogReviewRead:
    """The owner saw nothing amiss."""
    return service.sign_off(session, actor=actor, ref=ref, comment=data.comment)


@router.post("/reviews/{ref}/concern", response_model=LogReviewRead, summary="Raise a concern")
def raise_concern(
    session: DbSession, actor: CurrentActor, ref: str, data: ReviewDecision
) -> LogReviewRead:
    """The owner saw something to look into (the comment says what)."""
    return service.raise_concern(session, actor=actor, ref=ref, comment=data.comment or "")
