"""Due-diligence queries, each assessment query scoped to what the actor may see: vendor
managers and readers see all, a vendor user only its own organisation's, a one-time link only
its one assessment."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, exists, false, select
from sqlalchemy.orm import Session, aliased

from crownjewels.core.actor import Actor
from crownjewels.core.db import read
from crownjewels.core.permissions import Permission
from crownjewels.vendors.diligence.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentLink,
    QuestionnaireTemplate,
    ReassessmentDue,
    RemediationItem,
)
from crownjewels.vendors.diligence.schemas import (
    AssessmentFilter,
    AssessmentStatus,
    RemediationStatus,
)
from crownjewels.vendors.models import (
    Certification,
    VendorContact,
    VendorCountry,
    VendorProfile,
)

#: the actor kind of someone answering through a one-time link (its id is the link's id)
LINK_ACTOR = "link"


def visible_to(actor: Actor, *, organisation_id: str | None = None) -> Select[Assessment]:
    """Assessments the actor may see. `organisation_id` is the vendor user's own organisation
    (the service looks it up through parties)."""
    query = select(Assessment)
    if actor.kind == LINK_ACTOR:
        link = select(AssessmentLink.assessment_id).where(AssessmentLink.id == actor.id)
        return query.where(Assessment.id == link.scalar_subquery())
    if actor.can(Permission.VENDORS_READ):
        return query
    if actor.can(Permission.ASSESSMENTS_ANSWER) and organisation_id:
        return query.where(
            Assessment.organisation_id == organisation_id,
            Assessment.status != AssessmentStatus.CANCELLED,
        )
    return query.where(false())


def find(session: Session, query: Select[Assessment], ref: str) -> Assessment | None:
    """A visible assessment by id or reference (DD-0001)."""
    key = ref.strip()
    return session.scalar(query.where(Assessment.id == key)) or session.scalar(
        query.where(Assessment.ref == key.upper())
    )


def filtered(
    query: Select[Assessment], flt: AssessmentFilter, vendor_id: str | None, *, today: date
) -> Select[Assessment]:
    """Apply listing filters; newest first."""
    if flt.remediation_overdue:
        query = query.where(
            exists().where(
                RemediationItem.assessment_id == Assessment.id,
                RemediationItem.status == RemediationStatus.OPEN,
                RemediationItem.due_on < today,
            )
        )
    if vendor_id:
        query = query.where(Assessment.vendor_id == vendor_id)
    if flt.status:
        query = query.where(Assessment.status == flt.status)
    return query.order_by(Assessment.sent_at.desc(), Assessment.id.desc())


# --- templates ---------------------------------------------------------------------------------


def template(session: Session, key: str, version: int | None) -> QuestionnaireTemplate | None:
    """A template version, or the newest version of the key."""
    query = select(QuestionnaireTemplate).where(QuestionnaireTemplate.key == key)
    if version is not None:
        return session.scalar(query.where(QuestionnaireTemplate.version == version))
    return session.scalar(query.order_by(QuestionnaireTemplate.version.desc()).limit(1))


def templates(session: Session) -> list[QuestionnaireTemplate]:
    """Every imported template version, by key then version."""
    return list(
        session.scalars(
            select(QuestionnaireTemplate).order_by(
                QuestionnaireTemplate.key, QuestionnaireTemplate.version
            )
        )
    )


# --- vendors (same capability) ----------------------------------------------------------------


def vendor(session: Session, ref: str) -> VendorProfile | None:
    """A vendor profile by id or reference."""
    key = ref.strip()
    return session.scalar(select(VendorProfile).where(VendorProfile.id == key)) or session.scalar(
        select(VendorProfile).where(VendorProfile.ref == key.upper())
    )


def vendor_of_organisation(session: Session, organisation_id: str) -> VendorProfile | None:
    """The vendor profile of an organisation."""
    return session.scalar(
        select(VendorProfile).where(VendorProfile.organisation_id == organisation_id)
    )


def vendors(session: Session) -> list[VendorProfile]:
    """Every vendor profile."""
    return list(session.scalars(select(VendorProfile).order_by(VendorProfile.ref)))


def countries(session: Session, vendor_id: str) -> list[str]:
    """The processing countries of a vendor."""
    return list(
        session.scalars(
            select(VendorCountry.country)
            .where(VendorCountry.vendor_id == vendor_id)
            .order_by(VendorCountry.country)
        )
    )


def contacts(session: Session, vendor_id: str) -> list[VendorContact]:
    """A vendor's contacts, the primary one first."""
    return list(
        session.scalars(
            select(VendorContact)
            .where(VendorContact.vendor_id == vendor_id)
            .order_by(VendorContact.is_primary.desc(), VendorContact.name)
        )
    )


# --- answers, links, remediation --------------------------------------------------------------


def answers(session: Session, assessment_id: str) -> dict[str, AssessmentAnswer]:
    """The answers of an assessment by question id."""
    rows = session.scalars(
        select(AssessmentAnswer).where(AssessmentAnswer.assessment_id == assessment_id)
    )
    return {a.question_id: a for a in rows}


