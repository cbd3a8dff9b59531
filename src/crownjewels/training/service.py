"""Training verbs: courses, completions (by hand or imported from an LMS export CSV in one
transaction), attestations of an exact text, and what the access rules ask: the required
courses a person is missing, and a person's latest acknowledgement of a kind."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, NotFound
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import service as parties
from crownjewels.training import repository, rules
from crownjewels.training.errors import (
    CourseNotFound,
    DuplicateCourse,
    ImportFileError,
    InvalidTraining,
)
from crownjewels.training.models import Attestation, Completion, Course
from crownjewels.training.schemas import (
    AttestationKind,
    AttestationRead,
    CompletionCreate,
    CompletionRead,
    CourseCreate,
    CourseRead,
    CourseStatus,
    ImportResult,
    ImportRow,
    MissingTraining,
    PersonTraining,
    Result,
)

READER = fact_reader("training")
#: the LMS export columns (header names, case and spaces ignored); score is optional
COLUMNS = ("email", "course", "completed_on", "result")
_ALIASES = {"course_code": "course", "completed": "completed_on", "date": "completed_on"}
#: the largest LMS export accepted in one upload
MAX_IMPORT_BYTES = 5 << 20


def _course(session: Session, ref: str) -> Course:
    row = repository.course(session, ref)
    if row is None:
        raise CourseNotFound(f"no course {ref!r}; `crownjewels training courses list` shows them")
    return row


def create_course(session: Session, *, actor: Actor, data: CourseCreate) -> CourseRead:
    """Add a course (TRAINING_COURSE_ADDED)."""
    actor.require(Permission.TRAINING_WRITE)
    if repository.course_code_taken(session, data.code):
        raise DuplicateCourse(f"a course {data.code} exists; choose another code", field="code")
    row = Course(**data.model_dump(mode="json"))
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.TRAINING_COURSE_ADDED,
        subject_type="course",
        subject_id=row.id,
        details=data.model_dump(mode="json"),
    )
    return CourseRead.model_validate(row)


def list_courses(session: Session, *, actor: Actor) -> list[CourseRead]:
    """Every course with its number of completions."""
    actor.require(Permission.TRAINING_READ)
    counts = repository.completion_counts(session)
    out = []
    for row in repository.courses(session):
        read = CourseRead.model_validate(row)
        read.completions = counts.get(row.id, 0)
        out.append(read)
    return out


def _completion_read(row: Completion, code: str | None = None) -> CompletionRead:
    read = CompletionRead.model_validate(row)
    read.course_code = code
    return read


def _add_completion(
    session: Session,
    actor: Actor,
    *,
    person_id: str,
    course: Course,
    completed_on: date,
    result: Result,
    score: float | None,
    source: str,
    expires_on: date | None = None,
) -> Completion:
    if completed_on > clock.today():
        raise InvalidTraining(
            f"the completion date {completed_on} is in the future", field="completed_on"
        )
    row = Completion(
        person_id=person_id,
        course_id=course.id,
        completed_on=completed_on,
        expires_on=expires_on or rules.expiry(completed_on, course.validity_days),
        result=result.value,
        score=score,
        source=source,
        recorded_by=actor.ref,
        recorded_at=clock.now(),
    )
    session.add(row)
    return row


def record_completion(session: Session, *, actor: Actor, data: CompletionCreate) -> CompletionRead:
    """Record a completion by hand (TRAINING_COMPLETION_RECORDED)."""
    actor.require(Permission.TRAINING_WRITE)
    person_id = parties.resolve_person_id(session, actor=READER, person_ref=data.person)
    course = _course(session, data.course)
    row = _add_completion(
        session,
        actor,
        person_id=person_id,
        course=course,
        completed_on=data.completed_on,
        result=data.result,
        score=data.score,
        source="manual",
        expires_on=data.expires_on,
    )
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.TRAINING_COMPLETION_RECORDED,
        subject_type="person",
        subject_id=person_id,
        details={
            "course": course.code,
            "completed_on": row.completed_on,
            "expires_on": row.expires_on,
            "result": row.result,
            "score": row.score,
        },
    )
    return _completion_read(row, course.code)


def decode_export(raw: bytes) -> str:
    """An uploaded LMS export's text (UTF-8, a byte-order mark allowed), or a message saying
    how to save it; `raw` holds at most one byte past MAX_IMPORT_BYTES."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidTraining(
            f"the export is over {MAX_IMPORT_BYTES >> 20} MiB: split it", field="file"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidTraining(
            "the export is not UTF-8 text: save it as CSV UTF-8", field="file"
        ) from None


def _header(fields: list[str]) -> dict[str, int]:
    names = [f.strip().lstrip("\ufeff").lower().replace(" ", "_") for f in fields]
    names = [_ALIASES.get(n, n) for n in names]
    return {n: i for i, n in enumerate(names)}


