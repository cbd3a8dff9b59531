"""Pages of access reviews: the list (start one) and a campaign's page with confirm/revoke
buttons and the unused flag."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from crownjewels.access.reviews import schemas
from crownjewels.access.reviews import service as reviews
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden
from crownjewels.core.forms import (
    PostedForm,
    discard,
    flash,
    optional,
    parse_day,
    redirect,
    refused,
    render,
    text,
)
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, require
from crownjewels.core.permissions import Permission as P

router = APIRouter(prefix="/access", include_in_schema=False)
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]
Decider = Annotated[Actor, Depends(require(P.GRANTS_DECIDE))]
GrantReader = Annotated[Actor, Depends(require(P.GRANTS_READ))]


@router.get("/reviews")
def review_list(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """Every campaign, with the overdue items."""
    return render(
        request,
        "access/reviews.html",
        {
            "campaigns": reviews.list_campaigns(session, actor=actor),
            "overdue": reviews.overdue(session, actor=actor),
            "default_due": clock.today() + timedelta(days=14),
        },
    )


@router.post("/reviews")
def review_start(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings, form: PostedForm
) -> Response:
    """Start a campaign; a refused form comes back as a flash message."""
    try:
        made = reviews.start(
            session,
            actor=actor,
            name=text(form, "name"),
            due_on=parse_day(text(form, "due_on"), field="due_on", required=True),
            unused_days=settings.access_unused_days,
        )
    except CrownJewelsError as exc:
        if not refused(exc):
            raise
        discard(session)
        flash(request, exc.message, kind="error")
        return redirect("/access/reviews")
    flash(request, f"started {made.ref} with {made.total} item(s)")
    return redirect(f"/access/reviews/{made.ref}")


@router.get("/reviews/{ref}")
def review_page(request: Request, session: DbSession, actor: CurrentActor, ref: str) -> Response:
    """The campaign with its items and their decisions."""
    campaign = reviews.get(session, actor=actor, campaign_ref=ref)
    return render(request, "access/review.html", {"campaign": campaign})


@router.post("/reviews/{ref}/items/{item_id}")
def review_decide(
    request: Request, session: DbSession, actor: Decider, form: PostedForm, ref: str, item_id: str
) -> Response:
    """Confirm or revoke one item from the campaign page."""
    try:
        decision = schemas.Decision(text(form, "decision"))
        done = reviews.decide(
            session, actor=actor, item_id=item_id, decision=decision, note=optional(form, "note")
        )
        flash(request, f"{done.grant_ref}: {done.decision}")
    except (ValueError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        flash(request, getattr(exc, "message", "choose confirm or revoke"), kind="error")
    return redirect(f"/access/reviews/{ref}")


@router.post("/reviews/{ref}/keep")
def review_keep(
    request: Request, session: DbSession, actor: Decider, form: PostedForm, ref: str
) -> Response:
    """Keep (confirm) every ticked item at once; if one cannot be kept, none is."""
    try:
        done = reviews.keep_many(
            session,
            actor=actor,
            campaign_ref=ref,
            item_ids=[str(i) for i in form.getlist("item")],
            note=optional(form, "note"),
        )
        flash(request, f"{len(done)} kept: " + ", ".join(i.grant_ref for i in done))
    except CrownJewelsError as exc:
        if not refused(exc):
            raise
        discard(session)
        flash(request, exc.message, kind="error")
    return redirect(f"/access/reviews/{ref}")


@router.post("/reviews/{ref}/close")
def review_close(request: Request, session: DbSession, actor: Manager, ref: str) -> Response:
    """Close the campaign."""
    done = reviews.close(session, actor=actor, campaign_ref=ref)
    flash(request, f"closed {done.ref}")
    return redirect(f"/access/reviews/{ref}")
