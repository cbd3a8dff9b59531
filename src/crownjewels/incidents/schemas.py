"""What goes in and out of a case: its kind, severity and status, the facts its clocks are
computed from, the case as read with its subjects, team and tasks, and the timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator


def _aware(value: datetime) -> datetime:
    """A time typed without a zone (a form's date-time field) is taken as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


#: a moment as typed: with its zone, or UTC
When = Annotated[datetime, AfterValidator(_aware)]


class IncidentKind(StrEnum):
    """What happened."""

    THEFT = "theft"
    DISCLOSURE = "disclosure"
    DEVICE = "device"
    VENDOR_BREACH = "vendor-breach"
    DEPARTURE = "departure"
    LEAK_FOUND = "leak-found"
    CANARY = "canary"
    PERSONAL_DATA = "personal-data"


KIND_WORDS: dict[IncidentKind, str] = {
    IncidentKind.THEFT: "suspected trade-secret theft",
    IncidentKind.DISCLOSURE: "unauthorised disclosure",
    IncidentKind.DEVICE: "lost or stolen device",
    IncidentKind.VENDOR_BREACH: "vendor breach",
    IncidentKind.DEPARTURE: "departing-person exfiltration",
    IncidentKind.LEAK_FOUND: "leak found",
    IncidentKind.CANARY: "canary fired",
    IncidentKind.PERSONAL_DATA: "personal-data breach",
}


class Severity(StrEnum):
    """How bad it is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Status(StrEnum):
    """Where a case stands; it moves forward only (or is dismissed with a reason)."""

    REPORTED = "reported"
    TRIAGE = "triage"
    CONTAINED = "contained"
    INVESTIGATING = "investigating"
    REMEDIATING = "remediating"
    CLOSED = "closed"
    DISMISSED = "dismissed"


#: the way forward; closed and dismissed end a case
FLOW: tuple[Status, ...] = (
    Status.REPORTED,
    Status.TRIAGE,
    Status.CONTAINED,
    Status.INVESTIGATING,
    Status.REMEDIATING,
    Status.CLOSED,
)
OPEN_STATUSES = frozenset(FLOW[:-1])


class Origin(StrEnum):
    """Where a case came from."""

    ALERT = "alert"
    LEAK_MATCH = "leak-match"
    WATCHLIST = "watchlist"
    CANARY = "canary"
    REPORT = "report"
    MANUAL = "manual"


class TeamRole(StrEnum):
    """A seat on the incident team."""

    LEAD = "lead"
    LEGAL = "legal"
    FORENSICS = "forensics"
    COMMUNICATIONS = "communications"
    MANAGEMENT = "management"
    OWNER = "owner"


ROLE_WORDS: dict[TeamRole, str] = {
    TeamRole.LEAD: "incident lead",
    TeamRole.LEGAL: "legal counsel",
    TeamRole.FORENSICS: "forensics",
    TeamRole.COMMUNICATIONS: "communications",
    TeamRole.MANAGEMENT: "management",
    TeamRole.OWNER: "secret owner",
}

#: the six steps of an IP incident response
STEPS: dict[int, str] = {
    1: "assemble the team",
    2: "detect and contain",
    3: "investigate and preserve evidence",
    4: "engage counsel",
    5: "communicate",
    6: "remediate and prevent recurrence",
}


class TaskKind(StrEnum):
    """Where a task came from."""

    PLAYBOOK = "playbook"
    MANUAL = "manual"
    REMEDIATION = "remediation"


class TaskStatus(StrEnum):
    """A task is open until done or skipped."""

    OPEN = "open"
    DONE = "done"
    SKIPPED = "skipped"


class SubjectKind(StrEnum):
    """What a case may concern."""

    SECRET = "secret"
    PERSON = "person"
    ORGANISATION = "organisation"
    VENDOR = "vendor"
    AGREEMENT = "agreement"
    DOCUMENT = "document"


class CaseFacts(BaseModel):
    """What the deadlines are computed from: personal data and whose, where, which sector,
    whether a listed company, and contractual notice periods come from the agreements."""

    model_config = ConfigDict(extra="forbid")

    personal_data: bool = False
    #: health information of a HIPAA covered entity or business associate
    phi: bool = False
    #: countries of the people whose data is concerned (ISO 3166 alpha-2)
    data_subject_countries: list[str] = Field(default_factory=list)
    #: US states of the residents concerned, with how many where known
    us_states: list[str] = Field(default_factory=list)
    residents: dict[str, int] = Field(default_factory=dict)
    #: where the organisation is established or operates (ISO alpha-2; EU for the Union)
    jurisdictions: list[str] = Field(default_factory=list)
    #: health, finance, essential-entity, important-entity, critical-infrastructure, …
    sectors: list[str] = Field(default_factory=list)
    #: a US SEC registrant (Form 8-K Item 1.05)
    listed_us: bool = False
    #: regulated by the New York DFS (23 NYCRR 500.17)
    nydfs: bool = False
    #: whether trade secrets are concerned (the limitation periods)
    trade_secret: bool = True
    #: how many people are affected in all, where known
    affected: int | None = Field(default=None, ge=0)
    #: the US state whose law would govern a trade-secret claim (its UTSA period)
    us_state_of_claim: str | None = Field(default=None, max_length=2)

    @field_validator("data_subject_countries", "us_states", "jurisdictions", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",")]
        if isinstance(value, list):
            return sorted({str(v).strip().upper() for v in value if str(v).strip()})
        return value

    @field_validator("sectors", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace(";", ",").split(",")
        if isinstance(value, list):
            return sorted({str(v).strip().lower() for v in value if str(v).strip()})
        return value


class CaseOpen(BaseModel):
    """A new case. Subjects are typed as people read them: TS-0003, a person's email or name,
    an organisation's name or ref, AG-2026-005."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=300)
    kind: IncidentKind
    severity: Severity = Severity.HIGH
    summary: str = Field(default="", max_length=20_000)
    origin: Origin = Origin.MANUAL
    origin_ref: str | None = Field(default=None, max_length=40)
    secrets: list[str] = Field(default_factory=list)
    people: list[str] = Field(default_factory=list)
    organisations: list[str] = Field(default_factory=list)
    agreements: list[str] = Field(default_factory=list)
    occurred_at: When | None = None
    #: when the organisation became aware (now, when not given): the clocks run from it
    discovered_at: When | None = None
    reported_at: When | None = None
    facts: CaseFacts = Field(default_factory=CaseFacts)
    #: a playbook by name (the kind's playbook when not given; "none" for no tasks)
    playbook: str | None = Field(default=None, max_length=60)
    #: the incident lead's email (the opener, when not given and they are a user)
    lead: str | None = Field(default=None, max_length=200)


class CaseUpdate(BaseModel):
    """Changes to a case's description, severity, dates or facts (only what is given)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=3, max_length=300)
    severity: Severity | None = None
    summary: str | None = Field(default=None, max_length=20_000)
    occurred_at: When | None = None
    discovered_at: When | None = None
    reported_at: When | None = None
    classified_at: When | None = None
    materiality_at: When | None = None
    facts: CaseFacts | None = None


class StatusMove(BaseModel):
    """Move a case forward (or dismiss it: the reason is then required)."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    reason: str = Field(default="", max_length=2000)


class SubjectAdd(BaseModel):
    """A subject to add, as typed (TS-0003, an email or a name, an organisation, AG-2026-005)."""

    model_config = ConfigDict(extra="forbid")

    kind: SubjectKind
    subject: str = Field(min_length=1, max_length=200)


class MemberAdd(BaseModel):
    """Put a user on the team in a role (by email)."""

    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=3, max_length=200)
    role: TeamRole


