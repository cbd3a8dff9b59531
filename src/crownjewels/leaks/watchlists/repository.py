"""Queries of watchlists, feeds, their items and the review queue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from crownjewels.leaks.models import Feed, FeedItem, Review, Watchlist
from crownjewels.leaks.schemas import FeedStatus, ReviewStatus

#: feed items the idf is computed over at most (the newest)
CORPUS_ITEMS = 5000


def watchlist_of(session: Session, secret_id: str) -> Watchlist | None:
    """A secret's watchlist, if it has one."""
    return session.scalars(select(Watchlist).where(Watchlist.secret_id == secret_id)).first()


def watchlists(session: Session) -> list[Watchlist]:
    """Every watchlist."""
    return list(session.scalars(select(Watchlist)))


def pending_counts(session: Session) -> dict[str, int]:
    """Reviews waiting, per secret id."""
    query = (
        select(Review.secret_id, func.count())
        .where(Review.status == ReviewStatus.PENDING.value)
        .group_by(Review.secret_id)
    )
    return {sid: int(n) for sid, n in session.execute(query)}


def feed_by_ref(session: Session, ref: str) -> Feed | None:
    """A feed by its reference (WF-0001), case-insensitive, removed ones included."""
    return session.scalars(select(Feed).where(Feed.ref == ref.strip().upper())).first()


def live_feed_with_url(session: Session, url: str) -> Feed | None:
    """A feed not removed that fetches this URL."""
    query = select(Feed).where(Feed.url == url, Feed.status != FeedStatus.REMOVED.value)
    return session.scalars(query).first()


def feeds(session: Session, *, with_removed: bool = False) -> list[Feed]:
    """The feeds by reference."""
    query = select(Feed).order_by(Feed.ref)
    if not with_removed:
        query = query.where(Feed.status != FeedStatus.REMOVED.value)
    return list(session.scalars(query))


def item_counts(session: Session) -> dict[str, int]:
    """Items stored, per feed id."""
    query = select(FeedItem.feed_id, func.count()).group_by(FeedItem.feed_id)
    return {fid: int(n) for fid, n in session.execute(query)}


def due_feed_ids(session: Session, *, now: datetime) -> list[str]:
    """Ids of the feeds due for a fetch (working or failed; paused and removed are not)."""
    query = (
        select(Feed.id)
        .where(
            Feed.status.in_([FeedStatus.OK.value, FeedStatus.FAILED.value]),
            Feed.next_due <= now,
        )
        .order_by(Feed.next_due, Feed.ref)
    )
    return list(session.scalars(query))


def known_guids(session: Session, feed_id: str, guids: Sequence[str]) -> set[str]:
    """Which of these guids the feed's items already hold."""
    if not guids:
        return set()
    query = select(FeedItem.guid).where(FeedItem.feed_id == feed_id, FeedItem.guid.in_(guids))
    return set(session.scalars(query))


def corpus_items(session: Session) -> list[tuple[str, str]]:
    """Titles and summaries of the newest stored items (the idf's corpus)."""
    query = (
        select(FeedItem.title, FeedItem.summary)
        .order_by(FeedItem.fetched_at.desc(), FeedItem.id.desc())
        .limit(CORPUS_ITEMS)
    )
    return [(t, s) for t, s in session.execute(query)]


def review_by_ref(session: Session, ref: str) -> Review | None:
    """A queued item by its reference (WR-0001), case-insensitive."""
    return session.scalars(select(Review).where(Review.ref == ref.strip().upper())).first()


def reviews_query(*, status: str | None, secret_id: str | None) -> Select[Review]:
    """Queued items, newest first, filtered by status and secret."""
    query = select(Review)
    if status:
        query = query.where(Review.status == status)
    if secret_id:
        query = query.where(Review.secret_id == secret_id)
    return query.order_by(Review.created_at.desc(), Review.ref.desc())


def items_and_feeds(session: Session, item_ids: set[str]) -> dict[str, tuple[FeedItem, Feed]]:
    """The items with these ids and their feeds, by item id, in one query."""
    if not item_ids:
        return {}
    query = (
        select(FeedItem, Feed)
        .join(Feed, Feed.id == FeedItem.feed_id)
        .where(FeedItem.id.in_(item_ids))
    )
    return {item.id: (item, feed) for item, feed in session.execute(query)}
