"""The verbs of market surveillance: set a secret's watchlist (WATCHLIST_SET), add, change,
pause and remove feeds (WATCH_FEED_*), store a fetch's new items and queue those scoring at or
above a watched secret's threshold (WATCH_ITEM_QUEUED), and legal's review of the queue
(WATCH_ITEM_REVIEWED: a relevant item raises a monitoring signal and may open an investigation
or record the secret disclosed). Fetching over the network is in `fetching`, outside any
transaction; the review queue's verbs are in `reviews`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Conflict
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead, SecretStatus
from crownjewels.leaks.errors import FeedNotFound
from crownjewels.leaks.models import Feed, FeedItem, Review, Watchlist
from crownjewels.leaks.scan.limits import size_words
from crownjewels.leaks.schemas import FeedStatus, ReviewStatus
from crownjewels.leaks.watchlists import repository, scoring
from crownjewels.leaks.watchlists.schemas import (
    FeedCreate,
    FeedRead,
    FeedUpdate,
    Fetched,
    FetchOutcome,
    FetchResult,
    ParsedItem,
    WatchlistRead,
    WatchlistSet,
)

WATCHLIST = "watchlist"
FEED = "watch-feed"
REVIEW = "watch-review"
#: who reads the register's descriptions for scoring, whoever fetched
READER = fact_reader("leaks")


def _manage(actor: Actor, what: str) -> None:
    actor.require(Permission.LEAKS_MANAGE, what=what)


def _read_perm(actor: Actor, what: str) -> None:
    actor.require(Permission.LEAKS_READ, what=what)


# Watchlists


def _watchlist_read(row: Watchlist, secret: SecretRead, pending: int = 0) -> WatchlistRead:
    return WatchlistRead(
        secret_ref=secret.ref,
        secret_name=secret.name,
        secret_status=secret.status.value,
        terms=list(row.terms),
        competitors=list(row.competitors),
        threshold=row.threshold,
        pending=pending,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


def set_watchlist(
    session: Session, *, actor: Actor, secret_ref: str, data: WatchlistSet
) -> WatchlistRead:
    """Set a secret's watch terms, competitors and threshold (WATCHLIST_SET with what was
    before); items fetched from now on are scored against them."""
    _manage(actor, "setting a watchlist")
    secret = inventory.get_plain(session, actor=actor, secret_ref=secret_ref)
    row = repository.watchlist_of(session, secret.id)
    before: dict[str, Any] | None = None
    if row is None:
        row = Watchlist(secret_id=secret.id)
        session.add(row)
    else:
        before = {"terms": row.terms, "competitors": row.competitors, "threshold": row.threshold}
    row.terms, row.competitors, row.threshold = data.terms, data.competitors, data.threshold
    row.updated_by, row.updated_at = actor.ref, clock.now()
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.WATCHLIST_SET,
        subject_type=WATCHLIST,
        subject_id=row.id,
        details={
            "secret": secret.ref,
            "before": before,
            "after": {
                "terms": data.terms,
                "competitors": data.competitors,
                "threshold": data.threshold,
            },
        },
    )
    return _watchlist_read(row, secret, repository.pending_counts(session).get(secret.id, 0))


def get_watchlist(session: Session, *, actor: Actor, secret_ref: str) -> WatchlistRead:
    """A secret's watchlist; a secret without one is told how to set it."""
    _read_perm(actor, "reading a watchlist")
    secret = inventory.get_plain(session, actor=actor, secret_ref=secret_ref)
    row = repository.watchlist_of(session, secret.id)
    if row is None:
        raise FeedNotFound(
            f"{secret.ref} has no watchlist; set one with `crownjewels leaks watchlist set "
            f"{secret.ref} --term ...`"
        )
    return _watchlist_read(row, secret, repository.pending_counts(session).get(secret.id, 0))


def list_watchlists(session: Session, *, actor: Actor) -> list[WatchlistRead]:
    """Every watchlist by secret reference, with the items waiting for review."""
    _read_perm(actor, "reading the watchlists")
    rows = repository.watchlists(session)
    secrets = {s.id: s for s in inventory.secrets_by_ids(session, {r.secret_id for r in rows})}
    pending = repository.pending_counts(session)
    out = [_watchlist_read(r, secrets[r.secret_id], pending.get(r.secret_id, 0)) for r in rows]
    return sorted(out, key=lambda w: w.secret_ref)


# Feeds


