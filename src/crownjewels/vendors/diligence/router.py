"""JSON API of due diligence under /api/v1: questionnaire templates and assessments (send,
list, get, answer, submit, review, complete, links, remediation, risk)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.vendors.diligence import answering, catalog, loader, reads, schedule, sending
from crownjewels.vendors.diligence import review as reviewing
from crownjewels.vendors.diligence.schemas import (
    AnswersSave,
    AssessmentDetail,
    AssessmentFilter,
    AssessmentRead,
    AssessmentSend,
    AssessmentStatus,
    LinkIssued,
    ReassessmentRead,
    RemediationCreate,
    RemediationRead,
    RemediationUpdate,
    ReviewSave,
    RiskExplanation,
    TemplateImported,
    TemplateRead,
)

router = APIRouter(tags=["due diligence"])
Reader = Annotated[Actor, Depends(require(P.VENDORS_READ))]
Writer = Annotated[Actor, Depends(require(P.VENDORS_WRITE))]
Answerer = Annotated[Actor, Depends(require(P.ASSESSMENTS_ANSWER))]
Viewer = Annotated[Actor, Depends(require(P.VENDORS_READ, P.ASSESSMENTS_ANSWER))]


class TemplateUpload(BaseModel):
    """A questionnaire YAML file's text, and its name for error messages."""

    source: str = Field(min_length=1, max_length=1_000_000)
    filename: str = Field(default="questionnaire.yaml", max_length=300)


class LinkRequest(BaseModel):
    """How long a new one-time link is valid."""

    days: int = Field(default=14, ge=1, le=90)


class CancelRequest(BaseModel):
    """Why an assessment is cancelled."""

    reason: str = Field(min_length=1, max_length=4000)


@router.get("/questionnaires", response_model=list[TemplateRead], summary="List templates")
def list_templates(session: DbSession, actor: Reader) -> list[TemplateRead]:
    """Every imported questionnaire version."""
    return catalog.list_templates(session, actor=actor)


@router.post(
    "/questionnaires",
    response_model=TemplateImported,
    status_code=status.HTTP_201_CREATED,
    summary="Import a template",
)
def import_template(session: DbSession, actor: Writer, body: TemplateUpload) -> TemplateImported:
    """Validate questionnaire YAML (errors name the file and line) and store that version."""
    loaded = loader.parse(body.source, source=body.filename)
    return catalog.import_template(session, actor=actor, loaded=loaded)


@router.get("/reassessments", response_model=list[ReassessmentRead], summary="Vendors due again")
def reassessments(session: DbSession, actor: Reader) -> list[ReassessmentRead]:
    """Vendors whose last completed assessment is older than their cadence, not yet re-sent."""
    return schedule.reassessments_due(session, actor=actor)


@router.post(
    "/assessments",
    response_model=AssessmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Send a questionnaire",
)
def send(session: DbSession, actor: Writer, body: AssessmentSend) -> AssessmentRead:
    """Send to a vendor user (channel account) or as a one-time link (its token is in `link`,
    shown this once)."""
    return sending.send(session, actor=actor, data=body)


@router.get("/assessments", response_model=Page[AssessmentRead], summary="List assessments")
def list_assessments(
    session: DbSession,
    actor: Viewer,
    paging: Paging,
    vendor: str | None = Query(default=None, max_length=200),
    status_: AssessmentStatus | None = Query(default=None, alias="status"),
) -> Page[AssessmentRead]:
    """Assessments the caller may see (a vendor user: its own organisation's), newest first."""
    flt = AssessmentFilter(vendor=vendor, status=status_)
    items, total = reads.list_assessments(session, actor=actor, filters=flt, page=paging)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/assessments/{ref}", response_model=AssessmentDetail, summary="Show an assessment")
def get(session: DbSession, actor: Viewer, ref: str) -> AssessmentDetail:
    """Questions and answers; for vendor readers also remediation and the risk explanation."""
    return reads.detail(session, actor=actor, assessment_ref=ref)


@router.put("/assessments/{ref}/answers", response_model=AssessmentDetail, summary="Save answers")
def save_answers(
    session: DbSession, actor: Answerer, ref: str, body: AnswersSave
) -> AssessmentDetail:
    """Save a draft of answers; come back later and submit when done."""
    return answering.save_answers(session, actor=actor, assessment_ref=ref, data=body)


@router.post(
    "/assessments/{ref}/submit", response_model=AssessmentRead, summary="Submit for review"
)
def submit(session: DbSession, actor: Answerer, ref: str) -> AssessmentRead:
    """Submit once every required visible question is answered."""
    return answering.submit(session, actor=actor, assessment_ref=ref)


@router.post("/assessments/{ref}/review", response_model=AssessmentDetail, summary="Review answers")
def review(session: DbSession, actor: Writer, ref: str, body: ReviewSave) -> AssessmentDetail:
    """Accept, reject or ask again answer by answer; `return_to_vendor` reopens the asked-again."""
    return reviewing.review(session, actor=actor, assessment_ref=ref, data=body)


@router.post("/assessments/{ref}/complete", response_model=AssessmentDetail, summary="Complete")
def complete(session: DbSession, actor: Writer, ref: str) -> AssessmentDetail:
    """Complete a reviewed assessment; its risk explanation is frozen."""
    return reviewing.complete(session, actor=actor, assessment_ref=ref)


@router.post(
    "/assessments/{ref}/cancel", response_model=AssessmentRead, summary="Cancel an assessment"
)
def cancel(session: DbSession, actor: Writer, ref: str, body: CancelRequest) -> AssessmentRead:
    """Cancel an unfinished assessment; its links stop working."""
    return reviewing.cancel(session, actor=actor, assessment_ref=ref, reason=body.reason)


@router.post(
    "/assessments/{ref}/links",
    response_model=LinkIssued,
    status_code=status.HTTP_201_CREATED,
    summary="Issue a new one-time link",
)
def issue_link(session: DbSession, actor: Writer, ref: str, body: LinkRequest) -> LinkIssued:
    """A new one-time link (earlier ones stop working); the token is shown this once."""
    return sending.issue_link(session, actor=actor, assessment_ref=ref, days=body.days)


@router.get("/assessments/{ref}/risk", response_model=RiskExplanation, summary="Explained risk")
def risk(session: DbSession, actor: Reader, ref: str) -> RiskExplanation:
    """Inherent and residual risk, each a level with its contributing factors."""
    return reads.risk(session, actor=actor, assessment_ref=ref)


@router.post(
    "/assessments/{ref}/remediation",
    response_model=RemediationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a remediation item",
)
def add_remediation(
    session: DbSession, actor: Writer, ref: str, body: RemediationCreate
) -> RemediationRead:
    """Something the vendor must fix: an owner on our side and a due date."""
    return reviewing.add_remediation(session, actor=actor, assessment_ref=ref, data=body)


@router.patch(
    "/assessments/{ref}/remediation/{item_id}",
    response_model=RemediationRead,
    summary="Update a remediation item",
)
def update_remediation(
    session: DbSession, actor: Writer, ref: str, item_id: str, body: RemediationUpdate
) -> RemediationRead:
    """Mark a remediation item done, or open again."""
    return reviewing.update_remediation(
        session, actor=actor, assessment_ref=ref, item_id=item_id, data=body
    )
