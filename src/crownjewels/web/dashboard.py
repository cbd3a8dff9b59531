"""What the dashboard shows an actor: the posture of the secrets they may see, and the counts
that wait for someone (agreements expiring, grants to approve, questionnaires to review,
access reviews due, vendors due for review, the custody state), each with the filtered list
behind it. Each panel is gathered only when the actor's permissions allow it (None else)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.posture import service as posture
from crownjewels.access.posture.schemas import Posture
from crownjewels.access.reviews import service as reviews
from crownjewels.access.schemas import GrantFilter, GrantStatus
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementFilter
from crownjewels.core.actor import Actor
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission, Role
from crownjewels.custody import checkpoints
from crownjewels.custody import service as custody
from crownjewels.incidents.reports import service as reports
from crownjewels.vendors import service as vendors
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import AssessmentFilter, AssessmentStatus
from crownjewels.vendors.schemas import VendorFilter

P = Permission
#: the windows of the agreements panel, in days
WINDOWS = (30, 60, 90)
#: how far ahead a certificate's expiry counts as soon
CERTIFICATE_DAYS = 90
#: a count is all a panel needs of a list
ONE = PageParams(limit=1)


@dataclass(frozen=True)
class Count:
    """A number that waits for someone, and the list behind it."""

    label: str
    count: int
    href: str


@dataclass(frozen=True)
class CustodyState:
    """Where the custody log stands: its newest event and its newest signed checkpoint."""

    events: int
    last_event_at: datetime | None
    checkpoint_size: int | None
    checkpoint_at: datetime | None
    timestamped: bool
    #: the newest recorded intact verification of the chain: when, by whom (actor ref)
    verified_at: datetime | None = None
    verified_by: str | None = None


def posture_of(session: Session, actor: Actor) -> Posture | None:
    """The posture of the secrets the actor may see (a secret owner: their own)."""
    if not (actor.can(P.SECRETS_READ_ALL) or actor.can(P.SECRETS_READ_OWN)):
        return None
    return posture.posture(session, actor=actor)


@dataclass(frozen=True)
class Panel:
    """A group of numbers that wait for one kind of person (access, vendors, agreements)."""

    key: str
    title: str
    counts: list[Count]


#: the panel a role looks at first (the rest follow in the default order)
_FIRST = (
    (Role.AUDITOR, "custody"),
    (Role.LEGAL, "agreements"),
    (Role.VENDOR_MANAGER, "vendors"),
    (Role.CASE_HANDLER, "reports"),
)
_ORDER = ("posture", "access", "agreements", "vendors", "reports", "custody")


def order(actor: Actor) -> list[str]:
    """The panels in the order the actor reads them: their own role's first."""
    keys = list(_ORDER)
    if Role.ADMIN not in actor.roles:
        for role, key in reversed(_FIRST):
            if role in actor.roles:
                keys.remove(key)
                keys.insert(0, key)
    return keys


def work(session: Session, actor: Actor) -> list[Panel]:
    """What waits for someone, per panel, as far as the actor's permissions allow."""
    out = []
    if actor.can(P.GRANTS_READ) or actor.can(P.GRANTS_DECIDE):
        flt = GrantFilter(status=GrantStatus.REQUESTED)
        grants = access.list_grants(session, actor=actor, filters=flt)
        due = reviews.overdue(session, actor=actor)
        counts = [
            Count("grants waiting for approval", len(grants), _grants_href()),
            Count("access review items overdue", len(due), "/access/reviews#overdue"),
        ]
        out.append(Panel("access", "Access", counts))
    if actor.can(P.AGREEMENTS_READ):
        out.append(Panel("agreements", "Agreements", _agreements_work(session, actor)))
    if actor.can(P.VENDORS_READ) and actor.can(P.VENDORS_WRITE):
        out.append(Panel("vendors", "Vendors", _vendor_work(session, actor)))
    if actor.can(P.REPORTS_HANDLE):
        out.append(Panel("reports", "Report channel", _report_work(session, actor)))
    return out


