"""The fingerprint index, scans and their matches, scheduled scan watches, canary tokens and
their hits, watchlists with their feeds, items and the legal review queue.

The index holds hashes and offsets only, never text: `leak_fingerprint` rows belong to one
`leak_source` (a vault document's version, or a canary's honey string) and go with it when the
document is crypto-shredded. A scan keeps each scanned file's SHA-256 and the matched offsets
as evidence, never the file's content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core.models import Base, IdMixin


class Source(IdMixin, Base):
    """What was fingerprinted: one version of a vault document of a secret, or the honey string
    of a canary token (then `token_id` is set and there is no document)."""

    __tablename__ = "leak_source"
    __table_args__ = (UniqueConstraint("document_id", "version_number"),)

    secret_id: Mapped[str | None] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"), index=True)
    version_number: Mapped[int | None]
    token_id: Mapped[str | None] = mapped_column(ForeignKey("leak_token.id"), index=True)
    #: the file name people read (ingest.py, "Fermentation SOP.docx"), for verdicts
    name: Mapped[str] = mapped_column(String(300))
    #: text or code
    kind: Mapped[str] = mapped_column(String(10))
    #: the tree-sitter language of code (python, java, c, cpp, javascript, typescript, go,
    #: c_sharp); None for text
    language: Mapped[str | None] = mapped_column(String(20))
    #: the SHA-256 of the version's plaintext (a scanned file equal to it is the original)
    sha256: Mapped[str] = mapped_column(String(64))
    #: indexed, unreadable (no text could be read: `reason` says why), empty
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    #: characters and lines of the normalised text, and fingerprints kept per channel
    chars: Mapped[int] = mapped_column(BigInteger, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    prints: Mapped[dict[str, Any]]
    #: the fingerprinting parameters it was made with (k, w per channel; the version of the
    #: normaliser): a change of parameters re-indexes
    params: Mapped[str] = mapped_column(String(60))
    indexed_at: Mapped[datetime]


class Fingerprint(Base):
    """One winnowed k-gram hash of a source with where it lies: the k-gram's first unit and
    the character offsets it spans in the source's text (never the text)."""

    __tablename__ = "leak_fingerprint"
    __table_args__ = (Index("ix_leak_fingerprint_hash", "hash"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    source_id: Mapped[str] = mapped_column(
        ForeignKey("leak_source.id", ondelete="CASCADE"), index=True
    )
    #: 0 text (normalised words), 1 code structure (identifiers and literals abstracted),
    #: 2 code verbatim (identifiers and literals as written)
    channel: Mapped[int] = mapped_column(SmallInteger)
    hash: Mapped[int] = mapped_column(BigInteger)
    unit: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)


class PendingIndex(Base):
    """A document version waiting to be fingerprinted (written in the upload's transaction;
    indexed right after commit, or by the worker's job if that did not happen)."""

    __tablename__ = "leak_pending"

    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), primary_key=True)
    version_number: Mapped[int] = mapped_column(primary_key=True)
    queued_at: Mapped[datetime]


