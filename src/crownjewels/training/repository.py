"""Training queries: courses by code, completions and attestations by person. The service
checks permissions; every query here is read by it alone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import Row, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session

from crownjewels.core.db import read
from crownjewels.training.models import Attestation, Completion, Course


def course(session: Session, ref: str) -> Course | None:
    """A course by id or code (any case)."""
    return session.scalar(
        select(Course).where(or_(Course.id == ref, func.upper(Course.code) == ref.strip().upper()))
    )


def course_code_taken(session: Session, code: str) -> bool:
    """Whether a course already has this code (any case)."""
    return session.scalar(select(Course.id).where(func.upper(Course.code) == code)) is not None


def courses(session: Session) -> Sequence[Course]:
    """Every course, by code."""
    return session.scalars(select(Course).order_by(Course.code)).all()


def completion_counts(session: Session) -> dict[str, int]:
    """Completions per course id."""
    query = select(Completion.course_id, func.count()).group_by(Completion.course_id)
    return {course_id: count for course_id, count in session.execute(query)}


def course_codes(session: Session) -> dict[str, str]:
    """Every course's code by id."""
    return {course_id: code for course_id, code in session.execute(select(Course.id, Course.code))}


#: every access decision asks it: built once, only the person changes
_REQUIRED_WITH_COMPLETIONS = (
    select(
        Course.id,
        Course.code,
        Course.name,
        Course.required_for,
        Course.status,
        Completion.completed_on,
        Completion.expires_on,
        Completion.result,
    )
    .outerjoin(
        Completion,
        and_(Completion.course_id == Course.id, Completion.person_id == bindparam("person_id")),
    )
    .where(Course.required_for != "none")
    .order_by(Course.code)
)


def required_with_completions(
    session: Session, person_id: str
) -> list[Row[str, str, str, str, str, date, date | None, str]]:
    """The courses someone is required to hold, each with the person's completions of it (one
    row per completion, or one row of NULLs for the completion when there is none): what the
    rules read, in one query of plain columns."""
    return list(read(session, _REQUIRED_WITH_COMPLETIONS, {"person_id": person_id}))


def completion_exists(session: Session, *, person_id: str, course_id: str, on: date) -> bool:
    """Whether the person's completion of the course on that day is recorded."""
    found = session.scalar(
        select(Completion.id).where(
            Completion.person_id == person_id,
            Completion.course_id == course_id,
            Completion.completed_on == on,
        )
    )
    return found is not None


def completions_of(session: Session, person_id: str) -> Sequence[Completion]:
    """The person's completions, newest first."""
    return session.scalars(
        select(Completion)
        .where(Completion.person_id == person_id)
        .order_by(Completion.completed_on.desc())
    ).all()


def lapsed_required(session: Session, *, on: date) -> list[tuple[str, str, str]]:
    """(person id, course code, course id) of required completions that expired before `on`."""
    query = (
        select(Completion.person_id, Course.code, Course.id)
        .join(Course, Course.id == Completion.course_id)
        .where(Course.required_for != "none", Completion.expires_on < on)
    )
    return [(person, code, course) for person, code, course in session.execute(query)]


def renewed(session: Session, *, person_id: str, course_id: str, on: date) -> bool:
    """Whether the person holds a completion of the course still current on `on`."""
    found = session.scalar(
        select(Completion.id).where(
            Completion.person_id == person_id,
            Completion.course_id == course_id,
            or_(Completion.expires_on.is_(None), Completion.expires_on >= on),
        )
    )
    return found is not None


def latest_attestation(
    session: Session,
    *,
    person_id: str,
    kind: str,
    secret_id: str | None = None,
    text_sha256: str | None = None,
) -> Attestation | None:
    """The person's latest acknowledgement of that kind (and secret, and exact text by its
    SHA-256)."""
    query = select(Attestation).where(Attestation.person_id == person_id, Attestation.kind == kind)
    if secret_id:
        query = query.where(Attestation.secret_id == secret_id)
    if text_sha256:
        query = query.where(Attestation.text_sha256 == text_sha256)
    return session.scalar(query.order_by(Attestation.acknowledged_at.desc()).limit(1))


#: an access decision asks it (the notice acknowledged): built once
_ATTESTED = (
    select(Attestation.id)
    .where(
        Attestation.person_id == bindparam("person_id"),
        Attestation.kind == bindparam("kind"),
        Attestation.secret_id == bindparam("secret_id"),
        Attestation.text_sha256.in_(bindparam("texts", expanding=True)),
    )
    .limit(1)
)


def attested(
    session: Session, *, person_id: str, kind: str, secret_id: str, text_sha256s: Iterable[str]
) -> bool:
    """Whether the person acknowledged one of these exact texts (by SHA-256) of that kind for
    the secret: one indexed lookup of a single column."""
    values = {"person_id": person_id, "kind": kind, "secret_id": secret_id}
    return read(session, _ATTESTED, {**values, "texts": list(text_sha256s)}).first() is not None


def attestations_of(session: Session, person_id: str) -> Sequence[Attestation]:
    """The person's acknowledgements, newest first."""
    return session.scalars(
        select(Attestation)
        .where(Attestation.person_id == person_id)
        .order_by(Attestation.acknowledged_at.desc())
    ).all()


def completions(
    session: Session, *, on: date, state: str = "", course_id: str | None = None, limit: int = 500
) -> Sequence[Completion]:
    """Completions, newest first: `state` "current" (passed and not expired on `on`),
    "expired" (its expiry day is past) or "" for every one; optionally of one course."""
    query = select(Completion)
    if course_id:
        query = query.where(Completion.course_id == course_id)
    if state == "current":
        query = query.where(
            Completion.result == "passed",
            Completion.completed_on <= on,
            or_(Completion.expires_on.is_(None), Completion.expires_on >= on),
        )
    elif state == "expired":
        query = query.where(Completion.expires_on < on)
    order = (Completion.completed_on.desc(), Completion.id)
    return session.scalars(query.order_by(*order).limit(limit)).all()


def required_courses(session: Session) -> Sequence[Course]:
    """The courses required of someone, by code."""
    query = select(Course).where(Course.required_for != "none").order_by(Course.code)
    return session.scalars(query).all()


def completions_of_courses(session: Session, course_ids: Iterable[str]) -> Sequence[Completion]:
    """Every completion of these courses (what the roster reads, in one query)."""
    ids = list(course_ids)
    if not ids:
        return []
    return session.scalars(select(Completion).where(Completion.course_id.in_(ids))).all()
