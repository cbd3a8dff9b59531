"""The Ledger page (/disclosures): the disclosure ledger with its filters, CSV and PDF export
links, and a form to record a disclosure made outside the vault."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from crownjewels.access.errors import AccessDenied
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Invalid
from crownjewels.core.forms import (
    PostedForm,
    actor_labels,
    discard,
    error_status,
    field_errors,
    flash,
    optional,
    parse_day,
    redirect,
    render,
    text,
)
from crownjewels.core.http import DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import LedgerChannel, LedgerFilter

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.DISCLOSURES_READ))]
Recorder = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]
MANUAL = [c for c in LedgerChannel if c is not LedgerChannel.VAULT_COPY]


def _filters(request: Request) -> LedgerFilter:
    q = request.query_params
    return LedgerFilter(
        secret=q.get("secret") or None,
        organisation=q.get("organisation") or None,
        person=q.get("person") or None,
        since=parse_day(q.get("since"), field="since"),
        until=parse_day(q.get("until"), field="until"),
    )


def _page(
    request: Request, session: Session, actor: Actor, *, status: int = 200, **extra: Any
) -> Response:
    errors: dict[str, str] = {}
    try:
        wanted = _filters(request)
        entries = ledger.list_entries(session, actor=actor, filters=wanted)
    except CrownJewelsError as exc:
        wanted, entries, errors = LedgerFilter(), [], field_errors(exc)
        status = error_status(exc) if status == 200 else status
    query = urlencode({k: v for k, v in wanted.model_dump().items() if v})
    ctx = {
        "entries": entries,
        "filters": wanted,
        "filter_errors": errors,
        "query": query,
        "channels": MANUAL,
        "may_record": actor.can(P.GRANTS_MANAGE),
        "record_errors": {},
        "reasons": [],
        "values": {},
        "actors": actor_labels(request, session, {a for e in entries for a in e.approved_by}),
        **extra,
    }
    return render(request, "disclosure/ledger.html", ctx, status=status)


@router.get("/disclosures")
def ledger_page(request: Request, session: DbSession, actor: Reader) -> Response:
    """Who received which secret, when, how, under which agreement, approved by whom."""
    return _page(request, session, actor)


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("the date is YYYY-MM-DD or YYYY-MM-DDTHH:MM", field="on") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@router.post("/disclosures")
def record(request: Request, session: DbSession, actor: Recorder, form: PostedForm) -> Response:
    """Record an oral, physical or other disclosure; a denial comes back with every reason."""
    try:
        entry = ledger.record_disclosure(
            session,
            actor=actor,
            secret=text(form, "secret"),
            person=text(form, "person"),
            channel=LedgerChannel(text(form, "channel")),
            on=_when(optional(form, "on")),
            description=text(form, "description"),
            agreement=optional(form, "agreement"),
            purpose=optional(form, "purpose") or "",
        )
    except (CrownJewelsError, ValueError) as exc:
        discard(session)
        if isinstance(exc, ValueError):
            exc = Invalid("choose a channel from the list", field="channel")
        reasons = exc.reasons if isinstance(exc, AccessDenied) else []
        return _page(
            request,
            session,
            actor,
            status=error_status(exc),
            record_errors=field_errors(exc),
            reasons=reasons,
            values=dict(form.items()),
        )
    flash(request, f"Recorded {entry.id}: {entry.secret_ref} to {entry.recipient_name}.")
    return redirect(f"/disclosures?secret={entry.secret_ref}")
