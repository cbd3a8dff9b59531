"""Courses, completions and attestations."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core.models import Base, IdMixin, TimestampMixin


class Course(IdMixin, TimestampMixin, Base):
    """A course (or a phishing simulation, a workshop) and whom it is required of."""

    __tablename__ = "training_course"

    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    validity_days: Mapped[int | None]
    required_for: Mapped[str] = mapped_column(String(20), default="none")
    status: Mapped[str] = mapped_column(String(20), default="active")


class Completion(IdMixin, Base):
    """A person's result in a course: passed or failed, on a date, current until its expiry."""

    __tablename__ = "training_completion"
    __table_args__ = (Index("ix_training_completion_person_course", "person_id", "course_id"),)

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    course_id: Mapped[str] = mapped_column(ForeignKey("training_course.id"), index=True)
    completed_on: Mapped[date]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    result: Mapped[str] = mapped_column(String(10))
    score: Mapped[float | None]
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime]


class Attestation(IdMixin, Base):
    """A person's acknowledgement of an exact text: a secret's notice, the trade-secret policy,
    their exit obligations; the text and its SHA-256 are kept."""

    __tablename__ = "training_attestation"
    __table_args__ = (
        Index("ix_training_attestation_person_kind", "person_id", "kind", "secret_id"),
    )

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(30))
    secret_id: Mapped[str | None] = mapped_column(ForeignKey("trade_secret.id"))
    text: Mapped[str] = mapped_column(Text)
    text_sha256: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(20))
    acknowledged_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(120))
