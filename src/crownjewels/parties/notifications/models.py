"""The mail outbox and the kinds of mail a person turned off."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core.models import Base, IdMixin


class MailMessage(IdMixin, Base):
    """One message of the outbox: queued in the write that caused it, sent after the commit,
    retried with backoff until it goes out; `sent_at` once it did."""

    __tablename__ = "mail_outbox"

    #: the person it is for (None: a vendor contact known only by email)
    recipient_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    recipient_email: Mapped[str] = mapped_column(String(320))
    recipient_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    #: what stays stored once sent, when the body carries a one-time secret (a link's token)
    kept_body: Mapped[str | None] = mapped_column(Text)
    #: one message per key (a reminder per agreement and threshold), so jobs can run again
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    sent_at: Mapped[datetime | None]


class MailPreference(Base):
    """A kind of mail a person turned off (no row: they receive it)."""

    __tablename__ = "mail_preference"

    person_id: Mapped[str] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    changed_at: Mapped[datetime]
