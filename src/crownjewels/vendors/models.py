"""Vendor profiles: what a vendor does for us, how critical it is, where it processes our data,
its subcontractors, certifications, contacts, and the transfer mechanisms and transfer impact
assessments under which personal data may reach it across a border."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crownjewels.core import clock
from crownjewels.core.models import Base, IdMixin, TimestampMixin


class VendorProfile(IdMixin, TimestampMixin, Base):
    """The vendor file of one organisation of kind vendor (parties owns the organisation)."""

    __tablename__ = "vendor_profile"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisation.id"), unique=True)
    services: Mapped[str] = mapped_column(Text)
    criticality: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    status_changed_at: Mapped[datetime | None]
    activated_on: Mapped[date | None]
    offboarded_on: Mapped[date | None]
    review_cadence_months: Mapped[int]
    last_reviewed_on: Mapped[date | None]
    next_review_on: Mapped[date] = mapped_column(index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    countries: Mapped[list[VendorCountry]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="VendorCountry.country"
    )

    __mapper_args__ = {"version_id_col": version}


class VendorCountry(IdMixin, Base):
    """A country (ISO 3166 alpha-2) where the vendor processes or stores our data."""

    __tablename__ = "vendor_country"
    __table_args__ = (UniqueConstraint("vendor_id", "country"),)

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    country: Mapped[str] = mapped_column(String(2), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Subcontractor(IdMixin, Base):
    """One link of a subcontractor chain: `vendor` hands part of its service to `subcontractor`."""

    __tablename__ = "vendor_subcontractor"
    __table_args__ = (UniqueConstraint("vendor_id", "subcontractor_id"),)

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    subcontractor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    service: Mapped[str] = mapped_column(Text)
    countries: Mapped[list[str]]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Certification(IdMixin, Base):
    """A security or privacy certification the vendor holds; the certificate sits in the vault."""

    __tablename__ = "vendor_certification"

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    standard: Mapped[str] = mapped_column(String(30))
    standard_name: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str | None] = mapped_column(Text)
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None] = mapped_column(index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class VendorContact(IdMixin, Base):
    """Someone at the vendor we deal with; the primary one receives questionnaires."""

    __tablename__ = "vendor_contact"

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    is_primary: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class TransferMechanism(IdMixin, Base):
    """A cross-border transfer mechanism with the vendor (SCCs with their module, BCRs, a
    derogation with its ground, a China standard contract with its filing date…) for one
    origin regime, covering some destinations (none listed: every destination). Revoked, not
    deleted: the custody log and the page keep what was in force when."""

    __tablename__ = "vendor_transfer_mechanism"

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    regime: Mapped[str] = mapped_column(String(10))
    countries: Mapped[list[str]]
    module: Mapped[str | None] = mapped_column(String(3))
    ground: Mapped[str | None] = mapped_column(String(60))
    filed_on: Mapped[date | None]
    effective_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    reference: Mapped[str | None] = mapped_column(String(300))
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by: Mapped[str] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(120))
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class TransferAssessment(IdMixin, Base):
    """A transfer impact assessment of one destination for one origin regime: its date,
    outcome and the assessment document (in the vault). Revoked, not deleted."""

    __tablename__ = "vendor_transfer_assessment"

    vendor_id: Mapped[str] = mapped_column(
        ForeignKey("vendor_profile.id", ondelete="CASCADE"), index=True
    )
    regime: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2))
    assessed_on: Mapped[date]
    outcome: Mapped[str] = mapped_column(String(30))
    summary: Mapped[str | None] = mapped_column(Text)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by: Mapped[str] = mapped_column(String(120))
    revoked_at: Mapped[datetime | None]
    revoked_by: Mapped[str | None] = mapped_column(String(120))
    revoked_reason: Mapped[str | None] = mapped_column(Text)
