"""What goes in and out of registered copies: the copy record, a request for one, a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Channel(StrEnum):
    """How a copy was handed out."""

    CLI = "cli"
    API = "api"
    WEB = "web"
    PORTAL = "portal"


class CopyRead(BaseModel):
    """One registered copy: which version went to whom, when, how and why, and its marks."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    document_id: str
    document_title: str | None = None
    version_id: str
    version_number: int
    source_sha256: str
    owner_type: str
    owner_id: str
    owner_label: str | None = None
    recipient_person_id: str
    recipient_name: str
    recipient_email: str
    recipient_organisation: str
    channel: Channel
    purpose: str
    issued_by: str
    issued_at: datetime
    media_type: str
    filename: str | None
    marked: bool
    methods: list[str]
    sha256: str
    size: int


class CopyRequest(BaseModel):
    """Ask for a registered copy: for whom (a person's id or email; default yourself) and why."""

    purpose: str = Field(min_length=3, max_length=2000)
    recipient: str | None = Field(default=None, max_length=320)
    version: int | None = Field(default=None, ge=1)


@dataclass(frozen=True)
class IssuedCopy:
    """A copy as handed out: its record and the (marked) bytes, with a file name to save as."""

    copy: CopyRead
    data: bytes
    filename: str


class Verdict(StrEnum):
    """What identify concluded about a found file."""

    IDENTIFIED = "identified"  # a valid mark names a registered copy
    UNKNOWN_COPY = "unknown-copy"  # a valid mark, but no copy you may see has that id
    UNVERIFIED = "unverified"  # intact marks whose tags fail: forged or another installation
    CONFLICTING = "conflicting"  # valid marks of several copies
    DAMAGED = "damaged"  # marks found, none readable
    NO_MARK = "no-mark"  # nothing survives


class FoundMarkRead(BaseModel):
    """One kind of mark found in the file."""

    method: str
    status: str
    copy_id: str | None
    count: int


class Identification(BaseModel):
    """The verdict on a found file: the copy, its recipient and date, or why none is named."""

    verdict: Verdict
    message: str
    copy_id: str | None = None
    record: CopyRead | None = None
    marks: list[FoundMarkRead] = Field(default_factory=list)
    media_type: str
    sha256: str

    @property
    def identified(self) -> bool:
        """True when the file names one registered copy."""
        return self.verdict is Verdict.IDENTIFIED
