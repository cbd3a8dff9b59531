"""JSON API of monitoring's intake under /api/v1/monitoring: activity from other systems
(NDJSON or a JSON array, at most 10,000 events a request) and the identities people act under
there."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.responses import JSONResponse

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Busy, Invalid
from crownjewels.core.http import AppSettings, DbSession, per_app, require
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import RequestBody, staged_upload
from crownjewels.monitoring import intake, service
from crownjewels.monitoring.admission import Admission
from crownjewels.monitoring.errors import TooManyEvents
from crownjewels.monitoring.schemas import ActivityIn, IdentityCreate, IdentityRead, IngestResult
from crownjewels.settings import Settings

router = APIRouter(prefix="/monitoring", tags=["monitoring"])
Sender = Annotated[Actor, Depends(require(P.ACTIVITY_INGEST))]
Reader = Annotated[Actor, Depends(require(P.PARTIES_READ))]
Manager = Annotated[Actor, Depends(require(P.ACTIVITY_MANAGE))]


def _admission(request: Request, settings: Settings) -> Admission:
    """The app's view of the scoring queue (one per app, made on first use)."""
    return per_app(
        request,
        "monitoring_admission",
        lambda: Admission(
            max_lag=settings.monitoring_max_lag_seconds, max_queued=settings.monitoring_max_queued
        ),
    )


def lines_of(body: bytes, content_type: str) -> list[intake.Line]:
    """The events of a request body: a JSON array (a body that starts with `[`), one JSON
    object (application/json, even pretty-printed), or one JSON object per line (NDJSON, also
    when sent as application/json)."""
    stripped = body.strip()
    if not stripped:
        return []
    if stripped[:1] == b"[":
        try:
            value: Any = json.loads(stripped)
        except ValueError as exc:
            raise Invalid(
                f"the body is not a valid JSON array ({exc}); send a JSON array of events, or "
                "one event per line as application/x-ndjson"
            ) from None
        if len(value) > intake.MAX_BATCH:
            raise intake.BatchTooLarge(len(value))
        return [v if isinstance(v, dict) else json.dumps(v) for v in value]
    if "json" in content_type and "ndjson" not in content_type:
        try:
            single = json.loads(stripped)
        except ValueError:
            single = None  # not one document: read it as one event per line
        if isinstance(single, dict):
            return [single]
    return list(body.split(b"\n"))


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """A JSON schema with its local `#/$defs/...` references replaced by what they name: an
    inline schema in the OpenAPI document cannot keep `$defs` (a `#/$defs` reference resolves
    against the whole document, names nothing there and stops Swagger UI drawing the page)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inlined(value, defs) for key, value in node.items() if key != "$defs"}
    if isinstance(node, list):
        return [_inlined(value, defs) for value in node]
    return node


#: the body as the OpenAPI document states it (the route reads the raw body itself)
_SCHEMA = ActivityIn.model_json_schema()
_EVENT_SCHEMA = _inlined(_SCHEMA, _SCHEMA.get("$defs", {}))
_EVENTS_BODY = {
    "required": True,
    "description": "Events in the documented format: a JSON array of them, or one JSON "
    "object per line sent as application/x-ndjson",
    "content": {
        "application/json": {
            "schema": {"type": "array", "maxItems": intake.MAX_BATCH, "items": _EVENT_SCHEMA}
        },
    },
}


@router.post(
    "/events",
    response_model=IngestResult,
    summary="Send activity (NDJSON or a JSON array, at most 10,000 events)",
    responses={
        422: {"description": "Every event was rejected (each named), or the body is not JSON"},
        413: {"description": "More than 10,000 events: split the batch"},
        503: {
            "description": "The scorers are behind: nothing was stored; send the same batch "
            "again after the seconds in the Retry-After header",
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        },
    },
    openapi_extra={"requestBody": _EVENTS_BODY},
)
def send_events(request: Request, session: DbSession, settings: AppSettings, actor: Sender) -> Any:
    """Each event in the documented format (docs/monitoring.md). Good events are kept even when
    others are rejected; each rejected one is named with its line (or array position, from 1)
    and the reason. A token needs the `ingest` scope. While the scorers are behind, the answer
    is 503 with a Retry-After header (nothing stored: send the same batch again then)."""
    admission = _admission(request, settings)
    # the queue is read only when a rule can refuse (both may be turned off)
    queue = service.unscored(session) if admission.refuses else None
    wait = admission.retry_after(queue, clock.now())
    if wait is not None:
        raise Busy(
            "monitoring is still scoring earlier activity, so this batch was not stored; "
            f"send it again in {wait} s",
            retry_after=wait,
        )
    content_type = request.headers.get("content-type", "")

    def read(body: RequestBody) -> list[intake.Line]:
        try:
            return lines_of(body.read(), content_type)
        except intake.BatchTooLarge as exc:
            raise TooManyEvents(str(exc)) from None

    result = staged_upload(
        request,
        session,
        stage=read,
        write=lambda writing, lines: service.ingest(
            writing, actor=actor, lines=lines, channel="api"
        ),
    )
    if result.accepted == 0 and result.rejected:
        return JSONResponse(result.model_dump(mode="json"), status_code=422)
    return result


@router.get("/identities", response_model=list[IdentityRead], summary="List identities")
def list_identities(
    session: DbSession,
    actor: Reader,
    person: Annotated[str | None, Query(max_length=320, description="email, name or id")] = None,
) -> list[IdentityRead]:
    if person:
        return service.identities_of(session, actor=actor, person_ref=person)
    return service.list_identities(session, actor=actor)


@router.post(
    "/identities",
    response_model=IdentityRead,
    status_code=status.HTTP_201_CREATED,
    summary="Link an identity (email, username, key id) to a person",
)
def add_identity(session: DbSession, actor: Manager, body: IdentityCreate) -> IdentityRead:
    return service.add_identity(session, actor=actor, data=body)


@router.delete(
    "/identities/{identity_id}", response_model=IdentityRead, summary="Unlink an identity"
)
def remove_identity(
    session: DbSession, actor: Manager, identity_id: Annotated[str, Path(max_length=26)]
) -> IdentityRead:
    return service.remove_identity(session, actor=actor, identity_id=identity_id)
