"""What goes in and out of triage: an alert as the queue and its page show it, the filters of
the queue, the evidence events, the trail, the per-rule tuning feedback and the person's
activity by day against their baseline."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crownjewels.monitoring.schemas import AlertStatus, Severity


class StatusFilter(StrEnum):
    """The statuses the queue filters on: one status, every alert still to act on, or all."""

    ACTIVE = "active"  # open or assigned: still to decide
    OPEN = "open"
    ASSIGNED = "assigned"
    ESCALATED = "escalated"
    DISMISSED = "dismissed"
    CONFIRMED = "confirmed"
    ALL = "all"


#: the statuses of an alert still waiting for a decision
ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ASSIGNED)


class AlertFilter(BaseModel):
    """Filters of the queue; a person, secret or organisation may be typed as a ref, an email
    or a name."""

    status: StatusFilter = StatusFilter.ACTIVE
    severity: Severity | None = None
    secret: str | None = Field(default=None, max_length=200)
    person: str | None = Field(default=None, max_length=320)
    organisation: str | None = Field(default=None, max_length=200)
    rule: str | None = Field(default=None, max_length=60)
    #: only alerts assigned to this person (an email, or "me")
    assignee: str | None = Field(default=None, max_length=320)


class Named(BaseModel):
    """A secret, person or organisation as a page shows it: its ref or name, and its page."""

    id: str
    label: str
    url: str | None = None


class AlertRead(BaseModel):
    """An alert with the names of its person, organisation, secrets and assignee."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    ref: str
    rule_id: str
    rule_version: str
    severity: Severity
    status: AlertStatus
    title: str
    explanation: str
    facts: dict[str, Any]
    person_id: str | None
    organisation_id: str | None
    actor: str
    secret_ids: list[str]
    hits: int
    first_event_at: datetime
    last_event_at: datetime
    created_at: datetime
    updated_at: datetime
    assignee_person_id: str | None
    resolution: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    escalated_to: str | None
    version: int
    person_name: str | None = None
    organisation_name: str | None = None
    assignee_name: str | None = None
    secrets: list[Named] = Field(default_factory=list)


class QueueCounts(BaseModel):
    """How many alerts the other filters leave, by status and by severity."""

    by_status: dict[str, int]
    by_severity: dict[str, int]


class AlertQueue(BaseModel):
    """A page of the queue and its counts."""

    alerts: list[AlertRead]
    total: int
    counts: QueueCounts


class EvidenceEvent(BaseModel):
    """One event behind an alert, as its table shows it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor: str
    action: str
    resource: str
    secret_id: str | None
    bytes: int | None
    ip: str | None
    country: str | None
    device: str | None
    source: str
    channel: str
    secret_label: str | None = None


class NoteRead(BaseModel):
    """One entry of the triage trail."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    body: str
    author: str
    at: datetime


class ActivityDay(BaseModel):
    """The person's events on one day (UTC) and their usual level before it: the median and
    MAD of the preceding days of the window (robust statistics, monitoring.stats)."""

    day: date
    count: int
    median: float
    mad: float
    #: the median plus 3.5 robust standard deviations: above it the day is unusual
    threshold: float
    #: a day the alert's events fall on
    flagged: bool = False


class Activity(BaseModel):
    """The person's (or unknown actor's) daily activity around an alert."""

    subject: str
    days: list[ActivityDay]
    #: the baseline of the alert's first day: what the chart's legend states
    median: float
    mad: float
    history_days: int


class RuleFeedback(BaseModel):
    """What triage decided about one rule's alerts: the tuning feedback (a rule whose alerts
    are mostly dismissed needs a higher threshold), with the latest dismissal reasons."""

    rule_id: str
    total: int
    active: int
    dismissed: int
    confirmed: int
    escalated: int
    #: confirmed / (confirmed + dismissed); None before any decision
    precision: float | None
    reasons: list[str]


class EscalationOutcome(BaseModel):
    """What escalating did: the case a receiver opened, or that no receiver is installed."""

    alert: AlertRead
    case: str | None
    message: str


class SuspensionOutcome(BaseModel):
    """The grants suspended in one action."""

    alert: AlertRead
    grants: list[str]


class EvidencePage(BaseModel):
    """The events behind an alert (at most a page of them) and how many there are."""

    events: list[EvidenceEvent]
    total: int


class Assignment(BaseModel):
    """Whom to give an alert to: an email, a full name, or "me"."""

    assignee: str = Field(min_length=1, max_length=320)


class CommentIn(BaseModel):
    """A comment for the trail."""

    body: str = Field(min_length=1, max_length=10_000)


class Reason(BaseModel):
    """Why: a dismissal, a reopening, a suspension."""

    reason: str = Field(min_length=1, max_length=2_000)


class Note(BaseModel):
    """A note with a decision: optional when confirming, required when escalating."""

    note: str | None = Field(default=None, max_length=2_000)
