"""Agreements (NDA, MSA, DPA, SOW, confidentiality agreements), their parties, scope,
signatories, document versions and the clause findings of each analysed version."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crownjewels.core import clock
from crownjewels.core.models import Base, IdMixin, TimestampMixin


class Agreement(IdMixin, TimestampMixin, Base):
    """One agreement: kind, status, dates, survival, governing law, forum and scope."""

    __tablename__ = "agreement"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    terminated_on: Mapped[date | None]
    effective_on: Mapped[date | None] = mapped_column(index=True)
    expires_on: Mapped[date | None] = mapped_column(index=True)
    survival_years: Mapped[int | None]
    trade_secrets_survive: Mapped[bool] = mapped_column(default=True)
    governing_law: Mapped[str | None] = mapped_column(String(2))
    governing_law_subdivision: Mapped[str | None] = mapped_column(String(10))
    forum: Mapped[str | None] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(20), default="all")
    renewal_notice_days: Mapped[int] = mapped_column(default=60)
    #: hours within which a party must notify the other of a breach or a suspected disclosure
    #: (the contractual clock of an incident concerning this agreement)
    breach_notice_hours: Mapped[int | None]
    #: the expiry date whose renewal reminder was recorded (one reminder per renewal window)
    renewal_flagged_for: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    parties: Mapped[list[AgreementParty]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AgreementParty.created_at"
    )
    scope_items: Mapped[list[AgreementScope]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AgreementScope.created_at"
    )
    signatories: Mapped[list[Signatory]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Signatory.created_at"
    )

    __mapper_args__ = {"version_id_col": version}


class AgreementParty(IdMixin, Base):
    """A party to an agreement: an organisation or a person, in a role (discloser, recipient)."""

    __tablename__ = "agreement_party"

    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (
        CheckConstraint("(organisation_id IS NULL) <> (person_id IS NULL)", name="one_party"),
    )


class AgreementScope(IdMixin, Base):
    """One item of a scope: a named trade secret, or a category of secrets."""

    __tablename__ = "agreement_scope"

    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    secret_id: Mapped[str | None] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    category: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (
        CheckConstraint("(secret_id IS NULL) <> (category IS NULL)", name="one_item"),
    )


class Signatory(IdMixin, Base):
    """Who signed for a party, with their title and the signature date."""

    __tablename__ = "agreement_signatory"

    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[str | None] = mapped_column(
        ForeignKey("agreement_party.id", ondelete="SET NULL")
    )
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    signed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class AgreementVersion(IdMixin, Base):
    """One uploaded version of the agreement's document (kept encrypted in the vault) and,
    once analysed, the hash of the text its findings' offsets refer to."""

    __tablename__ = "agreement_version"

    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"))
    document_version: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str | None] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.now)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    analysed_at: Mapped[datetime | None]
    analysed_by: Mapped[str | None] = mapped_column(String(120))
    jurisdiction: Mapped[str | None] = mapped_column(String(10))

    __table_args__ = (UniqueConstraint("agreement_id", "number"),)


class ClauseFinding(IdMixin, Base):
    """The analyser's verdict on one requirement for one version, and legal's review of it."""

    __tablename__ = "clause_finding"

    version_id: Mapped[str] = mapped_column(
        ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    requirement: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    # [{start, end, digest}] into the analysed text: never the sentences (agreements/evidence.py)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text)
    strictness: Mapped[str] = mapped_column(String(20))
    review: Mapped[str | None] = mapped_column(String(20))
    review_status: Mapped[str | None] = mapped_column(String(20))
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None]

    __table_args__ = (UniqueConstraint("version_id", "requirement"),)
