"""Fetching and reading a feed: the bytes are fetched here (http and https only, redirects
within them, a size limit checked before and while reading, a time limit on the whole fetch,
ETag and Last-Modified sent back so an unchanged feed answers 304), then parsed by feedparser
from those bytes only (feedparser never fetches anything itself here). Failures raise
`Unreadable` with the reason in words; the caller marks the feed failed with it."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPMessage
from typing import IO, Any
from urllib.parse import urlsplit

import feedparser  # type: ignore[import-untyped]

from crownjewels.leaks.errors import Unreadable
from crownjewels.settings import Settings

CHUNK = 64 * 1024
USER_AGENT = "CrownJewels-watchlists/1 (+market surveillance of published items)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1"
)
#: items read from one fetch at most (a feed publishing more is read again next time)
MAX_ITEMS = 500
MAX_SUMMARY = 20_000
TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class FeedLimits:
    """How much of a feed is read and how long a fetch may take."""

    max_bytes: int
    timeout: float

    @classmethod
    def from_settings(cls, settings: Settings) -> FeedLimits:
        """The limits configured for this installation."""
        return cls(
            max_bytes=settings.leaks_feed_max_bytes, timeout=settings.leaks_feed_timeout_seconds
        )


@dataclass(frozen=True)
class Fetched:
    """A feed's answer: its bytes (empty when not modified) and its validators."""

    not_modified: bool
    data: bytes
    etag: str | None
    modified: str | None


@dataclass(frozen=True)
class ParsedItem:
    """One item of a feed as stored: a guid unique within the feed, plain-text summary."""

    guid: str
    title: str
    link: str | None
    summary: str
    published_at: datetime | None


def size(n: float) -> str:
    """A size in words (52 MB, 900 KB, 12 bytes)."""
    if n >= 1 << 20:
        return f"{n / (1 << 20):.0f} MB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.0f} KB"
    return f"{int(n)} bytes"


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects only to http and https addresses."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:  # fmt: skip
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise Unreadable(f"the feed redirected to {newurl}, which is not a web address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_Redirects)


def fetch(url: str, *, etag: str | None, modified: str | None, limits: FeedLimits) -> Fetched:
    """GET the feed with the validators of the last fetch, within the limits."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise Unreadable(f"{url} is not a web address; a feed is fetched over http or https")
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
    deadline = time.monotonic() + limits.timeout
    slow = f"the feed did not answer within {limits.timeout:g} seconds (the time limit)"
    try:
        with _OPENER.open(request, timeout=limits.timeout) as reply:
            data = _read(reply, limits, deadline, slow)
            return Fetched(
                not_modified=False,
                data=data,
                etag=reply.headers.get("ETag"),
                modified=reply.headers.get("Last-Modified"),
            )
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(not_modified=True, data=b"", etag=etag, modified=modified)
        raise Unreadable(f"the feed answered HTTP {exc.code} ({exc.reason})") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise Unreadable(slow) from None
        raise Unreadable(f"the feed's server could not be reached: {exc.reason}") from None
    except TimeoutError:
        raise Unreadable(slow) from None
    except (OSError, ValueError) as exc:
        raise Unreadable(f"the feed could not be fetched: {exc}") from None


def _read(reply: Any, limits: FeedLimits, deadline: float, slow: str) -> bytes:
    """The body, refused as soon as it is known to pass the size or the time limit."""
    announced = reply.headers.get("Content-Length")
    if announced and announced.isdigit() and int(announced) > limits.max_bytes:
        raise Unreadable(
            f"the feed is {size(int(announced))}, over the {size(limits.max_bytes)} limit; "
            "nothing was read"
        )
    parts: list[bytes] = []
    total = 0
    while True:
        if time.monotonic() > deadline:
            raise Unreadable(slow.replace("did not answer", "was not sent whole"))
        chunk = reply.read1(CHUNK)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limits.max_bytes:
            raise Unreadable(
                f"the feed sent more than {size(limits.max_bytes)}, the limit; nothing was kept"
            )
        parts.append(chunk)


def _text(value: str) -> str:
    return " ".join(html.unescape(TAG.sub(" ", value)).split())


def _when(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


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