def _report_work(session: Session, actor: Actor) -> list[Count]:
    """The reports to acknowledge and to answer (the overdue ones apart), the approvals of
    actions against protected people to decide."""
    waiting = reports.waiting(session, actor=actor)
    return [
        Count("reports to acknowledge", waiting.to_acknowledge, "/reports?status=received"),
        Count("reports waiting for feedback", waiting.to_answer, "/reports"),
        Count("reports past a deadline", waiting.overdue, "/reports"),
        Count("approvals to decide", waiting.approvals, "/reports/approvals"),
    ]


def _agreements_work(session: Session, actor: Actor) -> list[Count]:
    """Clause findings legal has not decided (for those who decide them), then the agreements
    in force that expire within 30, 60 and 90 days."""
    out = []
    if actor.can(P.AGREEMENTS_REVIEW):
        flt = AgreementFilter(findings_to_decide=True)
        _, total = agreements.list_agreements(session, actor=actor, filters=flt, page=ONE)
        href = "/agreements?findings=undecided"
        out.append(Count("agreements with clause findings to decide", total, href))
    for days in WINDOWS:
        flt = AgreementFilter(expiring_within_days=days)
        _, total = agreements.list_agreements(session, actor=actor, filters=flt, page=ONE)
        label = f"agreements expiring within {days} days"
        out.append(Count(label, total, f"/agreements?expiring={days}"))
    return out


def _vendor_work(session: Session, actor: Actor) -> list[Count]:
    """What waits for the vendor manager: answers to review, remediation past due, vendors
    whose certificate lapses soon, vendors due for their periodic review."""
    submitted = AssessmentFilter(status=AssessmentStatus.SUBMITTED)
    _, answered = diligence.list_assessments(session, actor=actor, filters=submitted, page=ONE)
    late = AssessmentFilter(remediation_overdue=True)
    _, remediation = diligence.list_assessments(session, actor=actor, filters=late, page=ONE)
    certs = VendorFilter(certificate_expiring=CERTIFICATE_DAYS)
    _, expiring = vendors.list_vendors(session, actor=actor, filters=certs, page=ONE)
    reassess = len(diligence.reassessments_due(session, actor=actor))
    _, due = vendors.list_vendors(
        session, actor=actor, filters=VendorFilter(review_due=True), page=ONE
    )
    return [
        Count("questionnaires waiting for review", answered, "/assessments?status=submitted"),
        Count(
            "assessments with remediation overdue", remediation, "/assessments?remediation=overdue"
        ),
        Count(
            f"vendors with a certificate expiring within {CERTIFICATE_DAYS} days",
            expiring,
            f"/vendors?certificate_expiring={CERTIFICATE_DAYS}",
        ),
        Count("vendors due for reassessment", reassess, "/assessments#reassessments-due"),
        Count("vendors due for review", due, "/vendors?review_due=true"),
    ]


def _grants_href() -> str:
    return f"/access/grants?status={GrantStatus.REQUESTED.value}"


def custody_state(session: Session, actor: Actor) -> CustodyState | None:
    """The newest custody event and the newest signed checkpoint, with their dates."""
    if not actor.can(P.CUSTODY_READ):
        return None
    newest = custody.recent(session, limit=1)
    signed, _ = checkpoints.list_checkpoints(session, actor=actor, limit=1)
    last = signed[0] if signed else None
    verified = custody.last_verification(session)
    return CustodyState(
        verified_at=verified.recorded_at if verified else None,
        verified_by=verified.actor if verified else None,
        events=newest[0].seq if newest else 0,
        last_event_at=newest[0].recorded_at if newest else None,
        checkpoint_size=last.tree_size if last else None,
        checkpoint_at=last.signed_at if last else None,
        timestamped=bool(last and last.timestamped),
    )