def link_by_hash(session: Session, digest: str) -> AssessmentLink | None:
    """The link whose token has this SHA-256."""
    return session.scalar(select(AssessmentLink).where(AssessmentLink.token_sha256 == digest))


def active_links(session: Session, assessment_id: str, now: datetime) -> list[AssessmentLink]:
    """An assessment's links that are neither used, withdrawn nor expired."""
    return list(
        session.scalars(
            select(AssessmentLink).where(
                AssessmentLink.assessment_id == assessment_id,
                AssessmentLink.used_at.is_(None),
                AssessmentLink.revoked_at.is_(None),
                AssessmentLink.expires_at > now,
            )
        )
    )


def remediation(session: Session, assessment_id: str) -> list[RemediationItem]:
    """An assessment's remediation items, by due date."""
    return list(
        session.scalars(
            select(RemediationItem)
            .where(RemediationItem.assessment_id == assessment_id)
            .order_by(RemediationItem.due_on, RemediationItem.created_at)
        )
    )


def last_completed(session: Session, vendor_id: str) -> Assessment | None:
    """A vendor's most recently completed assessment."""
    return session.scalar(
        select(Assessment)
        .where(Assessment.vendor_id == vendor_id, Assessment.status == AssessmentStatus.COMPLETED)
        .order_by(Assessment.completed_at.desc())
        .limit(1)
    )


def _standing_facts_query() -> Select[Any]:
    newer = aliased(Assessment)
    last_id = (
        select(newer.id)
        .where(newer.vendor_id == VendorProfile.id, newer.status == AssessmentStatus.COMPLETED)
        .order_by(newer.completed_at.desc())
        .limit(1)
        .correlate(VendorProfile)
        .scalar_subquery()
    )
    return (
        select(
            VendorProfile.ref,
            VendorProfile.review_cadence_months,
            Assessment.ref.label("last_ref"),
            Assessment.completed_at,
            # the residual level alone, read in the database: not the whole explanation
            Assessment.risk[("residual", "level")].as_string().label("residual_level"),
            # and one row per certification (its columns NULL when it has none)
            Certification.standard,
            Certification.standard_name,
            Certification.issuer,
            Certification.expires_on,
        )
        .select_from(VendorProfile)
        .outerjoin(Assessment, Assessment.id == last_id)
        .outerjoin(Certification, Certification.vendor_id == VendorProfile.id)
        .where(VendorProfile.id == bindparam("vendor_id"))
        .order_by(Certification.expires_on, Certification.created_at)
    )


#: an access decision about a vendor's staff asks it: built once, only the vendor changes
_STANDING_FACTS = _standing_facts_query()


def standing_facts(session: Session, vendor_id: str) -> list[Row[Any]]:
    """What the access rules read of a vendor's due diligence, in one query of plain columns:
    the vendor's ref and review cadence, its most recently completed assessment's ref,
    completion time and residual risk level (NULLs when it has none), on each of one row per
    certification (standard, standard_name, issuer, expires_on; soonest expiry first) or on
    one row of NULLs for them when it has none; no rows when there is no such vendor."""
    return list(read(session, _STANDING_FACTS, {"vendor_id": vendor_id}))


def has_unfinished(session: Session, vendor_id: str, statuses: frozenset[str]) -> bool:
    """True when the vendor has an assessment in one of these statuses."""
    return (
        session.scalar(
            select(Assessment.id)
            .where(Assessment.vendor_id == vendor_id, Assessment.status.in_(statuses))
            .limit(1)
        )
        is not None
    )


def already_flagged(session: Session, vendor_id: str, assessment_id: str) -> bool:
    """True when this completed assessment was already flagged as due again."""
    return (
        session.scalar(
            select(ReassessmentDue.id).where(
                ReassessmentDue.vendor_id == vendor_id,
                ReassessmentDue.last_assessment_id == assessment_id,
            )
        )
        is not None
    )


def due(session: Session, vendor_id: str) -> ReassessmentDue | None:
    """The newest reassessment flag of a vendor."""
    return session.scalar(
        select(ReassessmentDue)
        .where(ReassessmentDue.vendor_id == vendor_id)
        .order_by(ReassessmentDue.flagged_at.desc())
        .limit(1)
    )


def flags(session: Session) -> list[ReassessmentDue]:
    """Every reassessment flag, oldest due first."""
    return list(
        session.scalars(
            select(ReassessmentDue).order_by(ReassessmentDue.due_on, ReassessmentDue.id)
        )
    )


def sent_since(session: Session, vendor_id: str, moment: datetime) -> bool:
    """True when the vendor was sent an assessment (not cancelled) at or after `moment`."""
    return (
        session.scalar(
            select(Assessment.id)
            .where(
                Assessment.vendor_id == vendor_id,
                Assessment.sent_at >= moment,
                Assessment.status != AssessmentStatus.CANCELLED,
            )
            .limit(1)
        )
        is not None
    )
