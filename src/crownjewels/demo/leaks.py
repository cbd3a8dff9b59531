"""The demo's leak detection (leaks.yaml): the secrets' documents fingerprinted, a leaked
excerpt of the routing engine found by a scan of pasted text, a canary token that fired, and a
watchlist whose feed queued an item for legal's review; then scored, so the alert queue shows
the leak and the canary beside monitoring's stories."""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from crownjewels.core import clock
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.leaks.canary import service as canary
from crownjewels.leaks.canary.schemas import TokenCreate
from crownjewels.leaks.index import service as index
from crownjewels.leaks.scan import service as scans
from crownjewels.leaks.schemas import TokenKind
from crownjewels.leaks.watchlists import service as watchlists
from crownjewels.leaks.watchlists.schemas import (
    FeedCreate,
    FeedUpdate,
    Fetched,
    ParsedItem,
    WatchlistSet,
)
from crownjewels.monitoring.scoring import service as scoring


class Excerpt(dataset.Record):
    """Text found somewhere, and where (as the analyst noted it)."""

    found_at: str
    text: str


class Fired(dataset.Record):
    """What the canary's callback saw."""

    ip: str
    user_agent: str
    referrer: str | None = None


class Canary(dataset.Record):
    """A token planted for a secret, and the call home it made."""

    secret: str
    kind: TokenKind
    label: str
    fired: Fired


class Watch(dataset.Record):
    """A secret's watch terms, competitors and threshold."""

    secret: str
    terms: list[str]
    competitors: list[str]
    threshold: float


class Item(dataset.Record):
    """An item the demo feed published, some days ago."""

    guid: str
    title: str
    link: str
    summary: str
    days_ago: int


class DemoFeed(dataset.Record):
    """The demo feed (paused after seeding: its address serves nothing)."""

    name: str
    url: str
    items: list[Item]


class Leaks(dataset.DataFile):
    """leaks.yaml."""

    leaked_excerpt: Excerpt
    canary: Canary
    watchlist: Watch
    feed: DemoFeed


def seed(run: Seeding) -> None:
    """Fingerprint the documents (when the demo has a vault), scan the leaked excerpt, fire
    the canary, queue the watchlist's item; then score what they raised."""
    data = dataset.load("leaks.yaml", Leaks)
    security, legal = run.users[Role.SECURITY], run.users[Role.LEGAL]
    if run.vault is not None and run.settings is not None:
        index.index_pending(run.session, actor=run.actor, vault=run.vault(), limit=1000)
        scans.scan(
            run.session,
            actor=security,
            settings=run.settings,
            text=data.leaked_excerpt.text,
            label=data.leaked_excerpt.found_at,
        )
    base_url = run.settings.base_url if run.settings is not None else "http://127.0.0.1:8000"
    token = canary.plant(
        run.session,
        actor=security,
        data=TokenCreate(secret=data.canary.secret, kind=data.canary.kind, label=data.canary.label),
        base_url=base_url,
    )
    fired = data.canary.fired
    assert token.url is not None  # a document token calls home
    canary.record_callback(
        run.session,
        token=PurePosixPath(urlsplit(token.url).path).stem,
        ip=fired.ip,
        user_agent=fired.user_agent,
        referrer=fired.referrer,
    )
    watchlists.set_watchlist(
        run.session,
        actor=legal,
        secret_ref=data.watchlist.secret,
        data=WatchlistSet(
            terms=data.watchlist.terms,
            competitors=data.watchlist.competitors,
            threshold=data.watchlist.threshold,
        ),
    )
    feed = watchlists.add_feed(
        run.session, actor=legal, data=FeedCreate(name=data.feed.name, url=data.feed.url)
    )
    now = clock.now()
    items = [
        ParsedItem(
            guid=i.guid,
            title=i.title,
            link=i.link,
            summary=i.summary,
            published_at=now - timedelta(days=i.days_ago),
        )
        for i in data.feed.items
    ]
    feed_id, _ = watchlists.feed_to_fetch(run.session, actor=legal, feed_ref=feed.ref)
    watchlists.record_fetch(
        run.session,
        actor=legal,
        feed_id=feed_id,
        fetched=Fetched(not_modified=False, data=b"", etag=None, modified=None),
        items=items,
    )
    watchlists.update_feed(
        run.session, actor=legal, feed_ref=feed.ref, data=FeedUpdate(paused=True)
    )
    scoring.score_queued(run.session, actor=run.actor)