def _feed_read(row: Feed, items: int = 0) -> FeedRead:
    return FeedRead(
        ref=row.ref,
        name=row.name,
        url=row.url,
        every_hours=row.every_hours,
        status=FeedStatus(row.status),
        error=row.error,
        last_fetched_at=row.last_fetched_at,
        next_due=row.next_due,
        items=items,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def _feed(session: Session, ref: str) -> Feed:
    row = repository.feed_by_ref(session, ref)
    if row is None or row.status == FeedStatus.REMOVED.value:
        raise FeedNotFound(f"there is no feed {ref}; `crownjewels leaks feeds list` shows them")
    return row


def _unique_url(session: Session, url: str, *, besides: str | None = None) -> None:
    other = repository.live_feed_with_url(session, url)
    if other is not None and other.id != besides:
        raise Conflict(f"{other.ref} ({other.name}) fetches {url} already", field="url")


def _snapshot(row: Feed) -> dict[str, Any]:
    return {"name": row.name, "url": row.url, "every_hours": row.every_hours, "status": row.status}


def add_feed(session: Session, *, actor: Actor, data: FeedCreate) -> FeedRead:
    """Add a feed (WATCH_FEED_ADDED); it is fetched at once by the next run of the job."""
    _manage(actor, "adding a feed")
    _unique_url(session, data.url)
    now = clock.now()
    row = Feed(
        ref=next_ref(session, Feed.ref, "WF-", 4),
        name=data.name,
        url=data.url,
        every_hours=data.every_hours,
        next_due=now,
        status=FeedStatus.OK.value,
        created_by=actor.ref,
        created_at=now,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.WATCH_FEED_ADDED,
        subject_type=FEED,
        subject_id=row.id,
        details={"ref": row.ref, **_snapshot(row)},
    )
    return _feed_read(row)


def update_feed(session: Session, *, actor: Actor, feed_ref: str, data: FeedUpdate) -> FeedRead:
    """Change a feed's name, URL or cadence, pause or resume it (WATCH_FEED_CHANGED with what
    changed; nothing changed, no event). A new URL forgets the old one's validators."""
    _manage(actor, "changing a feed")
    row = _feed(session, feed_ref)
    before = _snapshot(row)
    if data.name is not None:
        row.name = data.name
    if data.url is not None and data.url != row.url:
        _unique_url(session, data.url, besides=row.id)
        row.url, row.etag, row.modified, row.next_due = data.url, None, None, clock.now()
    if data.every_hours is not None:
        row.every_hours = data.every_hours
    if data.paused is True:
        row.status = FeedStatus.PAUSED.value
    elif data.paused is False and row.status == FeedStatus.PAUSED.value:
        row.status, row.error, row.next_due = FeedStatus.OK.value, None, clock.now()
    after = _snapshot(row)
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changes:
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.WATCH_FEED_CHANGED,
            subject_type=FEED,
            subject_id=row.id,
            details={"ref": row.ref, "changes": changes},
        )
    return _feed_read(row, repository.item_counts(session).get(row.id, 0))


def remove_feed(session: Session, *, actor: Actor, feed_ref: str) -> FeedRead:
    """Stop fetching a feed for good (WATCH_FEED_REMOVED); its items and their reviews stay as
    the record of what was seen."""
    _manage(actor, "removing a feed")
    row = _feed(session, feed_ref)
    row.status = FeedStatus.REMOVED.value
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.WATCH_FEED_REMOVED,
        subject_type=FEED,
        subject_id=row.id,
        details={"ref": row.ref, **_snapshot(row)},
    )
    return _feed_read(row, repository.item_counts(session).get(row.id, 0))


def list_feeds(session: Session, *, actor: Actor) -> list[FeedRead]:
    """The feeds (removed ones left out) with their items stored."""
    _read_perm(actor, "reading the feeds")
    counts = repository.item_counts(session)
    return [_feed_read(r, counts.get(r.id, 0)) for r in repository.feeds(session)]


def get_feed(session: Session, *, actor: Actor, feed_ref: str) -> FeedRead:
    """One feed by reference."""
    _read_perm(actor, "reading a feed")
    row = _feed(session, feed_ref)
    return _feed_read(row, repository.item_counts(session).get(row.id, 0))


def feed_to_fetch(session: Session, *, actor: Actor, feed_ref: str) -> tuple[str, str]:
    """The id and URL of a feed someone asks to fetch now (paused feeds too: asked by hand)."""
    _manage(actor, "fetching a feed")
    row = _feed(session, feed_ref)
    return row.id, row.url


def due_feeds(session: Session) -> list[str]:
    """Ids of the feeds due for a fetch now."""
    return repository.due_feed_ids(session, now=clock.now())


def validators(session: Session, feed_id: str) -> tuple[str, str | None, str | None]:
    """A feed's URL and the ETag and Last-Modified of its last answer."""
    row = session.get(Feed, feed_id)
    if row is None:
        raise FeedNotFound("the feed was removed while it was being fetched")
    return row.url, row.etag, row.modified


# A fetch's outcome


def _status_change(session: Session, actor: Actor, row: Feed, before: str, err: str | None) -> None:
    """A feed that starts or stops failing is a change of the register (WATCH_FEED_CHANGED)."""
    if before == row.status:
        return
    custody.record(
        session,
        actor=actor,
        event_type=EventType.WATCH_FEED_CHANGED,
        subject_type=FEED,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "changes": {"status": {"before": before, "after": row.status}},
            "reason": err,
        },
    )


