"""JSON API of training under /api/v1/training: courses, completions (one by one or an LMS
export), a person's status and attestations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, UploadFile, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.training import service
from crownjewels.training.errors import InvalidTraining
from crownjewels.training.schemas import (
    AttestationRead,
    CompletionCreate,
    CompletionRead,
    CourseCreate,
    CourseRead,
    ImportResult,
    PersonTraining,
)

router = APIRouter(prefix="/training", tags=["training"])
Reader = Annotated[Actor, Depends(require(P.TRAINING_READ))]
Writer = Annotated[Actor, Depends(require(P.TRAINING_WRITE))]
#: the largest LMS export accepted in one request
MAX_IMPORT_BYTES = 5 << 20


@router.get("/courses", response_model=list[CourseRead], summary="List courses")
def list_courses(session: DbSession, actor: Reader) -> list[CourseRead]:
    return service.list_courses(session, actor=actor)


@router.post(
    "/courses",
    response_model=CourseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a course",
)
def add_course(session: DbSession, actor: Writer, body: CourseCreate) -> CourseRead:
    return service.create_course(session, actor=actor, data=body)


@router.post(
    "/completions",
    response_model=CompletionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a completion",
)
def complete(session: DbSession, actor: Writer, body: CompletionCreate) -> CompletionRead:
    return service.record_completion(session, actor=actor, data=body)


@router.post(
    "/completions/import", response_model=ImportResult, summary="Import an LMS export (CSV)"
)
def import_export(
    session: DbSession, actor: Writer, file: UploadFile, dry_run: bool = Query(False)
) -> ImportResult:
    raw = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidTraining(
            f"the export is over {MAX_IMPORT_BYTES >> 20} MiB: split it", field="file"
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidTraining(
            "the export is not UTF-8 text: save it as CSV UTF-8", field="file"
        ) from None
    source = file.filename or "export.csv"
    return service.import_completions(
        session, actor=actor, text=text, source=source, dry_run=dry_run
    )


@router.get("/people/{person}", response_model=PersonTraining, summary="A person's training status")
def person_status(session: DbSession, actor: Reader, person: str) -> PersonTraining:
    return service.status(session, actor=actor, person=person)


@router.get(
    "/people/{person}/attestations",
    response_model=list[AttestationRead],
    summary="A person's attestations",
)
def person_attestations(session: DbSession, actor: Reader, person: str) -> list[AttestationRead]:
    return service.attestations(session, actor=actor, person=person)
