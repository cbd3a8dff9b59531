"""Pages of training: who is current (the status roster), courses and their completions,
completions by whether they count today, a person's training, and the LMS export upload."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import PostedForm, discard, error_status, refused, render
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.training import reads, service
from crownjewels.training.errors import ImportFileError
from crownjewels.training.schemas import CompletionState

router = APIRouter(prefix="/training", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.TRAINING_READ))]
Writer = Annotated[Actor, Depends(require(P.TRAINING_WRITE))]

STATES = {"": "All", "current": "Current", "expired": "Expired"}


@router.get("")
def status_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """Who holds their required training: not current first, then lapsing, then current."""
    roster = reads.roster(session, actor=actor)
    counts = {s: sum(1 for e in roster if e.standing == s) for s in ("not-current", "lapsing")}
    return render(request, "training/status.html", {"roster": roster, "counts": counts})


@router.get("/courses")
def courses_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """Every course: whom it is required of, how long a completion counts, completions."""
    courses = service.list_courses(session, actor=actor)
    return render(request, "training/courses.html", {"courses": courses})


@router.get("/courses/{ref}")
def course_page(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """One course and its completions, newest first."""
    course = reads.course(session, actor=actor, ref=ref)
    done = reads.completions(session, actor=actor, course_ref=course.id)
    return render(request, "training/course.html", {"course": course, "completions": done})


@router.get("/completions")
def completions_page(
    request: Request, session: DbSession, actor: Reader, state: str = "", course: str = ""
) -> Response:
    """Completions with their expiry, filtered by whether they count today and by course."""
    chosen = CompletionState(state) if state in STATES else CompletionState.ALL
    done = reads.completions(session, actor=actor, state=chosen, course_ref=course or None)
    ctx: dict[str, Any] = {
        "completions": done,
        "states": STATES,
        "state": chosen.value,
        "course": course,
        "courses": service.list_courses(session, actor=actor),
    }
    return render(request, "training/completions.html", ctx)


@router.get("/people/{ref}")
def person_page(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """A person's required courses, completions and acknowledgements."""
    training = service.status(session, actor=actor, person=ref)
    ctx = {
        "training": training,
        "attestations": service.attestations(session, actor=actor, person=ref),
        "name": reads.person_name(session, person_id=training.person_id),
    }
    return render(request, "training/person.html", ctx)


@router.get("/import")
def import_form(request: Request, actor: Writer) -> Response:
    """The form to upload an LMS export (CSV)."""
    return render(request, "training/import.html", {"errors": {}, "problems": [], "result": None})


@router.post("/import")
def import_upload(
    request: Request, session: DbSession, actor: Writer, form: PostedForm
) -> Response:
    """Import an LMS export: every row or none; a dry run counts and records nothing. A refused
    file comes back with each bad row by its line."""
    upload = form.get("file")
    dry_run = form.get("dry_run") == "on"
    ctx: dict[str, Any] = {"errors": {}, "problems": [], "result": None, "dry_run": dry_run}
    if not isinstance(upload, UploadFile) or not upload.filename:
        ctx["errors"] = {"file": "choose the CSV file your LMS exported"}
        return render(request, "training/import.html", ctx, status=422)
    source = upload.filename
    try:
        text = service.decode_export(upload.file.read(service.MAX_IMPORT_BYTES + 1))
        result = service.import_completions(
            session, actor=actor, text=text, source=source, dry_run=dry_run
        )
    except CrownJewelsError as exc:
        if not refused(exc):
            raise
        discard(session)
        if isinstance(exc, ImportFileError):
            ctx["problems"] = [
                (f"{source}:{line}" if line else source, m) for line, m in exc.problems
            ]
        else:
            ctx["errors"] = {exc.field or "file": exc.message}
        return render(request, "training/import.html", ctx, status=error_status(exc))
    return render(request, "training/import.html", {**ctx, "result": result, "source": source})
