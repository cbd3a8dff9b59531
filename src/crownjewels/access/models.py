"""Need-to-know grants and their approvals."""

from __future__ import annotations

from datetime import datetime

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
