"""Watchlists, feeds and the review queue against the real database and a real feed server:
items stored once per feed and guid, a relevant item queued with its reason and an unrelated
one not, 304 honoured, every failure marked on the feed in words, legal's marks and what they
trigger (a monitoring signal, an investigation or its absence, the secret disclosed)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - the custody labels and document owners
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Conflict, Forbidden, Invalid
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.leaks import escalation
from crownjewels.leaks.errors import AlreadyReviewed
from crownjewels.leaks.models import Feed, FeedItem
from crownjewels.leaks.watchlists import fetching, reviews, service
from crownjewels.leaks.watchlists.fetch import FeedLimits
from crownjewels.leaks.watchlists.fetch import parse as parse_feed
from crownjewels.leaks.watchlists.schemas import (
    FeedCreate,
    FeedUpdate,
    FetchOutcome,
    FetchResult,
    ReviewMark,
    WatchlistSet,
)
from crownjewels.monitoring.models import ActivityEvent
from crownjewels.settings import Settings
from tests.inventory.factories import make_secret
from tests.leaks.watchlists.feed_server import FeedServer, atom, feed_server, rss

#: the feed server is on 127.0.0.1: private addresses allowed, as an installation may
LIMITS = FeedLimits(max_bytes=256 * 1024, timeout=2.0, private_addresses=True)
CELL = (
    "Fed-batch CHO cell culture process: a feed schedule that controls glycosylation of the "
    "antibody, a temperature shift on day five and a galactose feed that raises galactosylated "
    "glycoforms."
)
RELEVANT = (
    "g-1",
    "Method for controlling glycosylation in fed-batch CHO cell culture",
    "A galactose feed during fed-batch culture raises galactosylated glycoforms of antibodies.",
)
UNRELATED = ("g-2", "Retailer opens stores in Europe", "Quarterly revenue grew as stores opened.")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with feed_server() as s:
        s.documents["/rss"] = (rss([RELEVANT, UNRELATED]), '"v1"')
        yield s


@pytest.fixture
def secret(db: Database, admin: Actor) -> SecretRead:
    with db.unit_of_work() as s:
        make_secret(s, admin, name="Brine", description="Brine recipe: salt, dill, vinegar.")
        return make_secret(s, admin, name="Cell culture", description=CELL)


def watch(db: Database, admin: Actor, secret: SecretRead, **fields: object) -> None:
    data = WatchlistSet.model_validate({"terms": ["perfusion culture"], **fields})
    with db.unit_of_work() as s:
        service.set_watchlist(s, actor=admin, secret_ref=secret.ref, data=data)


def add(db: Database, admin: Actor, url: str, name: str = "Patent news") -> str:
    with db.unit_of_work() as s:
        return service.add_feed(s, actor=admin, data=FeedCreate(name=name, url=url)).ref


def events(db: Database, event_type: str | None = None) -> list[Event]:
    """The custody events written so far (of a type), oldest first."""
    query = select(CustodyEvent.event_type, CustodyEvent.details).order_by(CustodyEvent.seq)
    if event_type:
        query = query.where(CustodyEvent.event_type == event_type)
    with db.unit_of_work(write=False) as s:
        return [Event(t, json.loads(d)) for t, d in s.execute(query)]


@dataclass(frozen=True)
class Event:
    event_type: str
    details: dict[str, Any]


def fetch(db: Database, admin: Actor, ref: str, limits: FeedLimits = LIMITS) -> FetchResult:
    with db.unit_of_work(write=False) as s:
        feed_id = s.scalars(select(Feed.id).where(Feed.ref == ref)).one()
    return fetching.fetch_one(db, actor=admin, feed_id=feed_id, limits=limits)


def signals(db: Database) -> list[ActivityEvent]:
    with db.unit_of_work(write=False) as s:
        rows = list(s.scalars(select(ActivityEvent).where(ActivityEvent.action == "signal")))
        s.expunge_all()
        return rows


def test_a_relevant_item_is_queued_with_its_reason_and_stored_once(
    db: Database, admin: Actor, secret: SecretRead, server: FeedServer
) -> None:
    watch(db, admin, secret, competitors=["Biogenix"])
    feed = add(db, admin, server.url("/rss"))
    first = fetch(db, admin, feed)
    assert first.outcome is FetchOutcome.READ and (first.items, first.new_items) == (2, 2)
    assert first.queued == ["WR-0001"]  # the unrelated item scores below the threshold
    with db.unit_of_work(write=False) as s:
        queued = reviews.get_review(s, actor=admin, review_ref="wr-0001")
    assert queued.secret_ref == secret.ref and queued.title == RELEVANT[1]
    assert queued.score >= 0.25 and queued.link == "https://news.example.com/g-1"
    assert queued.reason == (
        "shares 'galactosylated', 'glycosylation' and 'fed-batch' with "
        f"{secret.ref}'s description; score {queued.score:.2f}"
    )
    [event] = events(db, "WATCH_ITEM_QUEUED")
    assert event.details["reason"] == queued.reason and event.details["feed"] == feed

    assert fetch(db, admin, feed).outcome is FetchOutcome.NOT_MODIFIED  # ETag sent back: 304
    server.documents["/rss"] = (rss([RELEVANT, UNRELATED, ("g-3", "Biogenix news", "")]), '"v2"')
    third = fetch(db, admin, feed)
    assert (third.items, third.new_items) == (3, 1)
    with db.unit_of_work(write=False) as s:
        assert sorted(s.scalars(select(FeedItem.guid))) == ["g-1", "g-2", "g-3"]
        [listed] = service.list_feeds(s, actor=admin)
    assert listed.status == "ok" and listed.items == 3 and listed.error is None
    assert server.requests["/rss"] == 3


def test_atom_feeds_are_read(
    db: Database, admin: Actor, secret: SecretRead, server: FeedServer
) -> None:
    watch(db, admin, secret)
    server.documents["/atom"] = (atom([RELEVANT]), "")
    result = fetch(db, admin, add(db, admin, server.url("/atom")))
    assert result.new_items == 1 and result.queued == ["WR-0001"]
    with db.unit_of_work(write=False) as s:
        item = s.scalars(select(FeedItem)).one()
        assert item.link == "https://patents.example.com/g-1" and item.published_at is not None
        assert "<" not in item.summary


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        (
            "/huge",
            "the feed answered 50 MB, over the 256 KB limit (CROWNJEWELS_LEAKS_FEED_MAX_BYTES); "
            "none of it was stored",
        ),
        (
            "/endless",
            "the feed answered more, over the 256 KB limit (CROWNJEWELS_LEAKS_FEED_MAX_BYTES); "
            "none of it was stored",
        ),
        (
            "/slow",
            "the feed did not answer in full within 0.3 seconds "
            "(CROWNJEWELS_LEAKS_FEED_TIMEOUT_SECONDS); it is tried again at its next fetch",
        ),
        ("/bad", "the feed is not well-formed XML (line 2, column 30: mismatched tag)"),
        ("/page", "the address answered something that is not an RSS or Atom feed"),
        ("/gone", "the feed answered 404 (not found); check the address"),
    ],
)
def test_a_failing_feed_is_marked_failed_in_words(
    db: Database, admin: Actor, server: FeedServer, path: str, reason: str
) -> None:
    server.documents["/bad"] = (b"<rss><channel><item><title>a</titl></channel>", "")
    server.documents["/page"] = (b"<html><body>Welcome</body></html>", "")
    feed = add(db, admin, server.url(path))
    result = fetch(db, admin, feed, replace(LIMITS, timeout=0.3))
    assert result.outcome is FetchOutcome.FAILED and result.error
    assert result.error.startswith(reason)
    with db.unit_of_work(write=False) as s:
        shown = service.get_feed(s, actor=admin, feed_ref=feed)
    assert shown.status == "failed" and shown.error == result.error
    [changed] = events(db, "WATCH_FEED_CHANGED")
    assert changed.details["changes"]["status"] == {"before": "ok", "after": "failed"}


def test_a_failed_feed_recovers_and_an_unreachable_one_says_so(
    db: Database, admin: Actor, server: FeedServer
) -> None:
    feed = add(db, admin, server.url("/later"))
    assert fetch(db, admin, feed).outcome is FetchOutcome.FAILED
    server.documents["/later"] = (rss([UNRELATED]), "")
    ok = fetch(db, admin, feed)
    assert ok.outcome is FetchOutcome.READ and ok.new_items == 1
    changes = [e.details["changes"]["status"]["after"] for e in events(db, "WATCH_FEED_CHANGED")]
    assert changes == ["failed", "ok"]
    down = fetch(db, admin, add(db, admin, "http://127.0.0.1:9/feed", name="Down"))
    assert down.error and down.error.startswith("the feed could not be fetched (Connection")


def test_a_feed_on_a_private_address_is_refused_unless_allowed(
    db: Database, admin: Actor, server: FeedServer, tmp_path: Path
) -> None:
    defaults = FeedLimits.from_settings(Settings(home=tmp_path))
    assert defaults.private_addresses is False
    result = fetch(db, admin, add(db, admin, server.url("/rss")), defaults)
    assert result.outcome is FetchOutcome.FAILED and result.error
    assert result.error == (
        "the feed leads to 127.0.0.1 at 127.0.0.1, an address of a private network or of this "
        "machine, which feed fetches do not reach; set "
        "CROWNJEWELS_LEAKS_FETCH_PRIVATE_ADDRESSES=true to allow it"
    )
    assert server.requests == {}  # refused before connecting
    allowed = Settings(home=tmp_path, leaks_fetch_private_addresses=True)
    assert FeedLimits.from_settings(allowed).private_addresses is True


def test_only_due_feeds_are_fetched_and_paused_ones_never(
    db: Database, admin: Actor, server: FeedServer
) -> None:
    add(db, admin, server.url("/rss"))
    paused = add(db, admin, server.url("/paused"), name="Paused")
    with db.unit_of_work() as s:
        service.update_feed(s, actor=admin, feed_ref=paused, data=FeedUpdate(paused=True))
    assert [r.feed for r in fetching.fetch_due(db, actor=admin, limits=LIMITS)] == ["WF-0001"]
    assert fetching.fetch_due(db, actor=admin, limits=LIMITS) == []  # next due in 6 hours
    assert "/paused" not in server.requests


def test_feeds_are_added_changed_and_removed_with_custody_events(
    db: Database, admin: Actor
) -> None:
    ref = add(db, admin, "https://epo.example.com/rss")
    with pytest.raises(Conflict, match=re.escape("fetches https://epo.example.com/rss already")):
        add(db, admin, "https://epo.example.com/rss", name="Twice")
    with db.unit_of_work() as s:
        data = FeedUpdate(name="EPO A1", every_hours=24)
        changed = service.update_feed(s, actor=admin, feed_ref=ref, data=data)
        assert (changed.name, changed.every_hours) == ("EPO A1", 24)
        service.remove_feed(s, actor=admin, feed_ref=ref)
        assert service.list_feeds(s, actor=admin) == []
    kinds = [e.event_type for e in events(db)]
    assert kinds == ["WATCH_FEED_ADDED", "WATCH_FEED_CHANGED", "WATCH_FEED_REMOVED"]
    with pytest.raises(ValidationError, match="not a web address"):
        FeedCreate(name="Disk", url="file:///etc/passwd")


def test_a_watchlist_is_set_replaced_and_recorded(
    db: Database, admin: Actor, secret: SecretRead
) -> None:
    watch(db, admin, secret, competitors=["Biogenix", " biogenix "], threshold=0.4)
    with db.unit_of_work(write=False) as s:
        shown = service.get_watchlist(s, actor=admin, secret_ref="Cell culture")
    assert (shown.terms, shown.competitors, shown.threshold) == (
        ["perfusion culture"],
        ["Biogenix"],
        0.4,
    )
    watch(db, admin, secret, terms=[])
    first, second = events(db, "WATCHLIST_SET")
    assert first.details["before"] is None and second.details["before"]["threshold"] == 0.4
    assert second.details["after"]["terms"] == []
    with db.unit_of_work(write=False) as s:
        assert [w.secret_ref for w in service.list_watchlists(s, actor=admin)] == [secret.ref]
    with pytest.raises(ValidationError, match="has no letters or digits"):
        WatchlistSet(terms=["---"])


def queued(db: Database, admin: Actor, secret: SecretRead, server: FeedServer) -> str:
    watch(db, admin, secret)
    [ref] = fetch(db, admin, add(db, admin, server.url("/rss"))).queued
    return ref


def test_relevant_raises_a_signal_and_says_no_case_could_be_opened(
    db: Database, admin: Actor, secret: SecretRead, server: FeedServer, alone: None
) -> None:
    ref = queued(db, admin, secret, server)
    mark = ReviewMark(relevant=True, note="Same feed schedule as ours", open_investigation=True)
    with db.unit_of_work() as s:
        done = reviews.mark_review(s, actor=admin, review_ref=ref, data=mark)
    assert done.status == "relevant" and done.outcome == reviews.NO_CASE
    [signal] = signals(db)
    assert signal.secret_id == secret.id and signal.details["kind"] == "watchlist"
    assert signal.resource == ref
    [event] = events(db, "WATCH_ITEM_REVIEWED")
    assert event.details["event_id"] == signal.id and event.details["note"] == mark.note
    with db.unit_of_work() as s, pytest.raises(AlreadyReviewed, match="marked relevant already"):
        reviews.mark_review(s, actor=admin, review_ref=ref, data=mark)
    with db.unit_of_work(write=False) as s:
        assert reviews.list_reviews(s, actor=admin, page=PageParams()) == ([], 0)


def test_relevant_opens_an_investigation_and_records_the_secret_disclosed(
    db: Database, admin: Actor, secret: SecretRead, server: FeedServer, alone: None
) -> None:
    ref = queued(db, admin, secret, server)
    seen: list[escalation.Finding] = []

    def receiver(_s: Session, _a: Actor, finding: escalation.Finding) -> str:
        seen.append(finding)
        return "IN-0042"

    escalation.register("test", receiver)
    mark = ReviewMark(relevant=True, note="Published", open_investigation=True, mark_disclosed=True)
    try:
        with db.unit_of_work() as s:
            done = reviews.mark_review(s, actor=admin, review_ref=ref, data=mark)
    finally:
        escalation.unregister("test")
    assert done.outcome == f"investigation IN-0042 opened; {secret.ref} recorded disclosed"
    assert seen[0].reference == ref and seen[0].secret_ids == [secret.id]
    with db.unit_of_work(write=False) as s:
        assert inventory.get(s, actor=admin, secret_ref=secret.ref).status == "disclosed"
    assert events(db, "SECRET_STATUS_CHANGED")


def test_not_relevant_asks_nothing_more_and_permissions_hold(
    db: Database, admin: Actor, secret: SecretRead, server: FeedServer
) -> None:
    ref = queued(db, admin, secret, server)
    compliance = Actor(kind="user", id="c", name="C", roles=frozenset({Role.COMPLIANCE}))
    with db.unit_of_work() as s:
        with pytest.raises(Invalid, match="only a relevant item"):
            bad = ReviewMark(relevant=False, note="x", mark_disclosed=True)
            reviews.mark_review(s, actor=admin, review_ref=ref, data=bad)
        assert reviews.list_reviews(s, actor=compliance, page=PageParams())[1] == 1
        with pytest.raises(Forbidden, match="leaks:review"):
            no = ReviewMark(relevant=False, note="x")
            reviews.mark_review(s, actor=compliance, review_ref=ref, data=no)
        with pytest.raises(Forbidden, match="leaks:manage"):
            service.add_feed(
                s, actor=compliance, data=FeedCreate(name="X", url="https://x.example")
            )
        no = ReviewMark(relevant=False, note="A retailer")
        done = reviews.mark_review(s, actor=admin, review_ref=ref, data=no)
    assert done.status == "not-relevant" and done.outcome is None
    assert signals(db) == []


def test_a_feed_item_with_an_impossible_date_or_a_script_link_is_read_safely() -> None:
    """A date past year 9999 would stop the feed job; a javascript: link is never kept."""
    data = (
        b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        b"<title>t</title><entry><id>x-1</id><title>Far future</title>"
        b'<link href="javascript:alert(1)"/>'
        b"<updated>9999-12-31T23:59:59-05:00</updated><summary>s</summary></entry></feed>"
    )
    (item,) = parse_feed(data)
    assert item.published_at is None and item.link is None and item.title == "Far future"


def test_validators_too_long_to_keep_are_not_sent_back(
    db: Database, admin: Actor, server: FeedServer
) -> None:
    """An ETag longer than the feed keeps would be cut into a wrong one: it is dropped."""
    server.documents["/long"] = (rss([UNRELATED]), '"' + "a" * 400 + '"')
    feed = add(db, admin, server.url("/long"))
    assert fetch(db, admin, feed).outcome is FetchOutcome.READ
    with db.unit_of_work(write=False) as s:
        assert service.validators(s, s.scalars(select(Feed.id)).one())[1] is None
