"""Training pages through FastAPI's TestClient: who is current, lapsing or not; a course with
its completions; completions by whether they count today; the LMS export upload (recorded, a
dry run, refused rows by line); a person's training on their page; who may open what."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.parties.schemas import OrgKind, PersonRead
from crownjewels.training import service
from crownjewels.training.models import Completion
from crownjewels.training.schemas import CompletionCreate, CourseCreate, RequiredFor
from tests.parties.factories import make_org, make_person
from tests.web.conftest import Login, csrf_of

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


@dataclass
class Staff:
    """Three people TS-101 (a year's validity, required of all) is required of."""

    current: PersonRead  # completed 10 days ago
    lapsing: PersonRead  # completed 350 days ago: it stops counting in 15 days
    expired: PersonRead  # completed 400 days ago: it stopped counting 35 days ago


@pytest.fixture
def staff(db: Database) -> Staff:
    admin = system_actor("test")
    today = clock.today()
    with db.unit_of_work() as s:
        course = CourseCreate(
            code="TS-101",
            name="Trade-secret handling",
            validity_days=365,
            required_for=RequiredFor.ALL,
        )
        service.create_course(s, actor=admin, data=course)
        org = make_org(s, admin, name="Acme Labs", kind=OrgKind.SUBSIDIARY, country="DE")
        people = []
        for name, days in (("Ana Current", 10), ("Ben Lapsing", 350), ("Cy Expired", 400)):
            person = make_person(s, admin, org=org, name=name)
            done = CompletionCreate(
                person=person.id, course="TS-101", completed_on=today - timedelta(days=days)
            )
            service.record_completion(s, actor=admin, data=done)
            people.append(person)
    return Staff(*people)


def test_the_status_page_puts_who_is_not_current_first_then_who_is_lapsing(
    staff: Staff, make_login: MakeLogin, client_of: ClientOf
) -> None:
    page = client_of(make_login(Role.AUDITOR)).get("/training")
    assert page.status_code == 200
    text = html.unescape(page.text)
    cy, ben, ana = (text.index(n) for n in ("Cy Expired", "Ben Lapsing", "Ana Current"))
    assert cy < ben < ana
    lapsing_until = clock.today() + timedelta(days=15)
    row = text[ben:ana]
    assert 'badge-departing">Lapsing' in row and f"{lapsing_until:%Y-%m-%d}" in row
    assert 'badge-overdue">Not current' in text[cy:ben]
    assert 'href="/training/courses"' in text and 'href="/training/import"' not in text


def test_a_course_and_its_completions_filtered_by_whether_they_count(
    staff: Staff, make_login: MakeLogin, client_of: ClientOf
) -> None:
    client = client_of(make_login(Role.AUDITOR))
    courses = client.get("/training/courses")
    assert 'href="/training/courses/TS-101"' in courses.text and "365 days" in courses.text
    course = client.get("/training/courses/ts-101")
    assert course.status_code == 200 and "Completions (3)" in course.text
    assert all(n in course.text for n in ("Ana Current", "Ben Lapsing", "Cy Expired"))
    current = client.get("/training/completions?state=current")
    assert "Ana Current" in current.text and "Ben Lapsing" in current.text
    assert "Cy Expired" not in current.text
    expired = client.get("/training/completions?state=expired&course=TS-101")
    assert "Cy Expired" in expired.text and "Ana Current" not in expired.text
    assert client.get("/training/courses/NOPE-1").status_code == 404


def _completions(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(Completion)) or 0


def test_importing_an_lms_export_through_the_form(
    db: Database, staff: Staff, make_login: MakeLogin, client_of: ClientOf
) -> None:
    client = client_of(make_login(Role.COMPLIANCE))
    form = client.get("/training/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    token = csrf_of(form.text)
    day = clock.today() - timedelta(days=1)
    good = f"email,course,completed_on,result\n{staff.expired.email},TS-101,{day},passed\n"
    before = _completions(db)

    def upload(text: str, **extra: str) -> str:
        files = {"file": ("lms.csv", text.encode(), "text/csv")}
        reply = client.post("/training/import", data={"csrf_token": token, **extra}, files=files)
        assert reply.status_code in (200, 422)
        return html.unescape(reply.text)

    checked = upload(good, dry_run="on")
    assert "every row is good" in checked and _completions(db) == before
    unknown = upload(good + f"nobody@example.com,TS-101,{day},passed\n")
    assert "Nothing was recorded" in unknown and "lms.csv:3" in unknown
    undated = upload(good + "x@example.com,TS-101,soon,passed\n")
    assert "lms.csv:3" in undated and "YYYY-MM-DD" in undated and _completions(db) == before
    done = upload(good)
    assert "Recorded 1 of 1 rows from lms.csv" in done and _completions(db) == before + 1
    assert "Cy Expired" in client.get("/training/completions?state=current").text
    empty = client.post("/training/import", data={"csrf_token": token})
    assert empty.status_code == 422 and "choose the CSV file" in empty.text


def test_a_persons_training_on_their_page_for_readers_of_training(
    staff: Staff, make_login: MakeLogin, client_of: ClientOf
) -> None:
    auditor = client_of(make_login(Role.AUDITOR))
    own = auditor.get(f"/training/people/{staff.lapsing.id}")
    assert own.status_code == 200 and "Ben Lapsing" in own.text and "TS-101" in own.text
    person = auditor.get(f"/people/{staff.lapsing.id}")
    assert 'id="training"' in person.text and "Required courses" in person.text
    # a vendor manager reads people but not training: no panel, no page, no menu entry
    manager = client_of(make_login(Role.VENDOR_MANAGER))
    assert 'id="training"' not in manager.get(f"/people/{staff.lapsing.id}").text
    assert manager.get("/training").status_code == 403
    assert 'href="/training"' not in manager.get("/").text
    assert 'href="/training"' in auditor.get("/").text
    assert auditor.get("/training/import").status_code == 403  # reading is not importing
