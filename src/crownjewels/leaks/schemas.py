"""What leak detection reads and writes: the kinds and statuses of its registers, and the read
models other capabilities (and incidents, above) may use."""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    """What a fingerprinted source is."""

    TEXT = "text"
    CODE = "code"


class SourceStatus(StrEnum):
    """Whether a source's fingerprints are in the index."""

    INDEXED = "indexed"
    #: no text could be read (an image, a binary, a damaged file): `reason` says why
    UNREADABLE = "unreadable"
    EMPTY = "empty"


class TargetKind(StrEnum):
    """What a scan reads."""

    FILE = "file"
    FOLDER = "folder"
    ARCHIVE = "archive"
    GIT = "git"
    S3 = "s3"
    TEXT = "text"
    URL = "url"


class ScanStatus(StrEnum):
    """Where a scan is."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class MatchStatus(StrEnum):
    """A match as an analyst judged it."""

    NEW = "new"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class WatchStatus(StrEnum):
    """A scheduled scan's state."""

    ACTIVE = "active"
    PAUSED = "paused"
    REMOVED = "removed"


class TokenKind(StrEnum):
    """The kinds of canary token."""

    URL = "url"
    IMAGE = "image"
    DOCX = "docx"
    PDF = "pdf"
    HONEY = "honey"


class TokenStatus(StrEnum):
    """Whether a token still alerts."""

    ACTIVE = "active"
    RETIRED = "retired"


class FeedStatus(StrEnum):
    """A watchlist feed's state."""

    OK = "ok"
    FAILED = "failed"
    PAUSED = "paused"
    REMOVED = "removed"


class ReviewStatus(StrEnum):
    """Legal's judgement of a queued watchlist item."""

    PENDING = "pending"
    RELEVANT = "relevant"
    NOT_RELEVANT = "not-relevant"