def _parse_row(line: int, cells: list[str], cols: dict[str, int]) -> ImportRow | str:
    def cell(name: str) -> str:
        i = cols.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""

    try:
        on = date.fromisoformat(cell("completed_on"))
    except ValueError:
        return f"the completion date {cell('completed_on')!r} is not a date: write it as YYYY-MM-DD"
    result = cell("result").lower() or "passed"
    result = {"pass": "passed", "fail": "failed", "completed": "passed"}.get(result, result)
    if result not in ("passed", "failed"):
        return f"the result {cell('result')!r} is not passed or failed"
    score_text = cell("score")
    try:
        score = float(score_text) if score_text else None
    except ValueError:
        return f"score {score_text!r} is not a number"
    if not cell("email") or not cell("course"):
        return "email and course are required on every row"
    return ImportRow(
        line=line,
        email=cell("email"),
        course=cell("course"),
        completed_on=on,
        result=Result(result),
        score=score,
    )


def parse_export(text: str, *, source: str = "export.csv") -> list[ImportRow]:
    """Parse an LMS export: a header with email, course, completed_on, result (score optional);
    every bad row is reported with its line number (ImportFileError), nothing half-read."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError(
            source, [(None, "the file is empty: export completions as CSV")]
        ) from None
    cols = _header(header)
    absent = [c for c in COLUMNS if c not in cols]
    if absent:
        raise ImportFileError(
            source,
            [
                (
                    1,
                    f"missing column(s) {', '.join(absent)}; the header needs "
                    "email, course, completed_on, result (score optional)",
                )
            ],
        )
    rows: list[ImportRow] = []
    problems: list[tuple[int | None, str]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        parsed = _parse_row(reader.line_num, cells, cols)
        if isinstance(parsed, str):
            problems.append((reader.line_num, parsed))
        else:
            rows.append(parsed)
    if problems:
        raise ImportFileError(source, problems)
    return rows


def import_completions(
    session: Session, *, actor: Actor, text: str, source: str = "export.csv", dry_run: bool = False
) -> ImportResult:
    """Import an LMS export in one transaction: all rows or none (unknown people or courses are
    reported by line); a row already recorded (same person, course, date) is skipped."""
    actor.require(Permission.TRAINING_WRITE)
    rows = parse_export(text, source=source)
    problems: list[tuple[int | None, str]] = []
    resolved: list[tuple[ImportRow, str, Course]] = []
    for row in rows:
        try:
            person_id = parties.resolve_person_id(session, actor=READER, person_ref=row.email)
            resolved.append((row, person_id, _course(session, row.course)))
        except NotFound as exc:
            problems.append((row.line, exc.message))
    if problems:
        raise ImportFileError(source, problems)
    recorded = skipped = 0
    for row, person_id, course in resolved:
        if repository.completion_exists(
            session, person_id=person_id, course_id=course.id, on=row.completed_on
        ):
            skipped += 1
            continue
        if not dry_run:
            _add_completion(
                session,
                actor,
                person_id=person_id,
                course=course,
                completed_on=row.completed_on,
                result=row.result,
                score=row.score,
                source="lms-import",
            )
        recorded += 1
    result = ImportResult(
        rows=len(rows), recorded=recorded, skipped_duplicates=skipped, dry_run=dry_run
    )
    if not dry_run:
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.TRAINING_COMPLETIONS_IMPORTED,
            subject_type="training",
            subject_id="import",
            details={
                "source": source,
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                **result.model_dump(),
            },
        )
    return result


def _facts(
    session: Session, person_id: str
) -> tuple[list[rules.CourseFacts], list[rules.CompletionFacts]]:
    """The required courses and the person's completions of them, read together."""
    courses: dict[str, rules.CourseFacts] = {}
    done = []
    for row in repository.required_with_completions(session, person_id):
        if row.id not in courses:
            active = row.status == "active"
            courses[row.id] = rules.CourseFacts(
                row.id, row.code, row.name, row.required_for, active
            )
        if row.completed_on is not None:
            passed = row.result == "passed"
            done.append(rules.CompletionFacts(row.id, row.completed_on, row.expires_on, passed))
    return list(courses.values()), done


def _kind(session: Session, person_id: str) -> str:
    """The person's kind for the rules: a vendor organisation's people count as vendor staff."""
    person = parties.get_person(session, actor=READER, person_ref=person_id)
    org = parties.get_organisation(session, actor=READER, org_ref=person.organisation_id)
    return rules.kind_of(person.kind.value, org.kind.value)


