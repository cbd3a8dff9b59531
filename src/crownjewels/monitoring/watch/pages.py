"""Pages of the departure watch and the log reviews: the watches (record a notice), a watch's
report for HR and legal; the log reviews (overdue first), a review's summary with its sign-off
and concern forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import (
    PostedForm,
    actor_labels,
    flash,
    flash_refusal,
    optional,
    parse_day,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, require
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.watch import service
from crownjewels.monitoring.watch.lookback import MEASURE_WORDS

router = APIRouter(prefix="/monitoring", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.CUSTODY_READ))]
Hr = Annotated[Actor, Depends(require(P.PARTIES_WRITE))]
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]


@router.get("/departures")
def departures(request: Request, session: DbSession, actor: Reader) -> Response:
    """Every departure watch, newest first, with the form to record a notice."""
    return render(
        request,
        "monitoring/watch/departures.html",
        {"watches": service.list_watches(session, actor=actor)},
    )


@router.post("/departures")
def record_notice(request: Request, session: DbSession, actor: Hr, form: PostedForm) -> Response:
    """Record a person's notice and last day: opens their watch."""
    try:
        watch = service.give_notice(
            session,
            actor=actor,
            person_ref=text(form, "person"),
            notice_on=parse_day(text(form, "notice_on"), field="notice_on", required=True),
            last_day=parse_day(text(form, "last_day"), field="last_day", required=True),
        )
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect("/monitoring/departures")
    flash(request, f"{watch.ref} opened for {watch.person_name}")
    return redirect(f"/monitoring/departures/{watch.ref}")


@router.get("/departures/{ref}")
def departure(request: Request, session: DbSession, actor: Reader, ref: str) -> Response:
    """The report for HR and legal."""
    found = service.report(session, actor=actor, ref=ref)
    refs = [found.watch.opened_by] + ([found.watch.closed_by] if found.watch.closed_by else [])
    ctx = {
        "report": found,
        "watch": found.watch,
        "actors": actor_labels(request, session, refs),
        "words": MEASURE_WORDS,
    }
    return render(request, "monitoring/watch/departure.html", ctx)


@router.post("/departures/{ref}/close")
def close_departure(
    request: Request, session: DbSession, actor: Manager, form: PostedForm, ref: str
) -> Response:
    """Close the watch, with the reason."""
    try:
        service.close_watch(session, actor=actor, ref=ref, reason=text(form, "reason"))
        flash(request, f"{ref} closed")
    except CrownJewelsError as exc:
        flash_refusal(request, session, exc)
    return redirect(f"/monitoring/departures/{ref}")


@router.get("/reviews")
def reviews(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The log reviews the actor may see (an owner: their own), the overdue ones apart."""
    listed = service.list_reviews(session, actor=actor)
    ctx = {"reviews": listed, "overdue": [r for r in listed if r.overdue]}
    return render(request, "monitoring/watch/reviews.html", ctx)


@router.post("/reviews")
def ask_reviews(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings
) -> Response:
    """Ask the owners for the last period's reviews now (the worker does it by itself)."""
    made = service.create_due(session, actor=actor, months=settings.monitoring_review_months)
    flash(request, f"{len(made)} review(s) asked" if made else "every review is already asked")
    return redirect("/monitoring/reviews")


@router.get("/reviews/{ref}")
def review(request: Request, session: DbSession, actor: CurrentActor, ref: str) -> Response:
    """A review's summary and, for its owner, the sign-off and concern forms."""
    found = service.get_review(session, actor=actor, ref=ref)
    refs = [found.decided_by] if found.decided_by else []
    ctx = {
        "review": found,
        "summary": found.summary,
        "may_decide": found.status == "due" and actor.person_id == found.reviewer_person_id,
        "actors": actor_labels(request, session, refs),
    }
    return render(request, "monitoring/watch/review.html", ctx)


@router.post("/reviews/{ref}/{decision}")
def decide_review(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    form: PostedForm,
    ref: str,
    decision: str,
) -> Response:
    """Sign off, or raise a concern (with words)."""
    try:
        if decision == "sign-off":
            done = service.sign_off(
                session, actor=actor, ref=ref, comment=optional(form, "comment")
            )
        elif decision == "concern":
            done = service.raise_concern(
                session, actor=actor, ref=ref, comment=text(form, "comment")
            )
        else:
            flash(request, "choose sign off or raise a concern", kind="error")
            return redirect(f"/monitoring/reviews/{ref}")
        flash(request, f"{done.ref}: {done.status.value.replace('-', ' ')}")
    except CrownJewelsError as exc:
        flash_refusal(request, session, exc)
    return redirect(f"/monitoring/reviews/{ref}")
