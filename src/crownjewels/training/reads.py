"""What the training pages read across people: one course with its completions, completions
filtered by whether they count today, and the roster of who is current, lapsing or not."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.pagination import MAX_LIMIT, PageParams
from crownjewels.core.permissions import Permission
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationFilter, PersonFilter, PersonStatus
from crownjewels.training import repository, rules
from crownjewels.training.errors import CourseNotFound
from crownjewels.training.models import Completion, Course
from crownjewels.training.schemas import (
    CompletionRow,
    CompletionState,
    CourseRead,
    RosterEntry,
    Standing,
)
from crownjewels.training.service import READER, course_statuses


def course(session: Session, *, actor: Actor, ref: str) -> CourseRead:
    """One course by code or id, with its number of completions."""
    actor.require(Permission.TRAINING_READ)
    row = repository.course(session, ref)
    if row is None:
        raise CourseNotFound(f"no course {ref!r}: the Courses page lists them")
    read = CourseRead.model_validate(row)
    read.completions = repository.completion_counts(session).get(row.id, 0)
    return read


def _facts(row: Course) -> rules.CourseFacts:
    return rules.CourseFacts(row.id, row.code, row.name, row.required_for, row.status == "active")


def _done(row: Completion) -> rules.CompletionFacts:
    return rules.CompletionFacts(
        row.course_id, row.completed_on, row.expires_on, row.result == "passed"
    )


def completions(
    session: Session,
    *,
    actor: Actor,
    state: CompletionState = CompletionState.ALL,
    course_ref: str | None = None,
    on: date | None = None,
) -> list[CompletionRow]:
    """Completions, newest first (at most 500), by whether they count on `on` and by course,
    each with the person's name and its course's code."""
    actor.require(Permission.TRAINING_READ)
    on = on or clock.today()
    course_id = course(session, actor=actor, ref=course_ref).id if course_ref else None
    rows = repository.completions(session, on=on, state=state.value, course_id=course_id)
    names = parties.person_names(session, {r.person_id for r in rows})
    codes = repository.course_codes(session)
    out = []
    for row in rows:
        read = CompletionRow.model_validate(row)
        read.person_name = names.get(row.person_id, "")
        read.course_code = codes.get(row.course_id)
        read.current = rules.is_current(_done(row), on=on)
        out.append(read)
    return out


def roster(session: Session, *, actor: Actor, on: date | None = None) -> list[RosterEntry]:
    """Every active person something is required of, with each required course current or not:
    not current first, then lapsing within rules.LAPSING_DAYS, then current; by name within each."""
    actor.require(Permission.TRAINING_READ)
    on = on or clock.today()
    courses = [_facts(c) for c in repository.required_courses(session)]
    done: dict[str, list[rules.CompletionFacts]] = defaultdict(list)
    for row in repository.completions_of_courses(session, [c.id for c in courses]):
        done[row.person_id].append(_done(row))
    orgs, _ = parties.list_organisations(
        session, actor=READER, filters=OrganisationFilter(), page=PageParams(limit=MAX_LIMIT)
    )
    org_kinds = {o.id: o.kind.value for o in orgs}
    people, _ = parties.list_people(
        session,
        actor=READER,
        filters=PersonFilter(status=PersonStatus.ACTIVE),
        page=PageParams(limit=MAX_LIMIT),
    )
    out = []
    for person in people:
        kind = rules.kind_of(person.kind.value, org_kinds.get(person.organisation_id, ""))
        held = rules.standing(
            courses, done[person.id], kind, on=on, lapsing_days=rules.LAPSING_DAYS
        )
        if not held:
            continue
        if not all(h.current for h in held):
            standing = Standing.NOT_CURRENT
        else:
            standing = Standing.LAPSING if any(h.lapsing for h in held) else Standing.CURRENT
        out.append(
            RosterEntry(
                person_id=person.id,
                name=person.full_name,
                organisation=person.organisation_name or "",
                standing=standing,
                courses=course_statuses(held),
            )
        )
    order = list(Standing)[::-1]  # not current, lapsing, current
    return sorted(out, key=lambda e: (order.index(e.standing), e.name))


def person_name(session: Session, *, person_id: str) -> str:
    """A person's full name (for a page the caller may already see)."""
    return parties.person_names(session, {person_id}).get(person_id, "")