class Scan(IdMixin, Base):
    """One scan of a target: a file, folder, archive, git repository, bucket prefix, pasted
    text or URL; run by hand or by a watch."""

    __tablename__ = "leak_scan"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    #: file, folder, archive, git, s3, text, url
    target_kind: Mapped[str] = mapped_column(String(10))
    #: as people read it (a path, a URL, s3://bucket/prefix, "pasted text")
    target: Mapped[str] = mapped_column(Text)
    watch_id: Mapped[str | None] = mapped_column(ForeignKey("leak_watch.id"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    started_by: Mapped[str] = mapped_column(String(120))
    #: running, done, failed (`error` says why)
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    files: Mapped[int] = mapped_column(default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    matches: Mapped[int] = mapped_column(default=0)
    #: files named by a watermark (a copy identified) or equal to an original
    identified: Mapped[int] = mapped_column(default=0)
    #: files skipped, by reason ({"binary": 3, "too large": 1})
    skipped: Mapped[dict[str, Any]]


class ScannedFile(IdMixin, Base):
    """A file a scan read: where it was, its SHA-256 and size (the evidence; never the
    content), and what `identify` said of it."""

    __tablename__ = "leak_scanned_file"

    scan_id: Mapped[str] = mapped_column(ForeignKey("leak_scan.id"), index=True)
    #: within the target: a path, path@commit for git, the key for s3, the URL
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))
    #: the identify verdict (named, original, unmarked, damaged, foreign ...) and the copy
    #: it names
    verdict: Mapped[str | None] = mapped_column(String(30))
    copy_id: Mapped[str | None] = mapped_column(String(26))
    identified: Mapped[str | None] = mapped_column(Text)


class Match(IdMixin, Base):
    """What a scan found of a secret in one file: the source matched, how much, the passages
    (offsets and lines on both sides), and the verdict in words."""

    __tablename__ = "leak_match"
    __table_args__ = (Index("ix_leak_match_key", "match_key"),)

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    scan_id: Mapped[str] = mapped_column(ForeignKey("leak_scan.id"), index=True)
    file_id: Mapped[str] = mapped_column(ForeignKey("leak_scanned_file.id"), index=True)
    source_id: Mapped[str | None] = mapped_column(
        ForeignKey("leak_source.id", ondelete="SET NULL"), index=True
    )
    secret_id: Mapped[str | None] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    version_number: Mapped[int | None]
    token_id: Mapped[str | None] = mapped_column(ForeignKey("leak_token.id"))
    #: share of the source's fingerprints found in the file (0..1, IDF-weighted)
    similarity: Mapped[float]
    #: the longest matched fragment, in units and in lines of the source
    longest_units: Mapped[int]
    longest_lines: Mapped[int]
    #: [{"source": [start, end, first_line, last_line], "suspect": [...], "units": n,
    #:   "channel": c}]
    passages: Mapped[list[Any]] = mapped_column(JSON)
    verdict: Mapped[str] = mapped_column(Text)
    #: the same source in the same file seen before (a watch reports only new keys)
    match_key: Mapped[str] = mapped_column(String(200))
    #: new, confirmed, dismissed
    status: Mapped[str] = mapped_column(String(20))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(Text)
    #: the monitoring activity event raised for it
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class Watch(IdMixin, Base):
    """A scheduled scan: a folder, repository or bucket prefix re-scanned on a cadence,
    reporting only matches it has not reported before."""

    __tablename__ = "leak_watch"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: folder, git, s3, url
    target_kind: Mapped[str] = mapped_column(String(10))
    target: Mapped[str] = mapped_column(Text)
    every_hours: Mapped[int]
    next_due: Mapped[datetime]
    last_run_at: Mapped[datetime | None]
    last_scan_id: Mapped[str | None] = mapped_column(String(26))
    #: active, paused, removed
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class Token(IdMixin, Base):
    """A canary token: a trap that calls home at /c/<token> (or a honey string a scan finds),
    belonging to a secret and optionally to one recipient's copy."""

    __tablename__ = "leak_token"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    #: the secret path segment of /c/<token> (unguessable; a honey string's token is never
    #: fetched but still unique)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: url, image, docx, pdf, honey
    kind: Mapped[str] = mapped_column(String(10))
    secret_id: Mapped[str] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    copy_id: Mapped[str | None] = mapped_column(String(26), index=True)
    #: who the copy went to (a person), when planted in a copy
    recipient_person_id: Mapped[str | None] = mapped_column(ForeignKey("person.id"))
    label: Mapped[str] = mapped_column(String(200))
    #: a honey string's planted text (fake records: made up, never a secret's content)
    honey: Mapped[str | None] = mapped_column(Text)
    #: active, retired
    status: Mapped[str] = mapped_column(String(20))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]
    retired_at: Mapped[datetime | None]
    hits: Mapped[int] = mapped_column(default=0)
    last_hit_at: Mapped[datetime | None]


class TokenHit(IdMixin, Base):
    """One call home of a token (or a scan finding its honey string)."""

    __tablename__ = "leak_token_hit"

    token_id: Mapped[str] = mapped_column(ForeignKey("leak_token.id"), index=True)
    at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    referrer: Mapped[str | None] = mapped_column(Text)
    #: callback or scan
    via: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[int | None] = mapped_column(BigInteger)


class Watchlist(IdMixin, Base):
    """A secret's watch terms and competitors, scored against every new feed item."""

    __tablename__ = "leak_watchlist"

    secret_id: Mapped[str] = mapped_column(ForeignKey("trade_secret.id"), unique=True)
    terms: Mapped[list[str]]
    competitors: Mapped[list[str]]
    #: items scoring at or above it are queued for legal review (0..1)
    threshold: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[datetime]


class Feed(IdMixin, Base):
    """An RSS or Atom feed fetched on a schedule (patent publications, journals, news)."""

    __tablename__ = "leak_feed"

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(Text)
    every_hours: Mapped[int]
    next_due: Mapped[datetime]
    last_fetched_at: Mapped[datetime | None]
    #: ok, failed (`error` says why), paused, removed
    status: Mapped[str] = mapped_column(String(20))
    error: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String(300))
    modified: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime]


class FeedItem(IdMixin, Base):
    """An item a feed published (a patent application, an article), kept once."""

    __tablename__ = "leak_feed_item"
    __table_args__ = (UniqueConstraint("feed_id", "guid"),)

    feed_id: Mapped[str] = mapped_column(ForeignKey("leak_feed.id"), index=True)
    guid: Mapped[str] = mapped_column(String(500))
    title: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime]


class Review(IdMixin, Base):
    """A feed item that scored above a secret's threshold, queued for legal review with its
    reason; legal marks it relevant or not, and may open an investigation or mark the secret
    disclosed."""

    __tablename__ = "leak_review"
    __table_args__ = (UniqueConstraint("item_id", "secret_id"),)

    ref: Mapped[str] = mapped_column(String(20), unique=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("leak_feed_item.id"), index=True)
    secret_id: Mapped[str] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    score: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    #: pending, relevant, not-relevant
    status: Mapped[str] = mapped_column(String(20))
    reviewed_by: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)
    #: what followed: the case opened (IN-0004) or "secret marked disclosed"
    outcome: Mapped[str | None] = mapped_column(Text)
    event_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
