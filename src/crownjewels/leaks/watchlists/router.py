"""JSON API of market surveillance under /api/v1/leaks: watchlists per secret, feeds (add,
change, pause, remove, fetch now) and the review queue (list, show, mark)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.http import AppSettings, DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.schemas import ReviewStatus
from crownjewels.leaks.watchlists import fetching, reviews, service
from crownjewels.leaks.watchlists.fetch import FeedLimits
from crownjewels.leaks.watchlists.schemas import (
    FeedCreate,
    FeedRead,
    FeedUpdate,
    FetchResult,
    ReviewMark,
    ReviewRead,
    WatchlistRead,
    WatchlistSet,
)

router = APIRouter(prefix="/leaks", tags=["leaks"])
Reader = Annotated[Actor, Depends(require(P.LEAKS_READ))]
Manager = Annotated[Actor, Depends(require(P.LEAKS_MANAGE))]
Reviewer = Annotated[Actor, Depends(require(P.LEAKS_REVIEW))]
SecretRef = Annotated[str, Path(max_length=200, description="the secret: TS-0003 or its name")]
FeedRef = Annotated[str, Path(max_length=20, description="the feed: WF-0001")]
ReviewRef = Annotated[str, Path(max_length=20, description="the queued item: WR-0001")]


@router.get("/watchlists", response_model=list[WatchlistRead], summary="List watchlists")
def list_watchlists(session: DbSession, actor: Reader) -> list[WatchlistRead]:
    """Every secret's watchlist with the items waiting for review."""
    return service.list_watchlists(session, actor=actor)


@router.get("/watchlists/{secret}", response_model=WatchlistRead, summary="Show a watchlist")
def get_watchlist(session: DbSession, actor: Reader, secret: SecretRef) -> WatchlistRead:
    """A secret's watch terms, competitors and threshold."""
    return service.get_watchlist(session, actor=actor, secret_ref=secret)


@router.put("/watchlists/{secret}", response_model=WatchlistRead, summary="Set a watchlist")
def set_watchlist(
    session: DbSession, actor: Manager, secret: SecretRef, body: WatchlistSet
) -> WatchlistRead:
    """Set (replace) a secret's watch terms, competitors and threshold."""
    return service.set_watchlist(session, actor=actor, secret_ref=secret, data=body)


@router.get("/feeds", response_model=list[FeedRead], summary="List feeds")
def list_feeds(session: DbSession, actor: Reader) -> list[FeedRead]:
    """The feeds with their state, last fetch and reason of failure."""
    return service.list_feeds(session, actor=actor)


@router.post(
    "/feeds", response_model=FeedRead, status_code=status.HTTP_201_CREATED, summary="Add a feed"
)
def add_feed(session: DbSession, actor: Manager, body: FeedCreate) -> FeedRead:
    """A new RSS or Atom feed, fetched by the next run of the feed job."""
    return service.add_feed(session, actor=actor, data=body)


@router.get("/feeds/{ref}", response_model=FeedRead, summary="Show a feed")
def get_feed(session: DbSession, actor: Reader, ref: FeedRef) -> FeedRead:
    """One feed."""
    return service.get_feed(session, actor=actor, feed_ref=ref)


@router.patch("/feeds/{ref}", response_model=FeedRead, summary="Change, pause or resume a feed")
def update_feed(session: DbSession, actor: Manager, ref: FeedRef, body: FeedUpdate) -> FeedRead:
    """Change a feed's name, URL or cadence; `paused` pauses or resumes it."""
    return service.update_feed(session, actor=actor, feed_ref=ref, data=body)


@router.delete("/feeds/{ref}", response_model=FeedRead, summary="Remove a feed")
def remove_feed(session: DbSession, actor: Manager, ref: FeedRef) -> FeedRead:
    """Stop fetching a feed; its items and reviews stay."""
    return service.remove_feed(session, actor=actor, feed_ref=ref)


@router.post("/feeds/{ref}/fetch", response_model=FetchResult, summary="Fetch a feed now")
def fetch_feed(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings, ref: FeedRef
) -> FetchResult:
    """Fetch the feed now: new items, the reviews queued, or why it failed."""
    feed_id, _ = service.feed_to_fetch(session, actor=actor, feed_ref=ref)
    session.rollback()  # no transaction stays open while the feed's server is read
    db: Database = request.app.state.db
    return fetching.fetch_one(
        db, actor=actor, feed_id=feed_id, limits=FeedLimits.from_settings(settings)
    )


@router.get("/reviews", response_model=Page[ReviewRead], summary="List the review queue")
def list_reviews(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    status_: Annotated[ReviewStatus | None, Query(alias="status")] = ReviewStatus.PENDING,
    secret: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[ReviewRead]:
    """Queued items newest first: pending by default, or of a status, or of a secret."""
    items, total = reviews.list_reviews(
        session, actor=actor, status=status_, secret_ref=secret, page=paging
    )
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/reviews/{ref}", response_model=ReviewRead, summary="Show a queued item")
def get_review(session: DbSession, actor: Reader, ref: ReviewRef) -> ReviewRead:
    """One queued item with its reason and score."""
    return reviews.get_review(session, actor=actor, review_ref=ref)


@router.post("/reviews/{ref}", response_model=ReviewRead, summary="Mark a queued item")
def mark_review(
    session: DbSession, actor: Reviewer, ref: ReviewRef, body: ReviewMark
) -> ReviewRead:
    """Relevant or not, with a note; a relevant item may open an investigation or record its
    secret disclosed."""
    return reviews.mark_review(session, actor=actor, review_ref=ref, data=body)
