"""Due-diligence tables: imported questionnaire templates, assessments sent to a vendor, their
answers (with the vendor manager's review of each), one-time answer links, remediation items,
and the reassessments the schedule flagged."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core import clock
from crownjewels.core.models import Base, IdMixin, TimestampMixin


class QuestionnaireTemplate(IdMixin, Base):
    """One version of a questionnaire template as imported: the YAML text, its SHA-256 and the
    validated definition (a key and version are stored once and never change)."""

    __tablename__ = "questionnaire_template"
    __table_args__ = (UniqueConstraint("key", "version"),)

    key: Mapped[str] = mapped_column(String(60), index=True)
    version: Mapped[int]
    title: Mapped[str] = mapped_column(String(2000))
    sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]]
    question_count: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(default=clock.now)
    imported_by: Mapped[str] = mapped_column(String(120))


class Assessment(IdMixin, TimestampMixin, Base):
    """A questionnaire sent to one vendor contact, answered, reviewed and completed; it records
    the trade secrets we plan to share with the vendor (they drive its inherent risk)."""

    __tablename__ = "assessment"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor_profile.id"), index=True)
    #: the vendor's organisation, kept here so a vendor user's scope is one comparison
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), index=True)
    template_id: Mapped[str] = mapped_column(ForeignKey("questionnaire_template.id"))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("vendor_contact.id"))
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(320))
    #: the vendor user who answers (channel "account"); None for a one-time link
    recipient_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    secret_ids: Mapped[list[str]]
    due_on: Mapped[date | None]
    message: Mapped[str | None] = mapped_column(Text)
    round: Mapped[int] = mapped_column(default=1)
    sent_at: Mapped[datetime]
    sent_by: Mapped[str] = mapped_column(String(120))
    submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None] = mapped_column(index=True)
    completed_by: Mapped[str | None] = mapped_column(String(120))
    #: the risk explanation frozen at completion (inherent and residual, with their factors)
    risk: Mapped[dict[str, Any] | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class AssessmentAnswer(IdMixin, Base):
    """The vendor's answer to one question, and the vendor manager's review of it."""

    __tablename__ = "assessment_answer"
    __table_args__ = (UniqueConstraint("assessment_id", "question_id"),)

    assessment_id: Mapped[str] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str] = mapped_column(String(20))
    #: {"value": ...}: a string, number, list of choices or None, as the question's type takes
    value: Mapped[dict[str, Any]]
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(default=clock.now)
    answered_by: Mapped[str] = mapped_column(String(120))
    review: Mapped[str] = mapped_column(String(20), default="pending")
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None]
    reviewed_by: Mapped[str | None] = mapped_column(String(120))


class AssessmentLink(IdMixin, Base):
    """A one-time link to answer an assessment without an account: only the token's SHA-256 is
    kept; it expires, and it is used up by the submission."""

    __tablename__ = "assessment_link"

    assessment_id: Mapped[str] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by: Mapped[str] = mapped_column(String(120))


class RemediationItem(IdMixin, TimestampMixin, Base):
    """Something the vendor must fix, found in review: an owner on our side, a due date."""

    __tablename__ = "remediation_item"

    assessment_id: Mapped[str] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="open")
    notes: Mapped[str | None] = mapped_column(Text)
    done_on: Mapped[date | None]


class ReassessmentDue(IdMixin, Base):
    """A vendor whose last completed assessment is older than its review cadence (flagged once
    per completed assessment, so the job can run on every worker)."""

    __tablename__ = "reassessment_due"
    __table_args__ = (UniqueConstraint("vendor_id", "last_assessment_id"),)

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    last_assessment_id: Mapped[str] = mapped_column(ForeignKey("assessment.id"))
    due_on: Mapped[date]
    flagged_at: Mapped[datetime] = mapped_column(default=clock.now)
