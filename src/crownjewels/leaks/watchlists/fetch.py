"""Fetching and reading a feed: the bytes are fetched by leaks' one fetcher (scan/fetch.py:
http and https only, bounded redirects, a size limit checked before and while reading, a time
limit on the whole fetch, loopback and private addresses refused unless the installation allows
them), with ETag and Last-Modified sent back so an unchanged feed answers 304; then parsed by
feedparser from those bytes only (feedparser never fetches anything itself here). Failures raise
`TargetRefused` (the fetch) or `Unreadable` (the document) with the reason in words; the caller
marks the feed failed with it."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser  # type: ignore[import-untyped]

from crownjewels.leaks.errors import Unreadable
from crownjewels.leaks.scan import fetch as web
from crownjewels.leaks.watchlists.schemas import Fetched, ParsedItem
from crownjewels.settings import Settings

USER_AGENT = "CrownJewels-watchlists/1 (+market surveillance of published items)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)
#: items read from one fetch at most (a feed publishing more is read again next time)
MAX_ITEMS = 500
MAX_SUMMARY = 20_000
#: the longest ETag and Last-Modified kept (the feed's columns)
MAX_ETAG, MAX_MODIFIED = 300, 100
TAG = re.compile(r"<[^>]+>")
#: a feed's refusals name the feed settings and what to do about a feed
WORDING = web.Wording(
    noun="the feed",
    users="feed fetches",
    max_bytes_setting="CROWNJEWELS_LEAKS_FEED_MAX_BYTES",
    timeout_setting="CROWNJEWELS_LEAKS_FEED_TIMEOUT_SECONDS",
    too_large="none of it was stored: raise the limit if the feed is meant to be that large",
    too_slow="it is tried again at its next fetch, or raise the limit for a slow feed",
)


@dataclass(frozen=True)
class FeedLimits:
    """How much of a feed is read, how long a fetch may take, how many redirects are followed
    and whether loopback and private addresses may be fetched."""

    max_bytes: int
    timeout: float
    max_redirects: int = 5
    private_addresses: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedLimits:
        """The limits configured for this installation (redirects and private addresses as
        for every fetch of leaks: CROWNJEWELS_LEAKS_FETCH_*)."""
        return cls(
            max_bytes=settings.leaks_feed_max_bytes,
            timeout=settings.leaks_feed_timeout_seconds,
            max_redirects=settings.leaks_fetch_max_redirects,
            private_addresses=settings.leaks_fetch_private_addresses,
        )


def fetch(url: str, *, etag: str | None, modified: str | None, limits: FeedLimits) -> Fetched:
    """GET the feed with the validators of the last fetch, within the limits; TargetRefused
    says why it was not fetched."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    answer = web.fetch(
        url,
        max_bytes=limits.max_bytes,
        timeout=limits.timeout,
        max_redirects=limits.max_redirects,
        private_addresses=limits.private_addresses,
        headers=headers,
        wording=WORDING,
    )
    if answer.status == 304:
        return Fetched(not_modified=True, data=b"", etag=etag, modified=modified)
    return Fetched(
        not_modified=False,
        data=answer.data,
        etag=_validator(answer.headers.get("etag"), MAX_ETAG),
        modified=_validator(answer.headers.get("last-modified"), MAX_MODIFIED),
    )


def _validator(value: str | None, size: int) -> str | None:
    """A validator to send back next time; None when it is longer than is kept (a cut ETag
    would be a wrong one: the next fetch then asks for the whole feed)."""
    return value if value is not None and len(value) <= size else None


def _text(value: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", value)).split())


def _when(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (ValueError, OverflowError, OSError):  # a date no calendar holds (year 10000)
        return None


def parse(data: bytes) -> list[ParsedItem]:
    """The items of an RSS or Atom document, first 500; `Unreadable` when it is neither."""
    feed = feedparser.parse(data)
    problem = feed.get("bozo_exception")
    if feed.get("bozo") and hasattr(problem, "getLineNumber"):
        raise Unreadable(
            f"the feed is not well-formed XML (line {problem.getLineNumber()}, column "
            f"{problem.getColumnNumber()}: {problem.getMessage()}); nothing was read from it"
        )
    if not feed.get("version"):
        raise Unreadable("the address answered something that is not an RSS or Atom feed")
    items: list[ParsedItem] = []
    for entry in feed.entries[:MAX_ITEMS]:
        title = _text(entry.get("title", "")) or "(untitled)"
        summary = _text(entry.get("summary", "") or entry.get("description", ""))[:MAX_SUMMARY]
        link = entry.get("link") or None
        if link and urlsplit(str(link)).scheme.lower() not in ("http", "https"):
            link = None  # a javascript: or data: link is never shown as one
        guid = entry.get("id") or link
        if not guid:
            guid = "sha256:" + hashlib.sha256(f"{title}\n{summary}".encode()).hexdigest()
        items.append(
            ParsedItem(
                guid=str(guid)[:500],
                title=title[:2000],
                link=str(link)[:2000] if link else None,
                summary=summary,
                published_at=_when(entry),
            )
        )
    return items
