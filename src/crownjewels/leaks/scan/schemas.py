"""What scans, matches and watches take and show."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from crownjewels.leaks.schemas import MatchStatus, ScanStatus, TargetKind, WatchStatus

#: the target kinds a watch re-scans (a single file, an archive or pasted text is scanned once)
WATCHABLE = (TargetKind.FOLDER, TargetKind.GIT, TargetKind.S3, TargetKind.URL)


class Passage(BaseModel):
    """One matched passage: where it lies in the secret's document and in the scanned file
    (character offsets and 1-based lines, both ends included), and its length in units."""

    source_start: int
    source_end: int
    source_lines: tuple[int, int]
    suspect_start: int
    suspect_end: int
    suspect_lines: tuple[int, int]
    units: int
    #: 0 text, 1 code structure, 2 code verbatim
    channel: int


class MatchRead(BaseModel):
    """A match as shown: the secret and document it is of, how much, where, and the verdict."""

    ref: str
    scan_ref: str
    file_path: str
    file_sha256: str
    secret_id: str | None
    secret_ref: str | None
    secret_name: str | None
    document_id: str | None
    document_name: str | None
    version_number: int | None
    token_ref: str | None
    similarity: float
    longest_units: int
    longest_lines: int
    passages: list[Passage]
    verdict: str
    status: MatchStatus
    reviewed_by: str | None
    reviewed_at: datetime | None
    review_note: str | None
    created_at: datetime
    #: the copy the file's watermark names, and what identify said of the file
    copy_id: str | None = None
    identified: str | None = None


class FileRead(BaseModel):
    """A scanned file: where it was, its SHA-256 and size, and what its marks said."""

    model_config = ConfigDict(from_attributes=True)

    path: str
    sha256: str
    size: int
    media_type: str
    verdict: str | None
    copy_id: str | None
    identified: str | None


class ScanRead(BaseModel):
    """A scan as shown."""

    ref: str
    target_kind: TargetKind
    target: str
    watch_ref: str | None
    started_at: datetime
    finished_at: datetime | None
    started_by: str
    status: ScanStatus
    error: str | None
    files: int
    bytes: int
    matches: int
    identified: int
    skipped: dict[str, Any]


class ScanDetail(ScanRead):
    """A scan with its files and matches."""

    scanned: list[FileRead] = Field(default_factory=list)
    found: list[MatchRead] = Field(default_factory=list)


class ScanOutcome(BaseModel):
    """A scan just run, and (only when asked, for the page that ran it) the text of each
    matched file by path: shown once beside the passages, never stored."""

    scan: ScanDetail
    texts: dict[str, str] = Field(default_factory=dict)


class ScanRequest(BaseModel):
    """A scan asked through the API: a target (a path, repository, s3://bucket/prefix or URL)
    or pasted text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    target: str | None = Field(default=None, max_length=2000)
    kind: TargetKind | None = None
    text: str | None = Field(default=None, max_length=20_000_000)


class Reason(BaseModel):
    """Why a match is dismissed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=3, max_length=2000)


class Note(BaseModel):
    """A note on a confirmation or an investigation."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str | None = Field(default=None, max_length=2000)


class Investigation(BaseModel):
    """The case a match was handed to."""

    match: MatchRead
    case: str
    message: str


class MatchFilter(StrEnum):
    """Which matches a listing shows."""

    NEW = "new"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    ALL = "all"


class WatchCreate(BaseModel):
    """A scheduled scan of a folder, repository, bucket prefix or URL."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    target: str = Field(min_length=1, max_length=2000)
    kind: TargetKind | None = None
    every_hours: int = Field(default=24, ge=1, le=24 * 90)


class WatchRead(BaseModel):
    """A watch as shown."""

    ref: str
    name: str
    target_kind: TargetKind
    target: str
    every_hours: int
    next_due: datetime
    last_run_at: datetime | None
    last_scan_ref: str | None
    status: WatchStatus
    created_by: str
    created_at: datetime


class Side(BaseModel):
    """One side of a passage on the match page: its lines with their numbers, the matched
    ones marked."""

    first_line: int
    last_line: int
    #: (line number, text, matched)
    lines: list[tuple[int, str, bool]] = Field(default_factory=list)


class SideBySide(BaseModel):
    """A passage as the match page shows it: the secret's lines beside the suspect's."""

    passage: Passage
    source: Side
    suspect: Side


class MatchView(BaseModel):
    """The match page's content: the match, and its passages side by side. The secret's side
    is read from the vault (documents:read); the suspect's shows its line numbers, and its text
    only when the scan was just run by the viewer (never stored)."""

    match: MatchRead
    passages: list[SideBySide]
    #: why the secret's text is not shown, when it is not
    source_note: str | None = None
    suspect_note: str | None = None
