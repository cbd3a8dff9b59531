"""Pages of the custody log: the filtered log, one event with its before and after, the chain
verification (an htmx button on the log page), signed checkpoints and evidence-bundle export."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import (
    PostedForm,
    discard,
    event_labels,
    field_errors,
    flash,
    is_htmx,
    parse_day,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, Natural, Paging, attachment, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import checkpoints, export, keys, labels, readable, service, tsa
from crownjewels.custody.schemas import EventFilter, EventType
from crownjewels.custody.words import event_words

router = APIRouter(prefix="/custody", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.CUSTODY_READ))]
Verifier = Annotated[Actor, Depends(require(P.CUSTODY_VERIFY))]
Signer = Annotated[Actor, Depends(require(P.CUSTODY_SIGN))]

_FILTERS = ("subject", "by", "type", "since", "until")


def _day(value: str, field: str, *, end: bool = False) -> datetime | None:
    """A date field (YYYY-MM-DD) as the UTC moment it starts, or ends for `until`."""
    day = parse_day(value, field=field)
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1 if end else 0), time(), tzinfo=UTC)


def _filter(session: DbSession, raw: dict[str, str]) -> EventFilter:
    """The filters as typed: a subject by ref, email or name; an actor by email or name."""
    subject_type, subject_id = (
        labels.find(session, raw["subject"]) if raw["subject"] else (None, None)
    )
    return EventFilter(
        subject_type=subject_type,
        subject_id=subject_id,
        actor=labels.find_actor(session, raw["by"]) if raw["by"] else None,
        event_type=raw["type"] or None,
        since=_day(raw["since"], "since"),
        until=_day(raw["until"], "until", end=True),
    )


@router.get("")
def log(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """The log, newest first, filtered by subject, actor, type and dates."""
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    return _log(request, session, actor, paging, raw)


def _log(
    request: Request,
    session: DbSession,
    actor: Actor,
    paging: PageParams,
    raw: dict[str, str],
    errors: dict[str, str] | None = None,
) -> Response:
    errors = dict(errors or {})
    events: list[Any] = []
    total = 0
    try:
        filters = _filter(session, raw) if not errors else EventFilter()
        events, total = service.list_events(session, actor=actor, filters=filters, page=paging)
    except CrownJewelsError as exc:
        errors.update(field_errors(exc, fallback="subject"))
    ctx: dict[str, Any] = {
        "events": events,
        "total": total,
        "paging": paging,
        "filters": raw,
        "errors": errors,
        "event_types": sorted((event_words(t), t.value) for t in EventType),
        "actors": event_labels(request, session, events),
    }
    return render(request, "custody/log.html", ctx, status=422 if errors else 200)


@router.get("/log.csv")
def log_csv(request: Request, session: DbSession, actor: Reader) -> Response:
    """The filtered log as CSV (the newest 10,000 events): names for people, refs for machines."""
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    try:
        filters = _filter(session, raw)
    except CrownJewelsError as exc:
        errors = field_errors(exc, fallback="subject")
        return _log(request, session, actor, PageParams(), raw, errors)
    events = service.events_for_export(session, actor=actor, filters=filters)
    headers = {"Content-Disposition": attachment("custody-log.csv")}
    return Response(readable.log_csv(session, events), media_type="text/csv", headers=headers)


@router.get("/verify")
def verify(request: Request, session: DbSession, actor: Verifier) -> Response:
    """Recompute the chain; htmx gets the result fragment, a plain request the whole page."""
    result = service.verify(session, actor=actor)
    service.record_verification(session, actor=actor, result=result)
    template = "custody/_verify.html" if is_htmx(request) else "custody/verify.html"
    return render(request, template, {"result": result})


@router.get("/checkpoints")
def checkpoint_list(
    request: Request, session: DbSession, actor: Reader, paging: Paging
) -> Response:
    """The signed checkpoints, newest first."""
    items, total = checkpoints.list_checkpoints(
        session, actor=actor, limit=paging.limit, offset=paging.offset
    )
    return render(request, "custody/checkpoints.html", {"items": items, "total": total})


@router.post("/checkpoints")
def checkpoint_create(
    request: Request, session: DbSession, actor: Signer, settings: AppSettings
) -> Response:
    """Sign a checkpoint of the log as it stands (timestamped when a TSA is configured)."""
    made = checkpoints.create(
        session,
        actor=actor,
        key=keys.load_signing_key(settings.home),
        timestamper=tsa.TsaConfig.from_settings(settings),
    )
    flash(request, f"Checkpoint signed over {made.tree_size} events.")
    return redirect("/custody/checkpoints")


@router.post("/export")
def export_bundle(
    request: Request,
    session: DbSession,
    actor: Signer,
    settings: AppSettings,
    form: PostedForm,
    paging: Paging,
) -> Response:
    """Download the evidence bundle of one subject, named by its ref (signs a checkpoint)."""
    typed = text(form, "subject")
    try:
        subject_type, subject_id = labels.find(session, typed)
        data = export.export(
            session,
            actor=actor,
            key=keys.load_signing_key(settings.home),
            subject_type=subject_type,
            subject_id=subject_id,
        )
    except CrownJewelsError as exc:
        discard(session)
        raw = {**dict.fromkeys(_FILTERS, ""), "export": typed}
        return _log(request, session, actor, paging, raw, {"export": exc.message})
    shown = labels.subjects(session, [(subject_type, subject_id)]).get(
        f"{subject_type}:{subject_id}"
    )
    name = (
        f"custody-{shown.short if shown and shown.short else subject_type + '-' + subject_id}.zip"
    )
    headers = {"Content-Disposition": attachment(name)}
    return Response(data, media_type="application/zip", headers=headers)


@router.get("/{seq}")
def event(request: Request, session: DbSession, actor: Reader, seq: Natural) -> Response:
    """One event with its details; before and after shown side by side."""
    found = service.get_event(session, seq=seq)
    shown = readable.view(session, found)
    ctx = {"event": found, "view": shown, "actors": shown.labels}
    return render(request, "custody/event.html", ctx)
