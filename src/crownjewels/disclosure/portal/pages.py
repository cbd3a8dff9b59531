"""The vendor portal pages: /portal (the user's own grants and open questionnaires), a grant's
page with the secret's confidentiality notice to acknowledge, and the documents the grant
covers, each downloaded as a registered copy marked for the user. Anything not under the
user's own grants is 404 (portal_service)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import discard, flash, redirect, render
from crownjewels.core.http import AppSettings, CurrentActor, DbSession
from crownjewels.disclosure import service
from crownjewels.disclosure.errors import NotInPortal
from crownjewels.disclosure.pages import copy_response
from crownjewels.disclosure.portal import service as portal

router = APIRouter(include_in_schema=False)


@router.get("/portal")
def home(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The user's own grants (secret, level, purpose, expiry, status) and open questionnaires."""
    ctx = {
        "grants": portal.my_grants(session, actor=actor),
        "questionnaires": portal.open_questionnaires(session, actor=actor),
    }
    return render(request, "disclosure/portal/home.html", ctx)


def _grant_page(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    ref: str,
    *,
    status: int = 200,
    error: str | None = None,
) -> Response:
    page = portal.grant_page(session, actor=actor, grant_ref=ref)
    ctx: dict[str, Any] = {"page": page, "error": error}
    return render(request, "disclosure/portal/grant.html", ctx, status=status)


@router.get("/portal/grants/{ref}")
def grant(request: Request, session: DbSession, actor: CurrentActor, ref: str) -> Response:
    """One own grant: the notice to acknowledge, then the documents it covers."""
    return _grant_page(request, session, actor, ref)


@router.post("/portal/grants/{ref}/acknowledge")
def acknowledge(request: Request, session: DbSession, actor: CurrentActor, ref: str) -> Response:
    """Record the acknowledgement of the notice exactly as the grant's page shows it; a grant
    not yet in force comes back on its page with the reason."""
    page = portal.grant_page(session, actor=actor, grant_ref=ref)
    try:
        portal.acknowledge(session, actor=actor, grant_ref=ref)
    except NotInPortal:
        raise
    except CrownJewelsError as exc:
        discard(session)
        return _grant_page(request, session, actor, ref, status=exc.status_code, error=exc.message)
    flash(request, f"You acknowledged the confidentiality notice of {page.secret.ref}.")
    return redirect(f"/portal/grants/{page.grant.ref}")


@router.post("/portal/grants/{ref}/documents/{document_id}/download")
def download(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    ref: str,
    document_id: str,
) -> Response:
    """The document as a registered copy marked for the user; a refusal (notice not yet
    acknowledged, grant not in force, an access rule failing) comes back on the grant's page."""
    issuer = service.issuer(settings)
    try:
        issued = portal.download(
            session,
            actor=actor,
            vault_=issuer.vault,
            key=issuer.key,
            grant_ref=ref,
            document_id=document_id,
        )
    except NotInPortal:
        raise
    except CrownJewelsError as exc:
        discard(session)  # a denial's ACCESS_DENIED is durable: it outlives the discard
        return _grant_page(request, session, actor, ref, status=exc.status_code, error=exc.message)
    copy = issued.copy
    headers = {
        "Content-Type": copy.media_type,
        "X-Copy-Id": copy.id,
        "X-Copy-Marked": "true" if copy.marked else "false",
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return copy_response(issued.data, issued.filename, headers)
