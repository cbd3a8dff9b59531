"""The demo company's training and need-to-know access: courses and completions (one vendor
analyst's handling course lapsed), the standard employee confidentiality agreement, notices
acknowledged, and grants in each state so every screen of the access capability has content."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.schemas import GrantRequest
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonFilter
from crownjewels.training import service as training
from crownjewels.training.schemas import CompletionCreate, CourseCreate

COURSES = (
    ("TS-101", "Trade-secret handling", "trade-secret-handling", 365, "all"),
    ("SEC-201", "Security awareness", "security-awareness", 365, "employees"),
    ("PH-01", "Phishing simulation (quarterly)", "phishing-simulation", 90, "none"),
    ("VC-01", "Vendor compliance workshop", "vendor-compliance-workshop", 730, "vendor-staff"),
)
#: (email local part, course, days ago): a lapsed course and a failed phishing simulation
EXCEPTIONS = {("rohan.gupta", "TS-101"): 400, ("kevin.obrien", "SEC-201"): 420}
#: the claims playbook the demo vendor works with
PLAYBOOK = "TS-0010"
POLICY_TEXT = (
    "I have read the Trade-Secret Protection Policy. I will use confidential information only for "
    "my assigned work, keep it within the systems provided for it, never copy it to personal "
    "devices or accounts, and report any suspected disclosure to security at once."
)


def notice_text(secret_ref: str, name: str, legend: str, purpose: str) -> str:
    """The confidentiality notice a recipient acknowledges before first access to a secret."""
    return (
        f"{legend}\n\nYou are being given access to {secret_ref} \u201c{name}\u201d for this "
        f"purpose only: {purpose}. It is a trade secret of its owner. You will not disclose, copy "
        "or use it for anything else, you will keep every copy within the systems provided, and "
        "you will return or destroy every copy when your access ends or when asked."
    )


def _people(session: Session, actor: Actor) -> list[tuple[str, str, str]]:
    people, _ = parties.list_people(
        session, actor=actor, filters=PersonFilter(), page=PageParams(limit=500)
    )
    return [(p.id, p.email, p.kind.value) for p in people if p.status.value != "departed"]


def _seed_training(session: Session, compliance: Actor, people: list[tuple[str, str, str]]) -> None:
    today = clock.today()
    for code, name, kind, days, required in COURSES:
        training.create_course(
            session,
            actor=compliance,
            data=CourseCreate(
                code=code, name=name, kind=kind, validity_days=days, required_for=required
            ),
        )
    for i, (pid, email, kind) in enumerate(people):
        local = email.split("@")[0]
        for code, _name, _k, _days, required in COURSES:
            needed = (
                required == "all"
                or (required == "employees" and kind != "vendor-staff")
                or (required == "vendor-staff" and kind == "vendor-staff")
            )
            if not needed and code != "PH-01":
                continue
            ago = EXCEPTIONS.get((local, code), 20 + (i * 13) % 200)
            result = "failed" if code == "PH-01" and i % 7 == 3 else "passed"
            training.record_completion(
                session,
                actor=compliance,
                data=CompletionCreate(
                    person=pid,
                    course=code,
                    completed_on=today - timedelta(days=min(ago, 80) if code == "PH-01" else ago),
                    result=result,
                ),
            )
        if kind != "vendor-staff":
            training.acknowledge(
                session,
                actor=compliance,
                person_id=pid,
                kind="trade-secret-policy",
                text=POLICY_TEXT,
                channel="web",
            )


def _seed_employee_agreement(
    session: Session, legal: Actor, people: list[tuple[str, str, str]]
) -> None:
    today = clock.today()
    staff = [email for _pid, email, kind in people if kind != "vendor-staff"]
    agreements.create(
        session,
        actor=legal,
        data=AgreementCreate.model_validate(
            {
                "kind": "employee-confidentiality",
                "title": "Standard employee confidentiality and invention assignment",
                "status": "in_force",
                "effective_on": today - timedelta(days=1200),
                "governing_law": "US",
                "governing_law_subdivision": "US-MA",
                "parties": [{"person": email, "role": "recipient"} for email in staff],
                "signatories": [{"name": "Rachel Okafor", "title": "General Counsel"}],
            }
        ),
    )


def _grant(
    session: Session,
    requester: Actor,
    approvers: list[Actor],
    *,
    person: str,
    secret: str,
    level: Level,
    purpose: str,
    days: int,
    acknowledge_as: Actor | None = None,
) -> str:
    read = inventory.get(session, actor=requester, secret_ref=secret)
    if acknowledge_as is not None and acknowledge_as.person_id:
        training.acknowledge(
            session,
            actor=acknowledge_as,
            person_id=acknowledge_as.person_id,
            kind="secret-notice",
            secret_id=read.id,
            channel="portal",
            text=notice_text(read.ref, read.name, read.legend, purpose),
        )
    grant = access.request_grant(
        session,
        actor=requester,
        data=GrantRequest(
            person=person,
            secret=read.id,
            level=level,
            purpose=purpose,
            expires_at=clock.now() + timedelta(days=days),
        ),
    )
    for approver in approvers:
        access.approve(session, actor=approver, grant_ref=grant.ref, note="need confirmed")
    return grant.ref


def seed(
    session: Session, actor: Actor, users: dict[Role, Actor], email: Callable[[str, str], str]
) -> None:
    """Training, the employee agreement, acknowledgements and grants of the demo company;
    `email(org, local)` gives a demo person's address."""
    people = _people(session, actor)
    _seed_training(session, users[Role.COMPLIANCE], people)
    _seed_employee_agreement(session, users[Role.LEGAL], people)
    _grant(
        session,
        users[Role.VENDOR_MANAGER],
        [users[Role.SECRET_OWNER]],
        person=email("lotus", "arjun.mehta"),
        secret=PLAYBOOK,
        level=Level.DOWNLOAD,
        days=300,
        acknowledge_as=users[Role.VENDOR_USER],
        purpose="Process NW-3 claims appeals for US payers under SOW-7",
    )
    # waiting for its owner's approval: the five-minute tour approves it
    access.request_grant(
        session,
        actor=users[Role.VENDOR_MANAGER],
        data=GrantRequest(
            person=email("lotus", "kavya.nair"),
            secret=PLAYBOOK,
            level=Level.VIEW,
            purpose="Train the new appeals analysts in Pune",
            expires_at=clock.now() + timedelta(days=120),
        ),
    )
