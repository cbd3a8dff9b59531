"""What goes in and out of access reviews: a reviewer's decision, a campaign's status, a
campaign and its items as read."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Decision(StrEnum):
    """A reviewer's answer on one grant."""

    CONFIRM = "confirm"
    REVOKE = "revoke"


class CampaignStatus(StrEnum):
    """A campaign's lifecycle."""

    OPEN = "open"
    CLOSED = "closed"


class ItemRead(BaseModel):
    """One grant under review."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    campaign_id: str
    grant_id: str
    grant_ref: str = ""
    person_name: str | None = None
    secret_ref: str = ""
    level: str = ""
    last_used_at: datetime | None = None
    reviewer_person_id: str | None
    reviewer_name: str | None = None
    flagged_unused: bool
    decision: str | None
    note: str | None
    decided_by: str | None
    decided_at: datetime | None


class CampaignRead(BaseModel):
    """A campaign with its items (when read one at a time) and counts."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    ref: str
    name: str
    scope: str
    due_on: date
    status: str
    started_by: str
    created_at: datetime
    closed_at: datetime | None
    total: int = 0
    decided: int = 0
    items: list[ItemRead] = []
