"""Training service against a real database: courses, completions, LMS import, attestations."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.training import service
from crownjewels.training.errors import DuplicateCourse, ImportFileError, InvalidTraining
from crownjewels.training.models import Completion
from crownjewels.training.schemas import CompletionCreate, CourseCreate
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person


@pytest.fixture
def people(session: Session, admin: Actor) -> dict[str, str]:
    vendor = make_org(session, admin, name="Lotus Process Services")
    ana = make_person(session, admin, org=vendor, name="Ana Vendor", country="IN")
    return {"ana": ana.id, "ana_email": ana.email}


@pytest.fixture
def courses(session: Session, admin: Actor) -> None:
    service.create_course(
        session,
        actor=admin,
        data=CourseCreate(
            code="ts-101", name="Trade-secret handling", validity_days=365, required_for="all"
        ),
    )  # type: ignore[arg-type]
    service.create_course(
        session,
        actor=admin,
        data=CourseCreate(
            code="VC-01", name="Vendor workshop", validity_days=730, required_for="vendor-staff"
        ),
    )  # type: ignore[arg-type]


def _events(session: Session, kind: str) -> int:
    custody.flush(session)
    return len(session.scalars(select(CustodyEvent).where(CustodyEvent.event_type == kind)).all())


def test_required_missing_until_completed(
    session: Session, admin: Actor, people: dict[str, str], courses: None
) -> None:
    today = clock.today()
    missing = service.required_missing(session, person_id=people["ana"], on=today)
    assert [m.code for m in missing] == ["TS-101", "VC-01"]
    assert all(m.expired_on is None for m in missing)
    # the kinds a caller has already read decide as the ones read here (a vendor's people are
    # vendor staff), and they are the ones used: an employee of our own owes no vendor course
    read_again = service.required_missing(
        session, person_id=people["ana"], on=today, kinds=("employee", "vendor")
    )
    assert read_again == missing
    own = service.required_missing(
        session, person_id=people["ana"], on=today, kinds=("employee", "own")
    )
    assert [m.code for m in own] == ["TS-101"]
    service.record_completion(
        session,
        actor=admin,
        data=CompletionCreate(
            person=people["ana_email"], course="TS-101", completed_on=today - timedelta(days=400)
        ),
    )
    service.record_completion(
        session,
        actor=admin,
        data=CompletionCreate(
            person=people["ana"], course="vc-01", completed_on=today - timedelta(days=3)
        ),
    )
    missing = service.required_missing(session, person_id=people["ana"], on=today)
    assert [(m.code, m.expired_on) for m in missing] == [
        ("TS-101", today - timedelta(days=400) + timedelta(days=365))
    ]
    assert _events(session, "TRAINING_COMPLETION_RECORDED") == 2
    assert service.expired_required(session, on=today) == [(people["ana"], "TS-101")]


def test_duplicate_course_and_future_completion(
    session: Session, admin: Actor, people: dict[str, str], courses: None
) -> None:
    with pytest.raises(DuplicateCourse, match="TS-101 exists"):
        service.create_course(session, actor=admin, data=CourseCreate(code="TS-101", name="Again"))
    with pytest.raises(InvalidTraining, match="in the future"):
        service.record_completion(
            session,
            actor=admin,
            data=CompletionCreate(
                person=people["ana"],
                course="TS-101",
                completed_on=clock.today() + timedelta(days=1),
            ),
        )


def test_import_is_all_or_nothing_with_line_numbers(
    session: Session, admin: Actor, people: dict[str, str], courses: None
) -> None:
    bad = (
        "\ufeffEmail,Course,Completed_On,Result,Score\n"
        f"{people['ana_email']},TS-101,2026-01-05,passed,91\n"
        f"{people['ana_email']},TS-101,05/01/2026,passed,\n"
        "nobody@example.com,VC-01,2026-01-05,passed,\n"
        f"{people['ana_email']},VC-01,2026-01-05,maybe,\n"
    )
    with pytest.raises(ImportFileError) as caught:
        service.import_completions(session, actor=admin, text=bad, source="lms.csv")
    assert [line for line, _ in caught.value.problems] == [3, 5]
    assert "lms.csv:3: the completion date '05/01/2026' is not a date" in caught.value.message
    assert session.scalars(select(Completion)).all() == []
    unknown = "email,course,completed_on,result\nnobody@example.com,VC-01,2026-01-05,passed\n"
    with pytest.raises(ImportFileError, match=r"lms\.csv:2: no person"):
        service.import_completions(session, actor=admin, text=unknown, source="lms.csv")
    with pytest.raises(ImportFileError, match="missing column"):
        service.import_completions(session, actor=admin, text="email,course\n", source="lms.csv")


def test_import_records_skips_duplicates_and_dry_runs(
    session: Session, admin: Actor, people: dict[str, str], courses: None
) -> None:
    good = (
        "email,course,completed_on,result,score\n"
        f"{people['ana_email']},TS-101,2026-01-05,pass,91\n"
        f"{people['ana_email']},VC-01,2026-01-06,passed,\n"
    )
    dry = service.import_completions(session, actor=admin, text=good, dry_run=True)
    assert (dry.rows, dry.recorded, dry.dry_run) == (2, 2, True)
    assert session.scalars(select(Completion)).all() == []
    done = service.import_completions(session, actor=admin, text=good)
    assert done.recorded == 2
    again = service.import_completions(session, actor=admin, text=good)
    assert (again.recorded, again.skipped_duplicates) == (0, 2)
    assert _events(session, "TRAINING_COMPLETIONS_IMPORTED") == 2
    rows = session.scalars(select(Completion).order_by(Completion.completed_on)).all()
    assert rows[0].expires_on == date(2027, 1, 5) and rows[0].source == "lms-import"


def test_attestation_keeps_the_text_and_its_hash(
    session: Session, admin: Actor, people: dict[str, str]
) -> None:
    text = "I acknowledge the confidentiality notice of TS-0001."
    made = service.acknowledge(
        session,
        actor=admin,
        person_id=people["ana"],
        kind="secret-notice",
        secret_id=_a_secret(session, admin),
        text=text,
        channel="portal",
    )
    assert made.text_sha256 == hashlib.sha256(text.encode()).hexdigest()
    found = service.acknowledgement(
        session, person_id=people["ana"], kind="secret-notice", secret_id=made.secret_id
    )
    assert found is not None and found.id == made.id
    assert (
        service.acknowledgement(session, person_id=people["ana"], kind="exit-obligations") is None
    )
    stranger = Actor(kind="user", id="u1", name="someone", person_id="p-other")
    with pytest.raises(Forbidden, match="for themselves"):
        service.acknowledge(
            session, actor=stranger, person_id=people["ana"], kind="trade-secret-policy", text=text
        )
    with pytest.raises(InvalidTraining, match="needs the secret"):
        service.acknowledge(
            session, actor=admin, person_id=people["ana"], kind="secret-notice", text=text
        )


def _a_secret(session: Session, admin: Actor) -> str:
    return make_secret(session, admin, name="Brine recipe").id
