"""Pages of scans: the leaks overview (/leaks: recent scans and matches, links to tokens and
watchlists), the scan form (/leaks/scan: upload a file or archive, paste text, a URL; for
leaks:manage also a server path, repository or bucket), a scan (/leaks/scans/LS-0001), a match
side by side with its review (/leaks/matches/LM-0001), and the scan watches (/leaks/watches).

A scan run from the form is shown at once with each match side by side, the suspect's text
included: that response is the only time it is shown (it is never stored)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid
from crownjewels.core.forms import (
    PostedForm,
    act,
    discard,
    field_errors,
    flash,
    optional,
    redirect,
    render,
    text,
)
from crownjewels.core.http import (
    AppSettings,
    DbSession,
    audited_read,
    require,
    write_unit,
    writes_own_unit,
)
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import FORM_FRAMING, body_limit
from crownjewels.core.wording import counted
from crownjewels.leaks.scan import review, service, view, watches
from crownjewels.leaks.scan.router import MAX_UPLOAD_BYTES
from crownjewels.leaks.scan.schemas import MatchFilter, WatchCreate
from crownjewels.leaks.schemas import TargetKind

router = APIRouter(prefix="/leaks", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.LEAKS_READ))]
Reviewer = Annotated[Actor, Depends(require(P.LEAKS_REVIEW))]
Manager = Annotated[Actor, Depends(require(P.LEAKS_MANAGE))]
#: what the overview lists of each
RECENT = 10


@router.get("")
def overview(request: Request, session: DbSession, actor: Reader) -> Response:
    """Recent scans, the matches still to review, and where the other tools are."""
    scans, total = service.list_scans(session, actor=actor, page=PageParams(limit=RECENT))
    ctx = {
        "scans": scans,
        "scans_total": total,
        "new": service.list_matches(
            session, actor=actor, status=MatchFilter.NEW, page=PageParams(limit=50)
        ),
        "recent": service.list_matches(session, actor=actor, page=PageParams(limit=RECENT)),
        "watches": watches.list_watches(session, actor=actor),
        "may_scan": actor.can(P.LEAKS_REVIEW),
    }
    return render(request, "leaks/overview.html", ctx)


def _form_ctx(actor: Actor, typed: dict[str, str], errors: dict[str, str]) -> dict[str, Any]:
    return {
        "typed": typed,
        "errors": errors,
        "server_side": actor.can(P.LEAKS_MANAGE),
        "kinds": [(k.value, k.value) for k in TargetKind if k is not TargetKind.TEXT],
    }


@router.get("/scan")
def scan_form(request: Request, actor: Reviewer) -> Response:
    """Upload a file or archive, paste text, give a URL (or a server path, for leaks:manage)."""
    return render(request, "leaks/scan_form.html", _form_ctx(actor, {}, {}))


def _upload(form: FormData) -> UploadFile | None:
    """The uploaded file, if one was chosen (a form holds Starlette's UploadFile, of which
    FastAPI's is a subclass: checking for FastAPI's missed every upload)."""
    value = form.get("file")
    return value if isinstance(value, UploadFile) and value.filename else None


def _read(
    session: DbSession, actor: Actor, settings: AppSettings, form: FormData
) -> service.Reading:
    """The one scan the form asks for, read and compared: a file, text, a URL or a server
    target."""
    upload = _upload(form)
    pasted, url, target = text(form, "text"), text(form, "url"), text(form, "target")
    given = [
        n for n, v in (("file", upload), ("text", pasted), ("url", url), ("target", target)) if v
    ]
    if len(given) != 1:
        raise Invalid(
            "give one thing to scan: a file, pasted text, a URL or a server path"
            + (f" (you gave {len(given)})" if given else ""),
            field=given[-1] if given else "text",
        )
    if upload is not None:
        data = upload.file.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            raise Invalid(
                f"the file is over the {MAX_UPLOAD_BYTES // 2**20} MB an upload may be; ask an "
                "administrator to scan it from a path or a bucket",
                field="file",
            )
        return service.read_upload(
            session,
            actor=actor,
            settings=settings,
            filename=upload.filename or "upload",
            data=data,
            keep_text=True,
        )
    if pasted:
        return service.read(session, actor=actor, settings=settings, text=pasted, keep_text=True)
    if url:
        if not url.lower().startswith(("http://", "https://")):
            raise Invalid("a URL starts with http:// or https://", field="url")
        return service.read(
            session, actor=actor, settings=settings, target=url, kind=TargetKind.URL,
            keep_text=True,
        )  # fmt: skip
    kind = optional(form, "kind")
    return service.read(
        session,
        actor=actor,
        settings=settings,
        target=target,
        kind=TargetKind(kind) if kind else None,
        keep_text=True,
    )


#: the most matches a scan's page shows side by side at once (each is on its match's page)
SIDE_BY_SIDE = 20


@router.post("/scan")
@writes_own_unit  # a repository or folder is read with no write lock held
@body_limit(MAX_UPLOAD_BYTES + FORM_FRAMING)
def run_scan(
    request: Request, session: DbSession, actor: Reviewer, settings: AppSettings, form: PostedForm
) -> Response:
    """Run the scan and show it at once, each match side by side with the suspect's text."""
    typed = {k: text(form, k) for k in ("text", "url", "target", "kind")}
    try:
        reading = _read(session, actor, settings, form)
    except (CrownJewelsError, ValidationError, ValueError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        errors = (
            field_errors(exc)
            if isinstance(exc, CrownJewelsError | ValidationError)
            else {"kind": "choose a kind from the list"}
        )
        return render(request, "leaks/scan_form.html", _form_ctx(actor, typed, errors), status=422)
    with write_unit(request, session) as writing:
        outcome = service.record(writing, reading)
        sources: view.Sources = {}  # each secret document decrypted once for all its matches
        shown = outcome.scan.found[:SIDE_BY_SIDE]
        views = [
            view.view(
                writing,
                actor=actor,
                settings=settings,
                ref=m.ref,
                suspect_text=outcome.texts.get(m.file_path),
                sources=sources,
            )
            for m in shown
        ]
    ctx = {
        "scan": outcome.scan,
        "views": views,
        "just_run": True,
        "not_shown": len(outcome.scan.found) - len(shown),
    }
    return render(request, "leaks/scan.html", ctx, status=201)


@router.get("/scans/{ref}")
def scan_page(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """A scan: its target, files (path, SHA-256, marks) and matches."""
    detail = service.get_scan(session, actor=actor, ref=ref)
    return render(
        request, "leaks/scan.html", {"scan": detail, "views": [], "just_run": False, "not_shown": 0}
    )


@router.get("/matches/{ref}")
@audited_read  # the secret's passages are a decrypting read: its DOCUMENT_READ must commit
def match_page(
    request: Request, session: DbSession, actor: Reader, settings: AppSettings, ref: str
) -> Response:
    """A match side by side: the secret's passages beside the suspect's line ranges."""
    shown = view.view(session, actor=actor, settings=settings, ref=ref)
    ctx = {"v": shown, "may_review": actor.can(P.LEAKS_REVIEW)}
    return render(request, "leaks/match.html", ctx)


@router.post("/matches/{ref}/confirm")
def confirm(
    request: Request, session: DbSession, actor: Reviewer, form: PostedForm, ref: str
) -> Response:
    """Confirm the match."""
    return act(
        request,
        session,
        f"/leaks/matches/{ref}",
        lambda: (
            review.confirm(session, actor=actor, ref=ref, note=optional(form, "note")).ref
            + " confirmed"
        ),
    )


@router.post("/matches/{ref}/dismiss")
def dismiss(
    request: Request, session: DbSession, actor: Reviewer, form: PostedForm, ref: str
) -> Response:
    """Dismiss the match with a reason."""
    return act(
        request,
        session,
        f"/leaks/matches/{ref}",
        lambda: (
            review.dismiss(session, actor=actor, ref=ref, reason=text(form, "reason")).ref
            + " dismissed"
        ),
    )


@router.post("/matches/{ref}/investigate")
def investigate(
    request: Request, session: DbSession, actor: Reviewer, form: PostedForm, ref: str
) -> Response:
    """Open an investigation."""
    return act(
        request,
        session,
        f"/leaks/matches/{ref}",
        lambda: review.investigate(session, actor=actor, ref=ref, note=text(form, "note")).message,
    )


@router.get("/watches")
def watches_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """The scan watches, and (leaks:manage) the form to add one."""
    ctx = {
        "watches": watches.list_watches(session, actor=actor),
        "may_manage": actor.can(P.LEAKS_MANAGE),
        "typed": {},
        "errors": {},
    }
    return render(request, "leaks/watches.html", ctx)


@router.post("/watches")
def add_watch(request: Request, session: DbSession, actor: Manager, form: PostedForm) -> Response:
    """Add a watch."""
    typed = {k: text(form, k) for k in ("name", "target", "every_hours")}
    try:
        data = WatchCreate.model_validate(
            {
                "name": typed["name"],
                "target": typed["target"],
                "every_hours": typed["every_hours"] or 24,
            }
        )
        done = watches.add(session, actor=actor, data=data)
    except (CrownJewelsError, ValidationError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        ctx = {
            "watches": watches.list_watches(session, actor=actor),
            "may_manage": True,
            "typed": typed,
            "errors": field_errors(exc),
        }
        return render(request, "leaks/watches.html", ctx, status=422)
    flash(request, f"{done.ref} {done.name} added: its first run is due now")
    return redirect("/leaks/watches")


@router.post("/watches/{ref}/{verb}")
@writes_own_unit
def change_watch(
    request: Request,
    session: DbSession,
    actor: Manager,
    settings: AppSettings,
    ref: str,
    verb: str,
) -> Response:
    """Pause, resume, remove or run a watch (a run reads its target with no write lock held,
    then writes in a short unit of work of its own)."""

    def do() -> str:
        if verb == "run":
            reading = watches.read_run(session, actor=actor, settings=settings, ref=ref)
            with write_unit(request, session) as writing:
                outcome = watches.record_run(writing, reading)
            found = counted(outcome.scan.matches, "new match", "new matches")
            return f"{ref} ran: {outcome.scan.ref}, {found}"
        verbs = {"pause": watches.pause, "resume": watches.resume, "remove": watches.remove}
        if verb not in verbs:
            raise Invalid(f"a watch can be paused, resumed, removed or run, not {verb!r}")
        with write_unit(request, session) as writing:
            done = verbs[verb](writing, actor=actor, ref=ref)
        return f"{done.ref} {done.status.value}" if verb != "remove" else f"{done.ref} removed"

    return act(request, session, "/leaks/watches", do)
