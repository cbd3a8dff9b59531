"""What goes in and out of monitoring: the activity event format (docs/monitoring.md), a
batch's outcome, signals raised by other capabilities, alerts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class Action(StrEnum):
    """What an actor did. The first eleven come from other systems (the documented format);
    the rest are read from Crown Jewels' own custody log or raised by its capabilities."""

    LOGIN = "login"
    VIEW = "view"
    DOWNLOAD = "download"
    UPLOAD = "upload"
    COPY = "copy"
    PRINT = "print"
    SHARE = "share"
    DELETE = "delete"
    CLONE = "clone"
    PUSH = "push"
    FAILED_LOGIN = "failed-login"
    DENIED = "denied"
    GRANT_CHANGE = "grant-change"
    EXPORT = "export"
    SIGNAL = "signal"


#: the actions another system may send (the rest are Crown Jewels' own)
EXTERNAL_ACTIONS = frozenset(list(Action)[:11])


class ActivityIn(BaseModel):
    """One event in the documented format: one JSON object per line."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    time: AwareDatetime
    actor: str = Field(min_length=1, max_length=320)
    action: Action
    resource: str = Field(min_length=1, max_length=4000)
    bytes: int | None = Field(default=None, ge=0)
    ip: str | None = Field(default=None, max_length=45)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    device: str | None = Field(default=None, max_length=200)
    source: str = Field(default="unknown", min_length=1, max_length=60)


class Rejected(BaseModel):
    """A line that was not kept: its number (1-based) and why, in plain words."""

    line: int
    reason: str


class IngestResult(BaseModel):
    """A batch's outcome: the good lines are kept even when others are rejected."""

    accepted: int
    rejected: list[Rejected]
    #: events whose actor is no known person, and whose resource matched no secret
    unknown_actors: int = 0
    unclassified: int = 0


class Severity(StrEnum):
    """How urgent an alert is, lowest first."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


SEVERITY_ORDER = {severity: rank for rank, severity in enumerate(Severity)}


class AlertStatus(StrEnum):
    """Where an alert stands in triage."""

    OPEN = "open"
    ASSIGNED = "assigned"
    DISMISSED = "dismissed"
    CONFIRMED = "confirmed"  # a true positive
    ESCALATED = "escalated"


class SignalKind(StrEnum):
    """What another capability reports to monitoring's intake (an activity event with
    action `signal`): a canary token fired, a scan matched a secret, a watchlist hit."""

    CANARY = "canary"
    LEAK_MATCH = "leak-match"
    WATCHLIST = "watchlist"
    #: a departure watch's look-back found unusual days in the person's last 90
    DEPARTURE_LOOKBACK = "departure-look-back"


#: the title of a signal's alert, by its kind (a person reads it in the queue)
SIGNAL_TITLES: dict[str, str] = {
    SignalKind.CANARY: "A canary token fired",
    SignalKind.LEAK_MATCH: "A scan found a secret's content",
    SignalKind.WATCHLIST: "A watchlist hit",
    SignalKind.DEPARTURE_LOOKBACK: "Unusual days before a departure",
}


@dataclass(frozen=True)
class Signal:
    """A signal from another capability: which secret, who (if known), what happened, and a
    reference people can follow (a token or a scan's ref)."""

    kind: SignalKind
    secret_id: str | None
    summary: str
    reference: str
    occurred_at: datetime
    actor: str = "unknown"
    ip: str | None = None
    country: str | None = None
    severity: Severity = Severity.HIGH
    details: dict[str, Any] = field(default_factory=dict)


class IdentityKind(StrEnum):
    """What kind of name an identity is."""

    EMAIL = "email"
    USERNAME = "username"
    KEY = "key"


class IdentityCreate(BaseModel):
    """Another name a person acts under elsewhere (an SFTP username, an AWS access key id)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    #: the person: an email, a full name or an id
    person: str = Field(min_length=1, max_length=320)
    kind: IdentityKind
    value: str = Field(min_length=1, max_length=320)


class IdentityRead(BaseModel):
    """An identity as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    person_id: str
    person_name: str | None = None
    kind: str
    value: str
    created_at: datetime
    created_by: str


class FeedResult(BaseModel):
    """One pass of the custody feed: how far it read and what it stored."""

    read: int
    stored: int
    position: int


class PurgeResult(BaseModel):
    """What retention removed."""

    cutoff: datetime
    partitions: list[str]
    rows: int
