"""Trade secrets, where they live, and their reviews."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crownjewels.core import clock
from crownjewels.core.models import Base, IdMixin, TimestampMixin


class TradeSecret(IdMixin, TimestampMixin, Base):
    """One registered trade secret (metadata; the secret itself need not be stored)."""

    __tablename__ = "trade_secret"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)
    description_sha256: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(30), index=True)
    tier: Mapped[str] = mapped_column(String(30), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    business_unit: Mapped[str | None] = mapped_column(String(200))
    estimated_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    development_cost: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    allowed_regions: Mapped[list[str]]
    #: holds personal data (GDPR Art. 4(1), PIPL Art. 4): its transfers abroad are restricted
    personal_data: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: where the data subjects are (ISO 3166 alpha-2), shown with every transfer decision
    data_subject_regions: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    secrecy_assessment: Mapped[dict[str, Any]]
    legal_tests: Mapped[dict[str, Any]]
    review_cadence_days: Mapped[int]
    next_review_on: Mapped[date] = mapped_column(index=True)
    last_reviewed_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    legend: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    locations: Mapped[list[SecretLocation]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="SecretLocation.created_at"
    )

    __mapper_args__ = {"version_id_col": version}


class SecretLocation(IdMixin, Base):
    """Where a copy of a secret lives (repository, drive, system, vendor) and who owns it."""

    __tablename__ = "secret_location"

    secret_id: Mapped[str] = mapped_column(
        ForeignKey("trade_secret.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    #: the country where this copy is held (a German subsidiary's drive: DE); personal data is
    #: exported from here, so this country's transfer regime applies
    country: Mapped[str | None] = mapped_column(String(2))
    notes: Mapped[str | None] = mapped_column(Text)
    #: where monitoring finds this copy in other systems' activity: URL prefixes
    #: (https://github.com/acme/ingest), path globs (/srv/sftp/recipes/**), s3://bucket/prefix
    patterns: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class SecretReview(IdMixin, Base):
    """A periodic review of a secret: still secret, still valuable, measures adequate."""

    __tablename__ = "secret_review"

    secret_id: Mapped[str] = mapped_column(
        ForeignKey("trade_secret.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    reviewer: Mapped[str] = mapped_column(String(120))
    reviewed_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(30))
    notes: Mapped[str | None] = mapped_column(Text)
    next_review_on: Mapped[date]