def required_missing(
    session: Session, *, person_id: str, on: date, kinds: tuple[str, str] | None = None
) -> list[MissingTraining]:
    """The required courses the person does not hold current on `on`. `kinds`: the person's
    kind and their organisation's, when the caller has already read them (not read again)."""
    courses, done = _facts(session, person_id)
    kind = rules.kind_of(*kinds) if kinds else _kind(session, person_id)
    return [
        MissingTraining(code=c.code, name=c.name, expired_on=exp)
        for c, exp in rules.missing(courses, done, kind, on=on)
    ]


def course_statuses(held: list[rules.Standing]) -> list[CourseStatus]:
    """Each required course's standing as pages and the API show it."""
    return [
        CourseStatus(
            code=h.course.code,
            name=h.course.name,
            current=h.current,
            expires_on=h.expires_on,
            lapsing=h.lapsing,
        )
        for h in held
    ]


def status(
    session: Session, *, actor: Actor, person: str, on: date | None = None
) -> PersonTraining:
    """A person's required courses (current or not) and completions."""
    actor.require(Permission.TRAINING_READ)
    on = on or clock.today()
    read = parties.get_person(session, actor=READER, person_ref=person)
    courses, done = _facts(session, read.id)
    kind = _kind(session, read.id)
    required = course_statuses(
        rules.standing(courses, done, kind, on=on, lapsing_days=rules.LAPSING_DAYS)
    )
    codes = repository.course_codes(session)
    rows = repository.completions_of(session, read.id)
    return PersonTraining(
        person_id=read.id,
        required=required,
        completions=[_completion_read(r, codes.get(r.course_id)) for r in rows],
    )


def expired_required(session: Session, *, on: date) -> list[tuple[str, str]]:
    """(person id, course code) of required completions that expired on or before `on` and were
    not renewed (for the lifecycle jobs)."""
    out = []
    for person_id, code, course_id in repository.lapsed_required(session, on=on):
        if not repository.renewed(session, person_id=person_id, course_id=course_id, on=on):
            out.append((person_id, code))
    return sorted(set(out))


def acknowledge(
    session: Session,
    *,
    actor: Actor,
    person_id: str,
    kind: AttestationKind | str,
    text: str,
    secret_id: str | None = None,
    channel: str = "web",
) -> AttestationRead:
    """Record that the person acknowledged this exact text (ATTESTATION_RECORDED): a person
    acknowledges for themselves; training:write may record one on someone's behalf."""
    actor.require_write(what="an acknowledgement")
    if actor.person_id != person_id and not actor.can(Permission.TRAINING_WRITE):
        raise Forbidden("a person acknowledges for themselves")
    kind = AttestationKind(kind)
    if kind == AttestationKind.SECRET_NOTICE and not secret_id:
        raise InvalidTraining("a secret's notice needs the secret", field="secret_id")
    if len(text.strip()) < 10:
        raise InvalidTraining(
            "the acknowledged text is empty: show the person the full text", field="text"
        )
    row = Attestation(
        person_id=person_id,
        kind=kind.value,
        secret_id=secret_id,
        text=text,
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        channel=channel,
        acknowledged_at=clock.now(),
        recorded_by=actor.ref,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ATTESTATION_RECORDED,
        subject_type="person",
        subject_id=person_id,
        details={
            "kind": kind.value,
            "secret_id": secret_id,
            "text_sha256": row.text_sha256,
            "channel": channel,
        },
    )
    return AttestationRead.model_validate(row)


def acknowledgement(
    session: Session,
    *,
    person_id: str,
    kind: str,
    secret_id: str | None = None,
    text_sha256: str | None = None,
) -> AttestationRead | None:
    """The person's latest acknowledgement of that kind (and secret, and exact text by its
    SHA-256), if any."""
    row = repository.latest_attestation(
        session, person_id=person_id, kind=kind, secret_id=secret_id, text_sha256=text_sha256
    )
    return AttestationRead.model_validate(row) if row is not None else None


def acknowledged_any(
    session: Session, *, person_id: str, kind: str, secret_id: str, text_sha256s: Iterable[str]
) -> bool:
    """Whether the person acknowledged one of these exact texts (by SHA-256) of that kind for
    the secret (what a rule asks: yes or no, in one query)."""
    hashes = list(text_sha256s)
    if not hashes:
        return False
    return repository.attested(
        session, person_id=person_id, kind=kind, secret_id=secret_id, text_sha256s=hashes
    )


def attestations(session: Session, *, actor: Actor, person: str) -> list[AttestationRead]:
    """A person's acknowledgements, newest first (training:read, or the person themselves)."""
    person_id = parties.resolve_person_id(session, actor=READER, person_ref=person)
    if actor.person_id != person_id:
        actor.require(Permission.TRAINING_READ)
    rows = repository.attestations_of(session, person_id)
    return [AttestationRead.model_validate(r) for r in rows]


def describe(data: Any) -> str:
    """A course's one-line description for listings."""
    return f"{data.code} {data.name}"
