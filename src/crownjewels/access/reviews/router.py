"""JSON API of access reviews under /api/v1/access/reviews: start, list, show, decide an item,
close, CSV export, overdue items."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from pydantic import BaseModel, Field

from crownjewels.access.reviews import schemas
from crownjewels.access.reviews import service as reviews
from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, attachment, require
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

    decision: schemas.Decision
    note: str | None = Field(default=None, max_length=2000)


@router.post(
    "/reviews",
    response_model=schemas.CampaignRead,
    status_code=status.HTTP_201_CREATED,
    summary="Start an access review",
)
def start_review(
    session: DbSession, actor: Manager, settings: AppSettings, data: CampaignStart
) -> schemas.CampaignRead:
    """One item per approved or active grant, reviewed by the owner of its secret."""
    return reviews.start(
        session,
        actor=actor,
        name=data.name,
        due_on=data.due_on,
        unused_days=settings.access_unused_days,
    )


@router.get("/reviews", response_model=list[schemas.CampaignRead], summary="List access reviews")
def list_reviews(session: DbSession, actor: CurrentActor) -> list[schemas.CampaignRead]:
    """Every campaign with its progress."""
    return reviews.list_campaigns(session, actor=actor)


@router.get("/reviews/overdue", response_model=list[schemas.ItemRead], summary="Overdue items")
def overdue_items(session: DbSession, actor: CurrentActor) -> list[schemas.ItemRead]:
    """Undecided items of open campaigns past their due date."""
    return reviews.overdue(session, actor=actor)


@router.get("/reviews/{ref}", response_model=schemas.CampaignRead, summary="One access review")
def show_review(session: DbSession, actor: CurrentActor, ref: str) -> schemas.CampaignRead:
    """The campaign and its items (a reviewer sees their own)."""
    return reviews.get(session, actor=actor, campaign_ref=ref)


@router.get("/reviews/{ref}/export.csv", summary="Export an access review")
def export_review(session: DbSession, actor: CurrentActor, ref: str) -> Response:
    """The results, one CSV row per item."""
    text = reviews.export_csv(session, actor=actor, campaign_ref=ref)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"{ref}.csv")},
    )


@router.post("/reviews/items/{item_id}", response_model=schemas.ItemRead, summary="Decide an item")
def decide_item(
    session: DbSession, actor: Decider, item_id: str, data: ItemDecision
) -> schemas.ItemRead:
    """Confirm keeps the grant; revoke (with a note) revokes it. Only the item's reviewer."""
    return reviews.decide(
        session, actor=actor, item_id=item_id, decision=data.decision, note=data.note
    )


@router.post("/reviews/{ref}/close", response_model=schemas.CampaignRead, summary="Close a review")
def close_review(session: DbSession, actor: Manager, ref: str) -> schemas.CampaignRead:
    """Close the campaign; undecided items stay undecided."""
    return reviews.close(session, actor=actor, campaign_ref=ref)
