"""The demo's training (training.yaml): the courses, every current person's completions (one
vendor analyst's handling course lapsed, one in seven failed the phishing simulation) and the
employees' acknowledgements of the trade-secret policy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from crownjewels.core import clock
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonFilter
from crownjewels.training import service as training
from crownjewels.training.schemas import CompletionCreate, CourseCreate, CourseKind, RequiredFor

#: a simulation is completed at most this many days before its validity ends
_MARGIN_DAYS = 10


class Course(dataset.Record):
    """A course; `required_for` is all, employees, vendor-staff or none."""

    code: str
    name: str
    kind: CourseKind
    validity_days: int
    required_for: RequiredFor
    simulation: bool = False

    def taken_by(self, kind: str) -> bool:
        """Whether a person of this kind (employee, contractor, vendor-staff) took it."""
        staff = kind != "vendor-staff"
        return self.simulation or {
            "all": True,
            "employees": staff,
            "vendor-staff": not staff,
        }.get(self.required_for, False)


class Lapse(dataset.Record):
    """A completion dated long ago."""

    person: str
    course: str
    days_ago: int


class Training(dataset.DataFile):
    """training.yaml."""

    courses: list[Course]
    exceptions: list[Lapse]
    policy: str

    def references(self, company: dataset.Company) -> Iterator[dataset.Reference]:
        """Exceptions name a person and a course."""
        codes = {c.code for c in self.courses}
        for i, late in enumerate(self.exceptions):
            yield ("exceptions", i, "person"), late.person, company.locals(), "person"
            yield ("exceptions", i, "course"), late.course, codes, "course"


def seed(run: Seeding) -> None:
    """The courses, then each current person's completions and policy acknowledgement."""
    data = dataset.load("training.yaml", Training)
    compliance = run.users[Role.COMPLIANCE]
    for course in data.courses:
        fields = course.model_dump(exclude={"simulation"})
        training.create_course(
            run.session, actor=compliance, data=CourseCreate.model_validate(fields)
        )
    people, _ = parties.list_people(
        run.session, actor=run.actor, filters=PersonFilter(), page=PageParams(limit=500)
    )
    current = [p for p in people if p.status.value != "departed"]
    late = {(e.person, e.course): e.days_ago for e in data.exceptions}
    for i, person in enumerate(current):
        local, kind = person.email.split("@")[0], person.kind.value
        for course in (c for c in data.courses if c.taken_by(kind)):
            ago = late.get((local, course.code), 20 + (i * 13) % 200)
            if course.simulation:
                ago = min(ago, course.validity_days - _MARGIN_DAYS)
            failed = course.simulation and i % 7 == 3
            completion = CompletionCreate(
                person=person.id,
                course=course.code,
                completed_on=clock.today() - timedelta(days=ago),
                result="failed" if failed else "passed",
            )
            training.record_completion(run.session, actor=compliance, data=completion)
        if kind != "vendor-staff":
            training.acknowledge(
                run.session,
                actor=compliance,
                person_id=person.id,
                kind="trade-secret-policy",
                text=data.policy,
                channel="web",
            )
