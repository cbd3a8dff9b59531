"""Pages of market surveillance: /leaks/watchlists (each watched secret's terms, competitors and
threshold with the form to set them; the feeds with their state and the form to add one) and
/leaks/reviews (the queue: each item's reason, score and link, with the mark buttons)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import PostedForm, flash, flash_refusal, redirect, render, text
from crownjewels.core.http import AppSettings, DbSession, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.schemas import ReviewStatus
from crownjewels.leaks.watchlists import fetching, reviews, service
from crownjewels.leaks.watchlists.fetch import FeedLimits
from crownjewels.leaks.watchlists.schemas import (
    DEFAULT_THRESHOLD,
    FeedCreate,
    FeedUpdate,
    FetchOutcome,
    ReviewMark,
    WatchlistSet,
)

router = APIRouter(prefix="/leaks", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.LEAKS_READ))]
Manager = Annotated[Actor, Depends(require(P.LEAKS_MANAGE))]
Reviewer = Annotated[Actor, Depends(require(P.LEAKS_REVIEW))]
WATCHLISTS = "/leaks/watchlists"
REVIEWS = "/leaks/reviews"
QUEUE = PageParams(limit=100)


def _phrases(value: str) -> list[str]:
    """Terms typed one per line or separated by commas."""
    return [p for p in re.split(r"[,\n]", value) if p.strip()]


@router.get("/watchlists")
def watchlists(request: Request, session: DbSession, actor: Reader) -> Response:
    """The watched secrets and the feeds, with the forms to set and add them."""
    ctx = {
        "watchlists": service.list_watchlists(session, actor=actor),
        "feeds": service.list_feeds(session, actor=actor),
        "may_manage": actor.can(P.LEAKS_MANAGE),
        "default_threshold": DEFAULT_THRESHOLD,
    }
    return render(request, "leaks/watchlists.html", ctx)


@router.post("/watchlists")
def set_watchlist(
    request: Request, session: DbSession, actor: Manager, form: PostedForm
) -> Response:
    """Set a secret's watchlist from the form."""
    try:
        data = WatchlistSet.model_validate(
            {
                "terms": _phrases(text(form, "terms")),
                "competitors": _phrases(text(form, "competitors")),
                "threshold": text(form, "threshold") or DEFAULT_THRESHOLD,
            }
        )
        done = service.set_watchlist(
            session, actor=actor, secret_ref=text(form, "secret"), data=data
        )
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect(WATCHLISTS)
    flash(request, f"The watchlist of {done.secret_ref} {done.secret_name} is saved.")
    return redirect(f"{WATCHLISTS}#{done.secret_ref}")


@router.post("/feeds")
def add_feed(request: Request, session: DbSession, actor: Manager, form: PostedForm) -> Response:
    """Add a feed from the form."""
    try:
        data = FeedCreate.model_validate(
            {
                "name": text(form, "name"),
                "url": text(form, "url"),
                "every_hours": text(form, "every_hours") or 6,
            }
        )
        done = service.add_feed(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect(WATCHLISTS + "#feeds")
    flash(request, f"The feed {done.ref} {done.name} is added; it is fetched within minutes.")
    return redirect(f"{WATCHLISTS}#{done.ref}")


@router.post("/feeds/{ref}/fetch")
def fetch_feed(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings, ref: str
) -> Response:
    """Fetch a feed now; the outcome is flashed."""
    feed_id, _ = service.feed_to_fetch(session, actor=actor, feed_ref=ref)
    session.rollback()  # no transaction stays open while the feed's server is read
    db: Database = request.app.state.db
    result = fetching.fetch_one(
        db, actor=actor, feed_id=feed_id, limits=FeedLimits.from_settings(settings)
    )
    failed = result.outcome is FetchOutcome.FAILED
    flash(request, service.describe(result), kind="error" if failed else "ok")
    return redirect(f"{WATCHLISTS}#{result.feed}")


@router.post("/feeds/{ref}/{verb}")
def change_feed(
    request: Request, session: DbSession, actor: Manager, ref: str, verb: str
) -> Response:
    """Pause, resume or remove a feed."""
    if verb == "remove":
        gone = service.remove_feed(session, actor=actor, feed_ref=ref)
        flash(request, f"The feed {gone.ref} {gone.name} is removed; its items stay.")
        return redirect(WATCHLISTS + "#feeds")
    if verb not in ("pause", "resume"):
        flash(request, f"a feed can be paused, resumed or removed, not {verb!r}", kind="error")
        return redirect(WATCHLISTS + "#feeds")
    done = service.update_feed(
        session, actor=actor, feed_ref=ref, data=FeedUpdate(paused=verb == "pause")
    )
    flash(request, f"The feed {done.ref} {done.name} is {done.status.value}.")
    return redirect(f"{WATCHLISTS}#{done.ref}")


@router.get("/reviews")
def queue(
    request: Request,
    session: DbSession,
    actor: Reader,
    status: str = "pending",
    secret: str | None = None,
) -> Response:
    """The review queue: pending items by default, or of a status, or all."""
    wanted = (
        None
        if status == "all"
        else ReviewStatus(status)
        if status in set(ReviewStatus)
        else ReviewStatus.PENDING
    )
    items, total = reviews.list_reviews(
        session, actor=actor, status=wanted, secret_ref=secret or None, page=QUEUE
    )
    ctx = {
        "items": items,
        "total": total,
        "status": wanted.value if wanted else "all",
        "statuses": [
            ("pending", "Pending"),
            ("relevant", "Relevant"),
            ("not-relevant", "Not relevant"),
            ("all", "All"),
        ],
        "may_review": actor.can(P.LEAKS_REVIEW),
    }
    return render(request, "leaks/reviews.html", ctx)


@router.post("/reviews/{ref}")
def mark(
    request: Request, session: DbSession, actor: Reviewer, ref: str, form: PostedForm
) -> Response:
    """Mark an item relevant or not, with the note and what follows."""
    try:
        data = ReviewMark.model_validate(
            {
                "relevant": text(form, "relevant") == "yes",
                "note": text(form, "note"),
                "open_investigation": text(form, "open_investigation") == "on",
                "mark_disclosed": text(form, "mark_disclosed") == "on",
            }
        )
        done = reviews.mark_review(session, actor=actor, review_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect(f"{REVIEWS}#{ref}")
    outcome = f" {done.outcome[0].upper()}{done.outcome[1:]}." if done.outcome else ""
    flash(request, f"{done.ref} is marked {done.status.value.replace('-', ' ')}.{outcome}")
    return redirect(REVIEWS)
