"""Alert channels in and out: what a channel is, how it is added and changed, and the
deliveries made through it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from crownjewels.monitoring.schemas import Severity


class ChannelKind(StrEnum):
    """How a channel reaches people."""

    EMAIL = "email"
    WEBHOOK = "webhook"
    SYSLOG = "syslog"


class ChannelFormat(StrEnum):
    """What a channel sends: plain-text mail, a JSON document, a Slack message, a CEF line."""

    TEXT = "text"
    JSON = "json"
    SLACK = "slack"
    CEF = "cef"


#: the formats each kind can send, its default first
FORMATS: dict[ChannelKind, tuple[ChannelFormat, ...]] = {
    ChannelKind.EMAIL: (ChannelFormat.TEXT,),
    ChannelKind.WEBHOOK: (ChannelFormat.JSON, ChannelFormat.SLACK),
    ChannelKind.SYSLOG: (ChannelFormat.CEF,),
}


class ChannelCreate(BaseModel):
    """A new channel. `target`: email addresses (comma-separated; may be empty when the
    secrets' owners are mailed), a webhook's http(s) URL, or `udp://host:port` /
    `tcp://host:port` for syslog."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    #: shown in pages and typed in commands and URLs (so it holds no slash)
    name: str = Field(min_length=1, max_length=100)
    kind: ChannelKind
    target: str = Field(default="", max_length=1000)
    format: ChannelFormat | None = None
    min_severity: Severity = Severity.MEDIUM
    notify_secret_owners: bool = False


class ChannelUpdate(BaseModel):
    """What may change on a channel (its kind and name stay)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    target: str | None = Field(default=None, max_length=1000)
    format: ChannelFormat | None = None
    min_severity: Severity | None = None
    notify_secret_owners: bool | None = None
    active: bool | None = None


class ChannelRead(BaseModel):
    """A channel as an admin reads it (a webhook's signing key is never shown again)."""

    name: str
    kind: ChannelKind
    target: str
    format: ChannelFormat
    min_severity: Severity
    notify_secret_owners: bool
    active: bool
    signed: bool
    created_at: datetime
    created_by: str
    #: deliveries not sent yet (waiting or retrying) and given up
    pending: int = 0
    failed: int = 0


class ChannelAdded(ChannelRead):
    """A new channel; a webhook's signing key is shown here once, to give to the receiver."""

    signing_key: str | None = None


class DeliveryStatus(StrEnum):
    """Where a delivery stands."""

    SENT = "sent"
    QUEUED = "queued"
    RETRYING = "retrying"
    FAILED = "failed"


class DeliveryRead(BaseModel):
    """One alert sent (or to be sent) through one webhook or syslog channel."""

    id: str
    alert_ref: str
    alert_title: str
    severity: Severity
    channel: str
    created_at: datetime
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    status: DeliveryStatus


class ChannelTestResult(BaseModel):
    """What a test message through a channel did."""

    channel: str
    ok: bool
    detail: str


class DispatchResult(BaseModel):
    """What one alert's dispatch queued: deliveries (webhook, syslog) and messages (mail)."""

    deliveries: int = 0
    mails: int = 0
    channels: list[str] = Field(default_factory=list)


class SendReport(BaseModel):
    """What one run of the delivery sender did."""

    sent: int = 0
    failed: int = 0
