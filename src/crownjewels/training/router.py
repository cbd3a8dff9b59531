"""JSON API of training under /api/v1/training: courses, completions (one by one or an LMS
export), a person's status and attestations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, UploadFile, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.training import service
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
    text = service.decode_export(file.file.read(service.MAX_IMPORT_BYTES + 1))
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
