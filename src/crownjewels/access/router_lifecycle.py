"""JSON API of the grant lifecycle under /api/v1/access: access review campaigns (start, list,
show, decide an item, close, CSV export, overdue items) and offboarding (start, show, the exit
acknowledgement, the certificate statement, the 90-day access report as JSON or CSV)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from crownjewels.access import access_report, offboarding, reviews
from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, require
from crownjewels.core.permissions import Permission as P

router = APIRouter(prefix="/access", tags=["access lifecycle"])
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]
Decider = Annotated[Actor, Depends(require(P.GRANTS_DECIDE))]
GrantReader = Annotated[Actor, Depends(require(P.GRANTS_READ))]


class CampaignStart(BaseModel):
    """A new access review."""

    name: str = Field(min_length=3, max_length=200)
    due_on: date


class ItemDecision(BaseModel):
    """A reviewer's decision on one item."""

    decision: reviews.Decision
    note: str | None = Field(default=None, max_length=2000)


class OffboardStart(BaseModel):
    """Whom to offboard: a person or an organisation."""

    person: str | None = Field(default=None, max_length=320)
    organisation: str | None = Field(default=None, max_length=200)


class Acknowledgement(BaseModel):
    """Whose exit acknowledgement (an organisation's offboarding names the person)."""

    person: str | None = Field(default=None, max_length=320)


class Certificate(BaseModel):
    """The signed return-or-destruction statement (a file goes through the CLI or the page)."""

    statement: str = Field(min_length=20, max_length=20_000)


@router.post(
    "/reviews",
    response_model=reviews.CampaignRead,
    status_code=status.HTTP_201_CREATED,
    summary="Start an access review",
)
def start_review(
    session: DbSession, actor: Manager, settings: AppSettings, data: CampaignStart
) -> reviews.CampaignRead:
    """One item per approved or active grant, reviewed by the owner of its secret."""
    return reviews.start(
        session,
        actor=actor,
        name=data.name,
        due_on=data.due_on,
        unused_days=settings.access_unused_days,
    )


@router.get("/reviews", response_model=list[reviews.CampaignRead], summary="List access reviews")
def list_reviews(session: DbSession, actor: CurrentActor) -> list[reviews.CampaignRead]:
    """Every campaign with its progress."""
    return reviews.list_campaigns(session, actor=actor)


@router.get("/reviews/overdue", response_model=list[reviews.ItemRead], summary="Overdue items")
def overdue_items(session: DbSession, actor: CurrentActor) -> list[reviews.ItemRead]:
    """Undecided items of open campaigns past their due date."""
    return reviews.overdue(session, actor=actor)


@router.get("/reviews/{ref}", response_model=reviews.CampaignRead, summary="One access review")
def show_review(session: DbSession, actor: CurrentActor, ref: str) -> reviews.CampaignRead:
    """The campaign and its items (a reviewer sees their own)."""
    return reviews.get(session, actor=actor, campaign_ref=ref)


@router.get("/reviews/{ref}/export.csv", summary="Export an access review")
def export_review(session: DbSession, actor: CurrentActor, ref: str) -> Response:
    """The results, one CSV row per item."""
    text = reviews.export_csv(session, actor=actor, campaign_ref=ref)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{ref}.csv"'},
    )


@router.post("/reviews/items/{item_id}", response_model=reviews.ItemRead, summary="Decide an item")
def decide_item(
    session: DbSession, actor: Decider, item_id: str, data: ItemDecision
) -> reviews.ItemRead:
    """Confirm keeps the grant; revoke (with a note) revokes it. Only the item's reviewer."""
    return reviews.decide(
        session, actor=actor, item_id=item_id, decision=data.decision, note=data.note
    )


@router.post("/reviews/{ref}/close", response_model=reviews.CampaignRead, summary="Close a review")
def close_review(session: DbSession, actor: Manager, ref: str) -> reviews.CampaignRead:
    """Close the campaign; undecided items stay undecided."""
    return reviews.close(session, actor=actor, campaign_ref=ref)


@router.post(
    "/offboardings",
    response_model=offboarding.OffboardingRead,
    status_code=status.HTTP_201_CREATED,
    summary="Offboard a person or organisation",
)
def start_offboarding(
    session: DbSession, actor: Manager, data: OffboardStart
) -> offboarding.OffboardingRead:
    """Revoke every live grant of the person or organisation and open the record."""
    return offboarding.offboard(
        session, actor=actor, person=data.person, organisation=data.organisation
    )


@router.get(
    "/offboardings", response_model=list[offboarding.OffboardingRead], summary="List offboardings"
)
def list_offboardings(session: DbSession, actor: GrantReader) -> list[offboarding.OffboardingRead]:
    """Every offboarding, newest first."""
    return offboarding.list_offboardings(session, actor=actor)


@router.get(
    "/offboardings/{ref}", response_model=offboarding.OffboardingRead, summary="One offboarding"
)
def show_offboarding(
    session: DbSession, actor: GrantReader, ref: str
) -> offboarding.OffboardingRead:
    """The record."""
    return offboarding.get(session, actor=actor, ref=ref)


@router.post(
    "/offboardings/{ref}/acknowledgement",
    response_model=offboarding.OffboardingRead,
    summary="Record the exit acknowledgement",
)
def acknowledge(
    session: DbSession, actor: CurrentActor, ref: str, data: Acknowledgement
) -> offboarding.OffboardingRead:
    """The person themselves, or a grants:manage holder recording a signed copy."""
    return offboarding.acknowledge_exit(session, actor=actor, ref=ref, person=data.person)


@router.post(
    "/offboardings/{ref}/certificate",
    response_model=offboarding.OffboardingRead,
    summary="Collect the return-or-destruction statement",
)
def certify(
    session: DbSession, actor: Manager, ref: str, data: Certificate
) -> offboarding.OffboardingRead:
    """The signed statement is kept with its SHA-256."""
    return offboarding.certify(session, actor=actor, ref=ref, statement=data.statement)


@router.get("/offboardings/{ref}/report", summary="What they accessed")
def report(
    session: DbSession,
    actor: GrantReader,
    ref: str,
    days: Annotated[int, Query(ge=1, le=3650)] = access_report.REPORT_DAYS,
    format_: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> Response:
    """Copies issued, documents read and denials of the last `days`, as JSON or CSV."""
    found = offboarding.report(session, actor=actor, ref=ref, days=days)
    if format_ == "csv":
        return Response(access_report.to_csv(found), media_type="text/csv; charset=utf-8")
    return Response(found.model_dump_json(), media_type="application/json")
