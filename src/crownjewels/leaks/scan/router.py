"""JSON API of scans under /api/v1/leaks: run a scan (a target, pasted text, or a file as the
raw body), the scans and their files and matches, a match's review (confirm, dismiss,
investigate), and the scheduled watches."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.http import (
    AppSettings,
    DbSession,
    Paging,
    require,
    write_unit,
    writes_own_unit,
)
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import RequestBody, body_limit
from crownjewels.leaks.scan import review, service, watches
from crownjewels.leaks.scan.schemas import (
    Investigation,
    MatchFilter,
    MatchRead,
    Note,
    Reason,
    ScanDetail,
    ScanRead,
    ScanRequest,
    WatchCreate,
    WatchRead,
)

router = APIRouter(prefix="/leaks", tags=["leaks: scans"])
Reader = Annotated[Actor, Depends(require(P.LEAKS_READ))]
Reviewer = Annotated[Actor, Depends(require(P.LEAKS_REVIEW))]
Manager = Annotated[Actor, Depends(require(P.LEAKS_MANAGE))]
#: the largest file the API scans from a raw body
MAX_UPLOAD_BYTES = 100 * 1024 * 1024


@router.post(
    "/scans",
    response_model=ScanDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Scan a target or pasted text",
)
@writes_own_unit  # a repository or bucket is read with no write lock held
def run_scan(
    request: Request, session: DbSession, actor: Reviewer, settings: AppSettings, data: ScanRequest
) -> ScanDetail:
    """`target`: a path or git repository of the server, s3://bucket/prefix (leaks:manage) or
    an http(s) URL; or `text`: pasted text. The scan with its files and matches."""
    if (data.text is None) == (data.target is None):
        raise Invalid("give either a target or text to scan", field="target")
    reading = service.read(
        session,
        actor=actor,
        settings=settings,
        target=data.target,
        kind=data.kind,
        text=data.text,
    )
    with write_unit(request, session) as writing:
        return service.record(writing, reading).scan


@router.post(
    "/scans/file",
    response_model=ScanDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Scan a file (raw body)",
)
@writes_own_unit
@body_limit(MAX_UPLOAD_BYTES)
def scan_file(
    request: Request,
    session: DbSession,
    actor: Reviewer,
    settings: AppSettings,
    filename: Annotated[str, Query(min_length=1, max_length=300, description="e.g. dump.zip")],
) -> ScanDetail:
    """The body is the suspect file (an archive is opened within the archive limits)."""
    data = RequestBody(request).read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise Invalid(
            f"the file is over the {MAX_UPLOAD_BYTES // 2**20} MB an upload may be; scan it "
            "from a path or a bucket instead",
            field="file",
        )
    reading = service.read_upload(
        session, actor=actor, settings=settings, filename=filename, data=data
    )
    with write_unit(request, session) as writing:
        return service.record(writing, reading).scan


@router.get("/scans", response_model=Page[ScanRead], summary="The scans")
def list_scans(session: DbSession, actor: Reader, paging: Paging) -> Page[ScanRead]:
    """Latest first."""
    rows, total = service.list_scans(session, actor=actor, page=paging)
    return Page(items=rows, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/scans/{ref}", response_model=ScanDetail, summary="One scan")
def show_scan(session: DbSession, actor: Reader, ref: str) -> ScanDetail:
    """The scan (LS-0004) with its files (path, SHA-256, size, marks) and matches."""
    return service.get_scan(session, actor=actor, ref=ref)


@router.get("/matches", response_model=list[MatchRead], summary="The matches")
def list_matches(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    status_: Annotated[MatchFilter, Query(alias="status")] = MatchFilter.ALL,
) -> list[MatchRead]:
    """Latest first; `status=new` for those still to review."""
    return service.list_matches(session, actor=actor, status=status_, page=paging)


@router.get("/matches/{ref}", response_model=MatchRead, summary="One match")
def show_match(session: DbSession, actor: Reader, ref: str) -> MatchRead:
    """The match (LM-0007) with its passages and verdict."""
    return service.get_match(session, actor=actor, ref=ref)


@router.post("/matches/{ref}/confirm", response_model=MatchRead, summary="Confirm a match")
def confirm(session: DbSession, actor: Reviewer, ref: str, data: Note) -> MatchRead:
    """A true finding: the secret's content is out there."""
    return review.confirm(session, actor=actor, ref=ref, note=data.note)


@router.post("/matches/{ref}/dismiss", response_model=MatchRead, summary="Dismiss a match")
def dismiss(session: DbSession, actor: Reviewer, ref: str, data: Reason) -> MatchRead:
    """Not a leak, and why."""
    return review.dismiss(session, actor=actor, ref=ref, reason=data.reason)


@router.post(
    "/matches/{ref}/investigate", response_model=Investigation, summary="Open an investigation"
)
def investigate(session: DbSession, actor: Reviewer, ref: str, data: Note) -> Investigation:
    """Hand the match to the incident capability; its case's reference."""
    return review.investigate(session, actor=actor, ref=ref, note=data.note or "")


@router.get("/watches", response_model=list[WatchRead], summary="The scan watches")
def list_watches(session: DbSession, actor: Reader) -> list[WatchRead]:
    """Every watch not removed."""
    return watches.list_watches(session, actor=actor)


@router.post(
    "/watches",
    response_model=WatchRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a scan watch",
)
def add_watch(session: DbSession, actor: Manager, data: WatchCreate) -> WatchRead:
    """Re-scan a folder, repository, bucket prefix or URL every `every_hours`."""
    return watches.add(session, actor=actor, data=data)


@router.get("/watches/{ref}", response_model=WatchRead, summary="One scan watch")
def show_watch(session: DbSession, actor: Reader, ref: str) -> WatchRead:
    """The watch (LW-0002)."""
    return watches.get(session, actor=actor, ref=ref)


@router.post("/watches/{ref}/pause", response_model=WatchRead, summary="Pause a watch")
def pause_watch(session: DbSession, actor: Manager, ref: str) -> WatchRead:
    """Stop running it until resumed."""
    return watches.pause(session, actor=actor, ref=ref)


@router.post("/watches/{ref}/resume", response_model=WatchRead, summary="Resume a watch")
def resume_watch(session: DbSession, actor: Manager, ref: str) -> WatchRead:
    """Run it again on its cadence."""
    return watches.resume(session, actor=actor, ref=ref)


@router.post("/watches/{ref}/run", response_model=ScanDetail, summary="Run a watch now")
@writes_own_unit  # its target is read with no write lock held
def run_watch(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings, ref: str
) -> ScanDetail:
    """A scan now, reporting only the matches the watch has not reported before."""
    reading = watches.read_run(session, actor=actor, settings=settings, ref=ref)
    with write_unit(request, session) as writing:
        return watches.record_run(writing, reading).scan


@router.delete("/watches/{ref}", response_model=WatchRead, summary="Remove a watch")
def remove_watch(session: DbSession, actor: Manager, ref: str) -> WatchRead:
    """Stop and remove it; its scans and matches stay."""
    return watches.remove(session, actor=actor, ref=ref)
