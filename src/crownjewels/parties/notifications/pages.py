"""Pages of the outbox: each person's notification choices (/settings/notifications) and the
outbox an admin reads and retries (/admin/outbox)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import (
    PostedForm,
    discard,
    error_status,
    field_errors,
    flash,
    redirect,
    render,
)
from crownjewels.core.http import CurrentActor, DbSession, Paging, require
from crownjewels.core.permissions import Permission as P
from crownjewels.parties.notifications import service
from crownjewels.parties.notifications.schemas import MailStatus

router = APIRouter(include_in_schema=False)
Admin = Annotated[Actor, Depends(require(P.USERS_MANAGE))]


@router.get("/settings/notifications")
def choices(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The kinds of mail the signed-in person receives, each with a checkbox."""
    prefs = service.preferences(session, actor=actor)
    return render(request, "notifications/choices.html", {"prefs": prefs, "errors": {}})


@router.post("/settings/notifications")
def save_choices(
    request: Request, session: DbSession, actor: CurrentActor, form: PostedForm
) -> Response:
    """Save the choices (the ticked kinds are received)."""
    enabled = [k for k in form.getlist("kinds") if isinstance(k, str)]
    try:
        service.set_preferences(session, actor=actor, enabled=enabled)
    except CrownJewelsError as exc:
        discard(session)
        prefs = service.preferences(session, actor=actor)
        ctx = {"prefs": prefs, "errors": field_errors(exc)}
        return render(request, "notifications/choices.html", ctx, status=error_status(exc))
    flash(request, "Your notification choices are saved.")
    return redirect("/settings/notifications")


@router.get("/admin/outbox")
def outbox(request: Request, session: DbSession, actor: Admin, paging: Paging) -> Response:
    """Every message of the outbox with its status, attempts and last error, newest first."""
    unsent = request.query_params.get("unsent") == "1"
    items, total = service.list_messages(session, actor=actor, unsent_only=unsent, page=paging)
    ctx = {"items": items, "total": total, "paging": paging, "unsent": unsent}
    ctx["SENT"] = MailStatus.SENT
    return render(request, "notifications/outbox.html", ctx)


@router.post("/admin/outbox/{message_id}/retry")
def retry(request: Request, session: DbSession, actor: Admin, message_id: str) -> Response:
    """Make a message due now; it is mailed right after this request commits."""
    done = service.retry(session, actor=actor, message_id=message_id)
    flash(request, f"The message to {done.recipient_email} will be tried again now.")
    return redirect("/admin/outbox?unsent=1")
