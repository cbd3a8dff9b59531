"""Reassessment on a schedule: flag each vendor whose last completed assessment is older than
its review cadence (once per completed assessment, so every worker may run it), and list the
flagged vendors not yet sent a new questionnaire."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.vendors.diligence import reads, repository, rules
from crownjewels.vendors.diligence.models import Assessment, ReassessmentDue
from crownjewels.vendors.diligence.schemas import UNFINISHED, ReassessmentRead
from crownjewels.vendors.models import VendorProfile


def flag_reassessments(session: Session, *, actor: Actor) -> list[str]:
    """Record REASSESSMENT_DUE for each vendor whose last completed assessment is older than its
    review cadence and that has no assessment under way; once per completed assessment."""
    today = clock.today()
    flagged: list[str] = []
    for vendor in repository.vendors(session):
        last = repository.last_completed(session, vendor.id)
        if last is None or last.completed_at is None:
            continue
        done_on = last.completed_at.date()
        if not rules.is_reassessment_due(done_on, vendor.review_cadence_months, today=today):
            continue
        if repository.already_flagged(session, vendor.id, last.id) or repository.has_unfinished(
            session, vendor.id, frozenset(s.value for s in UNFINISHED)
        ):
            continue
        due_on = rules.reassessment_due_on(done_on, vendor.review_cadence_months)
        session.add(ReassessmentDue(vendor_id=vendor.id, last_assessment_id=last.id, due_on=due_on))
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.REASSESSMENT_DUE,
            subject_type="vendor",
            subject_id=vendor.id,
            details={"last_assessment": last.ref, "completed_on": done_on, "due_on": due_on},
        )
        flagged.append(vendor.ref)
    return flagged


def reassessments_due(session: Session, *, actor: Actor) -> list[ReassessmentRead]:
    """Vendors flagged as due for reassessment that were not sent a new questionnaire since."""
    actor.require(Permission.VENDORS_READ)
    out = []
    for flag in repository.flags(session):
        if repository.sent_since(session, flag.vendor_id, flag.flagged_at):
            continue
        vendor = session.get(VendorProfile, flag.vendor_id)
        last = session.get(Assessment, flag.last_assessment_id)
        assert vendor is not None
        assert last is not None
        name = reads.read(session, actor, last).vendor_name
        out.append(
            ReassessmentRead(
                vendor_ref=vendor.ref,
                vendor_name=name,
                last_assessment_ref=last.ref,
                due_on=flag.due_on,
                flagged_at=flag.flagged_at,
            )
        )
    return out
