"""Every query of a vendor's transfer mechanisms and assessments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.vendors.models import TransferAssessment, TransferMechanism, VendorProfile


def mechanisms(session: Session, vendor_id: str) -> list[TransferMechanism]:
    """The vendor's mechanisms, newest first, revoked ones included."""
    return list(
        session.scalars(
            select(TransferMechanism)
            .where(TransferMechanism.vendor_id == vendor_id)
            .order_by(TransferMechanism.created_at.desc())
        )
    )


def assessments(session: Session, vendor_id: str) -> list[TransferAssessment]:
    """The vendor's assessments, latest assessment first, revoked ones included."""
    return list(
        session.scalars(
            select(TransferAssessment)
            .where(TransferAssessment.vendor_id == vendor_id)
            .order_by(TransferAssessment.assessed_on.desc(), TransferAssessment.created_at.desc())
        )
    )


def live_mechanisms_of(session: Session, organisation_id: str) -> list[TransferMechanism]:
    """The mechanisms not revoked of the organisation's vendor profile (none without one)."""
    return list(
        session.scalars(
            select(TransferMechanism)
            .join(VendorProfile, VendorProfile.id == TransferMechanism.vendor_id)
            .where(
                VendorProfile.organisation_id == organisation_id,
                TransferMechanism.revoked_at.is_(None),
            )
        )
    )


def live_assessments_of(session: Session, organisation_id: str) -> list[TransferAssessment]:
    """The assessments not revoked of the organisation's vendor profile (none without one)."""
    return list(
        session.scalars(
            select(TransferAssessment)
            .join(VendorProfile, VendorProfile.id == TransferAssessment.vendor_id)
            .where(
                VendorProfile.organisation_id == organisation_id,
                TransferAssessment.revoked_at.is_(None),
            )
        )
    )
