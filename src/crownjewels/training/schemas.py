"""What goes in and out of training."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class CourseKind(StrEnum):
    """What sort of training a course is."""

    SECURITY_AWARENESS = "security-awareness"
    TRADE_SECRET_HANDLING = "trade-secret-handling"
    PHISHING_SIMULATION = "phishing-simulation"
    VENDOR_COMPLIANCE_WORKSHOP = "vendor-compliance-workshop"
    OTHER = "other"


class RequiredFor(StrEnum):
    """Whom a course is required of."""

    ALL = "all"
    EMPLOYEES = "employees"
    VENDOR_STAFF = "vendor-staff"
    NONE = "none"


class Result(StrEnum):
    """A completion's result (a phishing simulation is passed or failed too)."""

    PASSED = "passed"
    FAILED = "failed"


class AttestationKind(StrEnum):
    """What a person acknowledged."""

    SECRET_NOTICE = "secret-notice"
    TRADE_SECRET_POLICY = "trade-secret-policy"
    EXIT_OBLIGATIONS = "exit-obligations"


class CourseCreate(BaseModel):
    """A new course."""

    code: str = Field(min_length=2, max_length=30)
    name: str = Field(min_length=3, max_length=200)
    kind: CourseKind = CourseKind.OTHER
    description: str | None = None
    validity_days: int | None = Field(None, ge=1, le=3650)
    required_for: RequiredFor = RequiredFor.NONE

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        return value.strip().upper()


class CourseRead(BaseModel):
    """A course as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    code: str
    name: str
    kind: CourseKind
    description: str | None
    validity_days: int | None
    required_for: RequiredFor
    status: str
    completions: int = 0


class CompletionCreate(BaseModel):
    """A completion recorded by hand."""

    person: str
    course: str
    completed_on: date
    result: Result = Result.PASSED
    score: float | None = None
    expires_on: date | None = None


class CompletionRead(BaseModel):
    """A completion as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    person_id: str
    course_id: str
    course_code: str | None = None
    completed_on: date
    expires_on: date | None
    result: Result
    score: float | None
    source: str
    external_id: str | None


class MissingTraining(BaseModel):
    """A required course the person does not hold current."""

    code: str
    name: str
    expired_on: date | None = None


class CourseStatus(BaseModel):
    """One required course in a person's training status."""

    code: str
    name: str
    current: bool
    expires_on: date | None = None
    lapsing: bool = False


class PersonTraining(BaseModel):
    """A person's required courses and whether each is current."""

    person_id: str
    required: list[CourseStatus]
    completions: list[CompletionRead]

    @property
    def current(self) -> bool:
        """True when every required course is current."""
        return all(c.current for c in self.required)


class AttestationRead(BaseModel):
    """An acknowledgement as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    person_id: str
    kind: AttestationKind
    secret_id: str | None
    text: str
    text_sha256: str
    channel: str
    acknowledged_at: datetime


class ImportRow(BaseModel):
    """One parsed line of an LMS export."""

    line: int
    email: str
    course: str
    completed_on: date
    result: Result
    score: float | None = None


class ImportResult(BaseModel):
    """What an import recorded (or would record, on a dry run)."""

    rows: int
    recorded: int
    skipped_duplicates: int
    dry_run: bool


class CompletionState(StrEnum):
    """Which completions a listing shows."""

    ALL = ""
    CURRENT = "current"
    EXPIRED = "expired"


class CompletionRow(CompletionRead):
    """A completion in a listing: whose it is, by name, and whether it counts today."""

    person_name: str = ""
    current: bool = False


class Standing(StrEnum):
    """Where a person stands with their required training."""

    CURRENT = "current"
    LAPSING = "lapsing"
    NOT_CURRENT = "not-current"


class RosterEntry(BaseModel):
    """One person's required courses, for the status page."""

    person_id: str
    name: str
    organisation: str
    standing: Standing
    courses: list[CourseStatus]