class TaskCreate(BaseModel):
    """A task added by hand, or a remediation item (kind remediation; owner and due required)."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=3, max_length=300)
    kind: TaskKind = TaskKind.MANUAL
    step: int = Field(default=6, ge=1, le=6)
    role: TeamRole | None = None
    owner: str | None = Field(default=None, max_length=200)
    due_at: When | None = None
    guidance: str = Field(default="", max_length=5000)


class TaskChange(BaseModel):
    """Finish, skip, reopen or reassign a task."""

    model_config = ConfigDict(extra="forbid")

    status: TaskStatus | None = None
    owner: str | None = Field(default=None, max_length=200)
    due_at: When | None = None
    note: str | None = Field(default=None, max_length=2000)


class NoticeGiven(BaseModel):
    """The notice a clock asks for was given (to the authority, the people, the counterparty)."""

    model_config = ConfigDict(extra="forbid")

    clock: str = Field(min_length=1, max_length=60)
    at: When | None = None
    note: str = Field(default="", max_length=2000)


class NoteCreate(BaseModel):
    """A note on the case's timeline."""

    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20_000)


class ReviewCreate(BaseModel):
    """The post-incident review a case needs before it closes."""

    model_config = ConfigDict(extra="forbid")

    what_happened: str = Field(min_length=10, max_length=20_000)
    root_cause: str = Field(min_length=3, max_length=20_000)
    failed_measures: str = Field(min_length=3, max_length=20_000)
    changes: str = Field(min_length=3, max_length=20_000)


