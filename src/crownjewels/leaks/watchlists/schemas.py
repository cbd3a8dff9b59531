"""Watchlists, feeds and the review queue in and out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crownjewels.leaks.schemas import FeedStatus, ReviewStatus

#: a new watchlist's threshold: items scoring at or above it are queued (docs/leaks.md)
DEFAULT_THRESHOLD = 0.25
MAX_TERMS = 50


def _clean_terms(values: list[str], what: str) -> list[str]:
    """Terms stripped, blanks dropped, each once (case-insensitive), in the order given."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        term = " ".join(raw.split())
        if not term or term.casefold() in seen:
            continue
        if len(term) > 100:
            raise ValueError(f"the {what} {term[:30]!r}… is longer than 100 characters")
        if not any(c.isalnum() for c in term):
            raise ValueError(f"the {what} {term!r} has no letters or digits to look for")
        seen.add(term.casefold())
        out.append(term)
    if len(out) > MAX_TERMS:
        raise ValueError(f"at most {MAX_TERMS} {what}s; keep the ones that matter")
    return out


def check_feed_url(url: str) -> str:
    """An http(s) URL with a host (a feed is fetched from the network, never read from disk)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not a web address; give the feed's http:// or https:// URL")
    return url.strip()


class WatchlistSet(BaseModel):
    """A secret's watch terms, competitors and threshold (each set replaces the last)."""

    model_config = ConfigDict(extra="forbid")

    terms: list[str] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)
    #: items scoring at or above it (cosine similarity, 0..1) are queued for review
    threshold: float = Field(default=DEFAULT_THRESHOLD, ge=0.01, le=1.0)

    @field_validator("terms")
    @classmethod
    def _terms(cls, value: list[str]) -> list[str]:
        return _clean_terms(value, "watch term")

    @field_validator("competitors")
    @classmethod
    def _competitors(cls, value: list[str]) -> list[str]:
        return _clean_terms(value, "competitor")


class WatchlistRead(BaseModel):
    """A secret's watchlist as shown."""

    secret_ref: str
    secret_name: str
    secret_status: str
    terms: list[str]
    competitors: list[str]
    threshold: float
    pending: int = 0
    updated_by: str
    updated_at: datetime


class FeedCreate(BaseModel):
    """A feed to fetch: a name people recognise, its URL, how often."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=2000)
    every_hours: int = Field(default=6, ge=1, le=24 * 7)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_feed_url(value)


class FeedUpdate(BaseModel):
    """What may change on a feed (only what is given); `paused` pauses or resumes it."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=1, max_length=200)
    url: str | None = Field(default=None, min_length=1, max_length=2000)
    every_hours: int | None = Field(default=None, ge=1, le=24 * 7)
    paused: bool | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else check_feed_url(value)


class FeedRead(BaseModel):
    """A feed as shown: its state, why it failed, when it was last fetched and is next due."""

    ref: str
    name: str
    url: str
    every_hours: int
    status: FeedStatus
    error: str | None
    last_fetched_at: datetime | None
    next_due: datetime
    items: int = 0
    created_by: str
    created_at: datetime


class FetchOutcome(StrEnum):
    """What one fetch of a feed gave."""

    READ = "read"
    NOT_MODIFIED = "not-modified"
    FAILED = "failed"


class FetchResult(BaseModel):
    """One fetch of a feed: new items stored, reviews queued (WR-0001 …), or why it failed."""

    feed: str
    name: str
    outcome: FetchOutcome
    items: int = 0
    new_items: int = 0
    queued: list[str] = Field(default_factory=list)
    error: str | None = None
    bytes: int = 0


class ReviewMark(BaseModel):
    """Legal's judgement of a queued item: relevant or not, a note, and what follows."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    relevant: bool
    note: str = Field(min_length=1, max_length=4000)
    #: hand the item to the incident capability (when one is installed)
    open_investigation: bool = False
    #: record the secret disclosed in the register (it is public now)
    mark_disclosed: bool = False


class ReviewRead(BaseModel):
    """A queued item as legal reads it: the secret, the item, its score and the reason."""

    ref: str
    secret_ref: str
    secret_name: str
    score: float
    reason: str
    status: ReviewStatus
    title: str
    link: str | None
    summary: str
    published_at: datetime | None
    feed: str
    feed_name: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    note: str | None
    outcome: str | None
    created_at: datetime


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
