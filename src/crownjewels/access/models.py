"""Need-to-know grants and their approvals."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core.models import Base, IdMixin, TimestampMixin


class Grant(IdMixin, TimestampMixin, Base):
    """A person (or all active staff of an organisation: a group grant, expanded into one
    member grant per person) × a secret or one of its documents, at an access level, for a
    purpose, until an expiry."""

    __tablename__ = "access_grant"
    __table_args__ = (Index("ix_access_grant_person_secret", "person_id", "secret_id", "status"),)

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: the group grant this member grant was expanded from
    group_id: Mapped[str | None] = mapped_column(ForeignKey("access_grant.id"), index=True)
    secret_id: Mapped[str] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    level: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(120))
    requester_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    approvals_needed: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    starts_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    last_used_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)


class GrantApproval(IdMixin, Base):
    """One approver's yes (or no) on a grant; highly sensitive secrets need two yeses."""

    __tablename__ = "access_grant_approval"
    __table_args__ = (UniqueConstraint("grant_id", "approver_person_id"),)

    grant_id: Mapped[str] = mapped_column(ForeignKey("access_grant.id", ondelete="CASCADE"))
    approver_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    approver: Mapped[str] = mapped_column(String(120))
    approved: Mapped[bool]
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime]


class ReviewCampaign(IdMixin, TimestampMixin, Base):
    """An access review: every live grant gets one item decided by its secret's owner."""

    __tablename__ = "access_review_campaign"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: who reviews: "secret-owner" (the only scope so far)
    scope: Mapped[str] = mapped_column(String(40), default="secret-owner")
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), index=True)
    started_by: Mapped[str] = mapped_column(String(120))
    closed_at: Mapped[datetime | None]


class ReviewItem(IdMixin, Base):
    """One grant under review: confirm keeps it, revoke revokes it."""

    __tablename__ = "access_review_item"
    __table_args__ = (UniqueConstraint("campaign_id", "grant_id"),)

    campaign_id: Mapped[str] = mapped_column(
        ForeignKey("access_review_campaign.id", ondelete="CASCADE"), index=True
    )
    grant_id: Mapped[str] = mapped_column(ForeignKey("access_grant.id"))
    reviewer_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    flagged_unused: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[datetime | None]


class Offboarding(IdMixin, Base):
    """Offboarding a person or a whole vendor organisation: grants revoked, the exit
    attestation, the return-or-destruction certificate, completion."""

    __tablename__ = "access_offboarding"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    started_by: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime]
    grants_revoked: Mapped[int] = mapped_column(default=0)
    exit_attestation_id: Mapped[str | None] = mapped_column(String(36))
    certificate_document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    statement_sha256: Mapped[str | None] = mapped_column(String(64))
    statement: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), index=True)
