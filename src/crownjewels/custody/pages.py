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
    actor_labels,
    field_errors,
    flash,
    is_htmx,
    parse_day,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, Natural, Paging, attachment, require
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import checkpoints, export, keys, service, tsa
from crownjewels.custody.schemas import EventFilter, EventType

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


def _filter(raw: dict[str, str]) -> EventFilter:
    subject_type, subject_id = (
        service.parse_subject(raw["subject"]) if raw["subject"] else (None, None)
    )
    return EventFilter(
        subject_type=subject_type,
        subject_id=subject_id,
        actor=raw["by"] or None,
        event_type=raw["type"] or None,
        since=_day(raw["since"], "since"),
        until=_day(raw["until"], "until", end=True),
    )


@router.get("")
def log(request: Request, session: DbSession, actor: Reader, paging: Paging) -> Response:
    """The log, newest first, filtered by subject, actor, type and dates."""
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    errors: dict[str, str] = {}
    try:
        events, total = service.list_events(session, actor=actor, filters=_filter(raw), page=paging)
    except CrownJewelsError as exc:
        errors, events, total = field_errors(exc, fallback="subject"), [], 0
    ctx: dict[str, Any] = {
        "events": events,
        "total": total,
        "paging": paging,
        "filters": raw,
        "errors": errors,
        "event_types": list(EventType),
        "actors": actor_labels(request, session, (e.actor for e in events)),
    }
    return render(request, "custody/log.html", ctx, status=422 if errors else 200)


@router.get("/verify")
def verify(request: Request, session: DbSession, actor: Verifier) -> Response:
    """Recompute the chain; htmx gets the result fragment, a plain request the whole page."""
    result = service.verify(session, actor=actor)
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
async def export_bundle(
    request: Request, session: DbSession, actor: Signer, settings: AppSettings
) -> Response:
    """Download the evidence bundle of one subject (signs a fresh checkpoint)."""
    subject = text(await request.form(), "subject")
    subject_type, subject_id = service.parse_subject(subject)
    data = export.export(
        session,
        actor=actor,
        key=keys.load_signing_key(settings.home),
        subject_type=subject_type,
        subject_id=subject_id,
    )
    name = f"custody-{subject_type}-{subject_id}.zip"
    headers = {"Content-Disposition": attachment(name)}
    return Response(data, media_type="application/zip", headers=headers)


@router.get("/{seq}")
def event(request: Request, session: DbSession, actor: Reader, seq: Natural) -> Response:
    """One event with its details; before and after shown side by side."""
    found = service.get_event(session, seq=seq)
    before = found.details.get("before")
    after = found.details.get("after")
    changed: list[str] = []
    if isinstance(before, dict) or isinstance(after, dict):
        changed = sorted({*(before or {}), *(after or {})})
    others = {k: v for k, v in found.details.items() if not (changed and k in ("before", "after"))}
    ctx = {"event": found, "changed": changed, "before": before or {}, "after": after or {}}
    ctx["others"] = others
    ctx["actors"] = actor_labels(request, session, [found.actor])
    return render(request, "custody/event.html", ctx)
