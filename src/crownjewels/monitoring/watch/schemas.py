"""What the departure watch and the log reviews take and show."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WatchStatus(StrEnum):
    """A departure watch is open from the notice until someone (or the job, after the last
    day's grace) closes it."""

    OPEN = "open"
    CLOSED = "closed"


class UnusualDay(BaseModel):
    """One day of the look-back far above the person's own baseline or their peers'."""

    day: date
    measure: str
    value: float
    own_median: float
    peer_median: float
    z_own: float
    z_peers: float


class MeasureFigures(BaseModel):
    """One daily measure over the look-back: the person's own baseline (the days before the
    window), their peers' (the same organisation and kind, the same window) and the window."""

    measure: str
    own_median: float
    own_mad: float
    peer_median: float
    peer_mad: float
    window_total: float
    window_median: float


class Lookback(BaseModel):
    """The look-back's findings when the watch opened."""

    start: date
    end: date
    baseline_days: int
    peers: int
    events: int
    measures: list[MeasureFigures]
    unusual_days: list[UnusualDay]
    #: in words, with the numbers
    summary: str


class WatchRead(BaseModel):
    """A departure watch as shown."""

    ref: str
    person_id: str
    person_name: str
    person_email: str
    notice_on: date
    last_day: date
    status: WatchStatus
    heightened: bool
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    closed_by: str | None
    lookback: Lookback | None


class HeightenedRead(BaseModel):
    """A person under heightened thresholds by someone's decision (an incident's containment)."""

    person_id: str
    person_name: str
    reference: str
    reason: str
    started_at: datetime
    started_by: str
    until: datetime | None
    ended_at: datetime | None
    ended_by: str | None
    end_reason: str | None

    @property
    def live(self) -> bool:
        """Not ended (a passed `until` is judged by the service, which knows the time)."""
        return self.ended_at is None


class ActivityLine(BaseModel):
    """What the person did to one secret (or an unclassified resource) in the period."""

    secret_ref: str | None
    secret_name: str | None
    resource: str | None = None
    action: str
    count: int
    bytes: int
    first_at: datetime
    last_at: datetime


class AlertLine(BaseModel):
    """An alert naming the person or, in a log review, the secret."""

    ref: str
    rule_id: str
    severity: str
    status: str
    title: str
    last_event_at: datetime
    resolution: str | None = None


class GrantLine(BaseModel):
    """A grant the person holds or held."""

    ref: str
    secret: str
    level: str
    status: str
    expires_at: datetime | None


class AgreementLine(BaseModel):
    """An agreement in force naming the person or their organisation."""

    ref: str
    kind: str
    title: str


class AttestationLine(BaseModel):
    """An acknowledgement the person gave (the exit obligations among them)."""

    kind: str
    acknowledged_at: datetime
    text_sha256: str


class DepartureReport(BaseModel):
    """The report for HR and legal: what the person accessed, copied and downloaded over the
    look-back and since, the alerts naming them, their grants, the agreements binding them
    and the obligations they attested on the way out."""

    watch: WatchRead
    since: datetime
    until: datetime
    accessed: list[ActivityLine]
    taken: list[ActivityLine]
    alerts: list[AlertLine]
    grants: list[GrantLine]
    agreements: list[AgreementLine]
    attestations: list[AttestationLine]
    exit_obligations_attested: bool


class ReviewStatus(StrEnum):
    """A log review waits for its owner, then is signed off or carries a concern."""

    DUE = "due"
    SIGNED_OFF = "signed-off"
    CONCERN = "concern"


class LogReviewRead(BaseModel):
    """A log review as shown."""

    model_config = ConfigDict(from_attributes=True)

    ref: str
    secret_id: str
    secret_ref: str = ""
    secret_name: str = ""
    reviewer_person_id: str
    reviewer_name: str = ""
    period_start: date
    period_end: date
    due_on: date
    status: ReviewStatus
    overdue: bool = False
    summary: dict[str, Any]
    decided_at: datetime | None
    decided_by: str | None
    comment: str | None
    created_at: datetime


class ReviewDecision(BaseModel):
    """A reviewer's sign-off, or their concern (a concern needs words)."""

    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=4000)
