"""What goes in and out of the report channel: a report as the reporter sends it, as the
reporter reads it back with their code, and as a case handler reads it; the handler's replies,
moves and the case a report opens; the approvals of adverse actions against protected people."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crownjewels.incidents.schemas import IncidentKind, Severity

#: the public pages of the report channel (no login; nothing identifying is kept or logged)
PUBLIC_PATH = "/report"


class ReporterKind(StrEnum):
    """What the reporter says they are."""

    STAFF = "staff"
    VENDOR_STAFF = "vendor-staff"
    FORMER_STAFF = "former-staff"
    PUBLIC = "public"
    OTHER = "other"


REPORTER_WORDS: dict[ReporterKind, str] = {
    ReporterKind.STAFF: "someone who works here",
    ReporterKind.VENDOR_STAFF: "someone who works for a vendor, contractor or partner",
    ReporterKind.FORMER_STAFF: "someone who used to work here",
    ReporterKind.PUBLIC: "a member of the public",
    ReporterKind.OTHER: "someone else",
}


class ReportStatus(StrEnum):
    """Where a report stands: received, acknowledged to the reporter, being followed up,
    closed (a closed report may be reopened)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in-progress"
    CLOSED = "closed"


class ApprovalStatus(StrEnum):
    """An approval is pending until decided; an approved one is used by the one action."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    USED = "used"


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("the text holds a NUL character, which no text can store; remove it")
    return value


class ReportCreate(BaseModel):
    """A report as the reporter sends it: only what they choose to tell. `avoid` names case
    handlers (their person ids, as the form lists them) who must not see it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subject: str = Field(min_length=3, max_length=300)
    body: str = Field(min_length=10, max_length=50_000)
    reporter_kind: ReporterKind = ReporterKind.OTHER
    reporter_name: str | None = Field(default=None, max_length=200)
    reporter_contact: str | None = Field(default=None, max_length=200)
    involved: str = Field(default="", max_length=5000)
    avoid: list[str] = Field(default_factory=list, max_length=50)
    password: str = Field(min_length=1, max_length=200)

    @field_validator("subject", "body", "involved", "password")
    @classmethod
    def _storable(cls, value: str) -> str:
        return _no_nul(value)

    @field_validator("reporter_name", "reporter_contact")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if not value:
            return None
        return _no_nul(value)


class Received(BaseModel):
    """What the reporter is shown once: the reference, the follow-up code and the dates."""

    ref: str
    code: str
    received_at: datetime
    acknowledgement_due: datetime
    attachments: int


class Deadlines(BaseModel):
    """The two deadlines of EU Directive 2019/1937 and where they stand."""

    acknowledgement_due: datetime
    acknowledged_at: datetime | None
    acknowledgement_overdue: bool
    acknowledged_late: bool
    feedback_due: datetime
    feedback_at: datetime | None
    feedback_overdue: bool


class MessageRead(BaseModel):
    """One message on a report: the reporter's, or a case handler's (named for handlers)."""

    from_reporter: bool
    author: str | None
    body: str
    created_at: datetime


class AttachmentRead(BaseModel):
    """A file sent with a report (kept encrypted in the vault)."""

    document_id: str
    filename: str
    size: int
    media_type: str


class ReporterView(BaseModel):
    """A report as its reporter reads it back with their code and password."""

    ref: str
    subject: str
    status: ReportStatus
    received_at: datetime
    deadlines: Deadlines
    messages: list[MessageRead]
    attachments: list[AttachmentRead]


class ReportSummary(BaseModel):
    """A report in the case handlers' list."""

    ref: str
    subject: str
    status: ReportStatus
    received_at: datetime
    deadlines: Deadlines
    handler: str | None
    case: str | None
    waiting_for_reply: bool

    @property
    def overdue(self) -> bool:
        """Either deadline passed with nothing done."""
        return self.deadlines.acknowledgement_overdue or self.deadlines.feedback_overdue


class ReportRead(ReportSummary):
    """A report as a case handler reads it."""

    body: str
    reporter_kind: ReporterKind
    reporter_kind_words: str
    reporter_name: str | None
    reporter_contact: str | None
    involved: str
    involved_people: list[str]
    protected: str | None
    closed_at: datetime | None
    messages: list[MessageRead]
    attachments: list[AttachmentRead]


class Waiting(BaseModel):
    """What waits for the case handlers (the dashboard's panel)."""

    to_acknowledge: int
    to_answer: int
    overdue: int
    approvals: int


class Reply(BaseModel):
    """A case handler's message to the reporter; `feedback` marks it as the feedback on the
    action taken or envisaged (Art. 9(1)(f))."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=20_000)
    feedback: bool = False


class Acknowledge(BaseModel):
    """The acknowledgement of receipt, with the message the reporter reads (a standard one
    when none is given)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: str | None = Field(default=None, max_length=5000)


class Assign(BaseModel):
    """Give the report to a case handler (their email)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    handler: str = Field(min_length=3, max_length=200)


class StatusChange(BaseModel):
    """Move a report to in-progress, close it (the note goes to the reporter) or reopen it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: ReportStatus
    note: str = Field(default="", max_length=5000)


class CaseFromReport(BaseModel):
    """The case a report opens: the handler chooses what it is; the reporter's identity goes
    into it only when they gave it and the handler says so."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=300)
    kind: IncidentKind
    severity: Severity = Severity.MEDIUM
    summary: str = Field(default="", max_length=20_000)
    include_reporter: bool = False


class Protect(BaseModel):
    """Mark the reporter as the person they are (an email or full name) to protect them."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person: str = Field(min_length=3, max_length=200)


class LiftProtection(BaseModel):
    """End the protection of a report's reporter: why (kept in the custody log)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=10, max_length=5000)


class ApprovalRequest(BaseModel):
    """Ask for the approval of an adverse action against a protected person."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    person: str = Field(min_length=3, max_length=200)
    action: str = Field(min_length=3, max_length=30)
    target: str = Field(default="", max_length=200)
    reason: str = Field(min_length=10, max_length=5000)


class ApprovalDecision(BaseModel):
    """Approve or refuse a pending approval (a refusal says why)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    approve: bool
    note: str = Field(default="", max_length=5000)


class ApprovalRead(BaseModel):
    """An approval as people read it."""

    ref: str
    person: str
    person_email: str
    action: str
    action_words: str
    target: str
    reason: str
    requested_by: str
    requested_at: datetime
    status: ApprovalStatus
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
