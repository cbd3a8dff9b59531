"""What goes in and out of due diligence: templates, assessments, answers, reviews, remediation
items, and the risk explanation (a level with the factors that made it, never a bare number)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000)]


class AssessmentStatus(StrEnum):
    """Where an assessment stands: sent, being answered, submitted for review, returned to the
    vendor (some answers asked again), completed, or cancelled."""

    SENT = "sent"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


#: statuses in which the vendor may still save answers
OPEN_FOR_VENDOR = frozenset(
    {AssessmentStatus.SENT, AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED}
)
#: statuses of an assessment that is not finished
UNFINISHED = OPEN_FOR_VENDOR | {AssessmentStatus.SUBMITTED}


class Channel(StrEnum):
    """How the vendor answers: a vendor-user account, or a one-time link needing no account."""

    ACCOUNT = "account"
    LINK = "link"


class Review(StrEnum):
    """The vendor manager's decision on one answer."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ASK_AGAIN = "ask_again"


class RemediationStatus(StrEnum):
    """A remediation item is open until done."""

    OPEN = "open"
    DONE = "done"


class Level(StrEnum):
    """A risk level."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class TemplateRead(BaseModel):
    """An imported questionnaire version."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    key: str
    version: int
    title: str
    sha256: str
    question_count: int
    imported_at: datetime
    imported_by: str


class TemplateImported(TemplateRead):
    """The outcome of an import: the template, and whether it was already stored unchanged."""

    unchanged: bool = False


class AssessmentSend(BaseModel):
    """Send a questionnaire to a vendor contact."""

    model_config = ConfigDict(extra="forbid")

    vendor: Ref = Field(description="vendor profile id, reference (VN-0001) or name")
    template: Ref = Field(
        default="vendor-security", description="template key (newest version), key:version or id"
    )
    channel: Channel = Channel.LINK
    contact_id: str | None = Field(default=None, description="vendor contact; default: primary")
    recipient: Ref | None = Field(
        default=None, description="for channel account: the vendor user (person id or email)"
    )
    secrets: list[Ref] = Field(default_factory=list, description="secrets we plan to share")
    due_on: date | None = None
    link_days: int = Field(default=14, ge=1, le=90, description="days the one-time link is valid")
    message: Note | None = None


class LinkIssued(BaseModel):
    """A one-time link: the token is shown once, only its SHA-256 is stored."""

    path: str
    token: str
    expires_at: datetime


class Progress(BaseModel):
    """How far the vendor got: required visible questions answered, of all required visible."""

    answered: int
    required: int
    missing: list[str]


class AssessmentRead(BaseModel):
    """An assessment as shown."""

    id: str
    ref: str
    vendor_id: str
    vendor_name: str
    template_key: str
    template_version: int
    template_title: str
    channel: Channel
    recipient_name: str
    recipient_email: str
    recipient_person_id: str | None
    status: AssessmentStatus
    secret_ids: list[str]
    due_on: date | None
    message: str | None
    round: int
    sent_at: datetime
    sent_by: str
    submitted_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    progress: Progress
    link: LinkIssued | None = None


class AnswerRead(BaseModel):
    """One stored answer with its review."""

    question_id: str
    value: Any
    document_id: str | None
    comment: str | None
    answered_at: datetime
    review: Review
    review_note: str | None
    reviewed_at: datetime | None


class QuestionView(BaseModel):
    """One question as the answering and review pages show it."""

    id: str
    section: str
    text: str
    type: str
    required: bool
    guidance: str | None
    choices: list[str]
    weight: int
    control: str | None
    visible: bool
    editable: bool
    condition: str | None
    show_if_question: str | None = None
    show_if_in: list[str] = Field(default_factory=list)
    answer: AnswerRead | None


class AnswersSave(BaseModel):
    """A draft of answers: question id to value (a string, number, list of choices; null or ""
    clears). Unknown ids and values of the wrong type are refused, naming the question."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Any] = Field(default_factory=dict)
    comments: dict[str, Note] = Field(default_factory=dict)


class Decision(BaseModel):
    """The review of one answer."""

    model_config = ConfigDict(extra="forbid")

    question_id: str
    decision: Review
    note: Note | None = None


class ReviewSave(BaseModel):
    """Decisions on some answers; `return_to_vendor` reopens the asked-again ones."""

    model_config = ConfigDict(extra="forbid")

    decisions: list[Decision] = Field(default_factory=list)
    return_to_vendor: bool = False


class RemediationCreate(BaseModel):
    """A new remediation item."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    owner: Ref = Field(description="person id or email of the owner on our side")
    due_on: date
    question_id: str | None = None
    notes: Note | None = None


class RemediationUpdate(BaseModel):
    """Mark a remediation item done (or open again), with notes."""

    model_config = ConfigDict(extra="forbid")

    status: RemediationStatus
    notes: Note | None = None


class RemediationRead(BaseModel):
    """A remediation item as shown."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    assessment_id: str
    question_id: str | None
    title: str
    owner_id: str
    owner_name: str | None = None
    due_on: date
    status: RemediationStatus
    notes: str | None
    done_on: date | None


class Factor(BaseModel):
    """One contribution to a risk score, in plain words, with its points (negative lowers)."""

    kind: str
    text: str
    points: float


class RiskScore(BaseModel):
    """A risk level with the factors that add up to it."""

    level: Level
    points: float
    factors: list[Factor]


class RiskExplanation(BaseModel):
    """Inherent risk (before controls) and residual risk (after the accepted controls)."""

    inherent: RiskScore
    residual: RiskScore
    computed_at: datetime
    frozen: bool = False


class AssessmentDetail(BaseModel):
    """An assessment with its questions, answers, remediation items and risk explanation."""

    assessment: AssessmentRead
    questions: list[QuestionView]
    remediation: list[RemediationRead]
    risk: RiskExplanation | None


class AssessmentFilter(BaseModel):
    """Filters of the assessment listing."""

    vendor: str | None = None
    status: AssessmentStatus | None = None
    #: only assessments with an open remediation item past its due date
    remediation_overdue: bool | None = None


class VendorFacts(BaseModel):
    """What the risk rules need of a vendor."""

    ref: str
    name: str
    criticality: str
    countries: list[str]
    review_cadence_months: int


class ReassessmentRead(BaseModel):
    """A vendor flagged as due for reassessment, not yet sent a new questionnaire."""

    vendor_ref: str
    vendor_name: str
    last_assessment_ref: str
    due_on: date
    flagged_at: datetime