def record_failure(session: Session, *, actor: Actor, feed_id: str, error: str) -> FetchResult:
    """Mark a feed failed with the reason in words; it is tried again when next due."""
    row = session.get(Feed, feed_id, with_for_update=True)  # two fetches store an item once
    if row is None:
        raise FeedNotFound("the feed was removed while it was being fetched")
    before, now = row.status, clock.now()
    if row.status != FeedStatus.PAUSED.value:
        row.status = FeedStatus.FAILED.value
    row.error, row.last_fetched_at = error, now
    row.next_due = now + timedelta(hours=row.every_hours)
    session.flush()
    _status_change(session, actor, row, before, error)
    return FetchResult(feed=row.ref, name=row.name, outcome=FetchOutcome.FAILED, error=error)


def record_fetch(
    session: Session,
    *,
    actor: Actor,
    feed_id: str,
    fetched: Fetched,
    items: list[ParsedItem],
) -> FetchResult:
    """Store the fetch's new items once (per feed and guid), score each against every watched
    active secret, queue those at or above the secret's threshold (WATCH_ITEM_QUEUED each)."""
    row = session.get(Feed, feed_id, with_for_update=True)  # two fetches store an item once
    if row is None:
        raise FeedNotFound("the feed was removed while it was being fetched")
    before, now = row.status, clock.now()
    if row.status != FeedStatus.PAUSED.value:
        row.status = FeedStatus.OK.value
    row.error, row.last_fetched_at = None, now
    row.next_due = now + timedelta(hours=row.every_hours)
    row.etag, row.modified = fetched.etag, fetched.modified
    outcome = FetchOutcome.NOT_MODIFIED if fetched.not_modified else FetchOutcome.READ
    known = repository.known_guids(session, row.id, [i.guid for i in items])
    new: list[FeedItem] = []
    for item in items:
        if item.guid in known:
            continue
        known.add(item.guid)
        new.append(
            FeedItem(
                feed_id=row.id,
                guid=item.guid,
                title=item.title,
                link=item.link,
                summary=item.summary,
                published_at=item.published_at,
                fetched_at=now,
            )
        )
    session.add_all(new)
    session.flush()
    _status_change(session, actor, row, before, None)
    queued = queue_items(session, actor=actor, feed=row, items=new) if new else []
    return FetchResult(
        feed=row.ref,
        name=row.name,
        outcome=outcome,
        items=len(items),
        new_items=len(new),
        queued=queued,
        bytes=len(fetched.data),
    )


def _profiles(session: Session) -> list[tuple[SecretRead, Watchlist]]:
    rows = repository.watchlists(session)
    secrets = {s.id: s for s in inventory.secrets_by_ids(session, {r.secret_id for r in rows})}
    return [
        (secrets[r.secret_id], r)
        for r in rows
        if r.secret_id in secrets and secrets[r.secret_id].status == SecretStatus.ACTIVE
    ]


def queue_items(session: Session, *, actor: Actor, feed: Feed, items: list[FeedItem]) -> list[str]:
    """Score new items against every watched active secret (TF-IDF over the register's
    descriptions and the stored items) and queue those at or above its threshold."""
    watched = _profiles(session)
    if not watched:
        return []
    register = inventory.active_secrets(session, actor=READER)
    texts = [s.description for s in register]
    texts += [f"{t}\n{s}" for t, s in repository.corpus_items(session)]
    corpus = scoring.Corpus.of(texts)
    queued: list[str] = []
    for item in items:
        text = f"{item.title}\n{item.summary}"
        for secret, watchlist in watched:
            profile = scoring.Profile(
                secret_ref=secret.ref,
                description=secret.description,
                terms=tuple(watchlist.terms),
                competitors=tuple(watchlist.competitors),
            )
            result = scoring.score(text, profile, corpus)
            if result.value >= watchlist.threshold and result.value > 0:
                queued.append(_queue(session, actor, feed, item, secret, result))
    return queued


def _queue(
    session: Session,
    actor: Actor,
    feed: Feed,
    item: FeedItem,
    secret: SecretRead,
    result: scoring.Score,
) -> str:
    reason = result.reason(secret.ref)
    row = Review(
        ref=next_ref(session, Review.ref, "WR-", 4),
        item_id=item.id,
        secret_id=secret.id,
        score=result.value,
        reason=reason,
        status=ReviewStatus.PENDING.value,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.WATCH_ITEM_QUEUED,
        subject_type=REVIEW,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "secret": secret.ref,
            "feed": feed.ref,
            "title": item.title[:300],
            "link": item.link,
            "score": result.value,
            "reason": reason,
        },
    )
    return row.ref


def describe(result: FetchResult) -> str:
    """One fetch in words, for the CLI, the job's log and the page's flash."""
    if result.outcome is FetchOutcome.FAILED:
        return f"{result.feed} {result.name}: failed: {result.error}"
    if result.outcome is FetchOutcome.NOT_MODIFIED:
        return f"{result.feed} {result.name}: not modified since the last fetch"
    queued = f", queued {', '.join(result.queued)}" if result.queued else ", none queued"
    return (
        f"{result.feed} {result.name}: {result.items} items ({size_words(result.bytes)}), "
        f"{result.new_items} new{queued}"
    )