class Named(BaseModel):
    """A subject as a person reads it, with where to open it."""

    kind: SubjectKind
    ref: str
    name: str
    url: str | None = None


class MemberRead(BaseModel):
    """A seat on the team."""

    role: TeamRole
    role_words: str
    name: str
    email: str


class TaskRead(BaseModel):
    """A task as its owner reads it."""

    number: int
    kind: TaskKind
    step: int
    step_name: str
    title: str
    role: TeamRole | None
    guidance: str
    due_at: datetime | None
    first_day: bool
    owner: str | None
    owner_email: str | None
    status: TaskStatus
    overdue: bool
    done_at: datetime | None
    done_by: str | None
    note: str | None


class CaseRead(BaseModel):
    """A case with its subjects, team and tasks in words."""

    ref: str
    title: str
    kind: IncidentKind
    kind_words: str
    severity: Severity
    status: Status
    summary: str
    origin: Origin
    origin_ref: str | None
    playbook: str | None
    occurred_at: datetime | None
    discovered_at: datetime
    reported_at: datetime | None
    classified_at: datetime | None
    materiality_at: datetime | None
    contained_at: datetime | None
    closed_at: datetime | None
    dismissed_reason: str | None
    facts: CaseFacts
    review: dict[str, Any] | None
    opened_by: str
    created_at: datetime
    subjects: list[Named] = Field(default_factory=list)
    team: list[MemberRead] = Field(default_factory=list)
    tasks: list[TaskRead] = Field(default_factory=list)

    @property
    def is_open(self) -> bool:
        """Neither closed nor dismissed."""
        return self.status in OPEN_STATUSES

    def of_kind(self, kind: SubjectKind) -> list[Named]:
        """The subjects of one kind."""
        return [s for s in self.subjects if s.kind == kind]


class CaseSummary(BaseModel):
    """A case in a list."""

    ref: str
    title: str
    kind: IncidentKind
    kind_words: str
    severity: Severity
    status: Status
    origin: Origin
    origin_ref: str | None
    discovered_at: datetime
    open_tasks: int
    overdue_tasks: int
    lead: str | None


class RemediationRead(BaseModel):
    """An open remediation item as a secret's posture shows it."""

    case_ref: str
    case_title: str
    may_open_case: bool
    number: int
    title: str
    owner: str | None
    due_at: datetime | None
    overdue: bool
    secret_ids: list[str]


class TimelineEntry(BaseModel):
    """One line of a case's timeline: its own events, and the custody events, alerts,
    accesses and copies of the people and secrets it concerns."""

    at: datetime
    #: case, custody, alert, access, copy, note
    source: str
    text: str
    who: str | None = None
    ref: str | None = None
    url: str | None = None
