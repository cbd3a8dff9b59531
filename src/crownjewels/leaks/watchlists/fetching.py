"""Fetch feeds: for each, one short unit of work reads its URL and validators, the network
fetch and the parse run outside any transaction, and a second unit of work stores the new items
and queues the reviews (or marks the feed failed with the reason). A feed's failure never stops
the others."""

from __future__ import annotations

import logging
import threading

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.leaks.errors import TargetRefused, Unreadable
from crownjewels.leaks.watchlists import fetch, service
from crownjewels.leaks.watchlists.schemas import FetchResult

_log = logging.getLogger(__name__)


def fetch_due(
    db: Database, *, actor: Actor, limits: fetch.FeedLimits, stop: threading.Event | None = None
) -> list[FetchResult]:
    """Fetch every feed due now (the worker's job)."""
    with db.unit_of_work(write=False) as session:
        ids = service.due_feeds(session)
    results = []
    for feed_id in ids:
        if stop is not None and stop.is_set():
            break
        results.append(fetch_one(db, actor=actor, feed_id=feed_id, limits=limits))
    return results


def fetch_now(
    db: Database, *, actor: Actor, feed_ref: str, limits: fetch.FeedLimits
) -> FetchResult:
    """Fetch one feed now, due or not (a person asked: leaks:manage)."""
    with db.unit_of_work(write=False) as session:
        feed_id, _ = service.feed_to_fetch(session, actor=actor, feed_ref=feed_ref)
    return fetch_one(db, actor=actor, feed_id=feed_id, limits=limits)


def fetch_one(db: Database, *, actor: Actor, feed_id: str, limits: fetch.FeedLimits) -> FetchResult:
    """Fetch, parse and record one feed; a failure is recorded on the feed, not raised."""
    with db.unit_of_work(write=False) as session:
        url, etag, modified = service.validators(session, feed_id)
    try:
        fetched = fetch.fetch(url, etag=etag, modified=modified, limits=limits)
        items = [] if fetched.not_modified else fetch.parse(fetched.data)
    except (TargetRefused, Unreadable) as exc:
        with db.unit_of_work() as session:
            return service.record_failure(session, actor=actor, feed_id=feed_id, error=exc.message)
    except Exception as exc:
        _log.exception("feed %s could not be read", feed_id)
        with db.unit_of_work() as session:
            return service.record_failure(
                session,
                actor=actor,
                feed_id=feed_id,
                error=f"the feed could not be read ({type(exc).__name__}); the log has the detail",
            )
    with db.unit_of_work() as session:
        return service.record_fetch(
            session, actor=actor, feed_id=feed_id, fetched=fetched, items=items
        )
