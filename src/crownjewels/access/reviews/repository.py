"""Access-review queries: campaigns by ref, the grants a campaign reviews, a campaign's items
with their grants, and the open campaigns past their due date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access.models import Grant, ReviewCampaign, ReviewItem
from crownjewels.access.reviews.schemas import CampaignStatus
from crownjewels.access.rules import GrantStatus


def campaign(session: Session, ref: str) -> ReviewCampaign | None:
    """A campaign by ref (AR-0001) or id."""
    return session.scalar(
        select(ReviewCampaign).where((ReviewCampaign.ref == ref) | (ReviewCampaign.id == ref))
    )


def campaigns(session: Session) -> Sequence[ReviewCampaign]:
    """Every campaign, newest first."""
    return session.scalars(select(ReviewCampaign).order_by(ReviewCampaign.created_at.desc())).all()


def overdue_campaigns(session: Session, *, on: date) -> Sequence[ReviewCampaign]:
    """The open campaigns due before `on`."""
    return session.scalars(
        select(ReviewCampaign)
        .where(ReviewCampaign.status == CampaignStatus.OPEN)
        .where(ReviewCampaign.due_on < on)
    ).all()


def reviewable_grants(session: Session) -> Sequence[Grant]:
    """The approved or active person grants, by ref: what a campaign puts up for review."""
    return session.scalars(
        select(Grant)
        .where(Grant.status.in_([GrantStatus.APPROVED, GrantStatus.ACTIVE]))
        .where(Grant.person_id.is_not(None))
        .order_by(Grant.ref)
    ).all()


def items_with_grants(session: Session, campaign_id: str) -> list[tuple[ReviewItem, Grant]]:
    """A campaign's items with the grant each reviews, by grant ref."""
    rows = session.execute(
        select(ReviewItem, Grant)
        .join(Grant, Grant.id == ReviewItem.grant_id)
        .where(ReviewItem.campaign_id == campaign_id)
        .order_by(Grant.ref)
    )
    return [(item, grant) for item, grant in rows]


def item(session: Session, item_id: str) -> ReviewItem | None:
    """One review item by id."""
    return session.get(ReviewItem, item_id)
