"""What goes in and out of registered copies: the copy record, a request for one, a verdict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

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
    compromised_at: datetime | None = None
    compromised_reason: str | None = None


class CopyRequest(BaseModel):
    """Ask for a registered copy: for whom (a person's id or email; default yourself) and why."""

    purpose: str = Field(min_length=3, max_length=2000)
    recipient: str | None = Field(default=None, max_length=320)
    version: int | None = Field(default=None, ge=1)
    #: plant a canary token in the copy: a DOCX footer, a PDF action, or honey strings
    plant: Literal["docx", "pdf", "honey"] | None = None


@dataclass(frozen=True)
class IssuedCopy:
    """A copy as handed out: its record and the (marked) bytes, with a file name to save as."""

    copy: CopyRead
    data: bytes
    filename: str
    #: the canary token planted in it (CT-0004), when one was
    canary: str | None = None


class Verdict(StrEnum):
    """What identify concluded about a found file."""

    IDENTIFIED = "identified"  # a valid mark names a registered copy
    ORIGINAL = "original"  # byte for byte a vault original: not a copy at all
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


class OriginalRead(BaseModel):
    """The vault original a found file equals byte for byte: its document and version."""

    document_id: str
    document_title: str
    version_number: int
    owner_type: str
    owner_id: str
    owner_label: str


class Identification(BaseModel):
    """The verdict on a found file: the copy, its recipient and date, or why none is named."""

    verdict: Verdict
    message: str
    copy_id: str | None = None
    record: CopyRead | None = None
    original: OriginalRead | None = None
    marks: list[FoundMarkRead] = Field(default_factory=list)
    media_type: str
    sha256: str

    @property
    def identified(self) -> bool:
        """True when the file names one registered copy."""
        return self.verdict is Verdict.IDENTIFIED

    @property
    def known(self) -> bool:
        """True when the file is traced: to a registered copy, or to a vault original."""
        return self.verdict in (Verdict.IDENTIFIED, Verdict.ORIGINAL)


class LedgerChannel(StrEnum):
    """How a secret reached its recipient: a registered vault copy, the vendor portal, SFTP,
    or a manual hand-over told, shown or given in person."""

    VAULT_COPY = "vault-copy"
    PORTAL = "portal"
    SFTP = "sftp"
    MANUAL_ORAL = "manual-oral"
    MANUAL_PHYSICAL = "manual-physical"
    MANUAL_OTHER = "manual-other"

    @property
    def manual(self) -> bool:
        """True for the hand-overs recorded by hand (`record_disclosure`)."""
        return self.value.startswith("manual-")


class EntryRead(BaseModel):
    """One line of the disclosure ledger."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    secret_id: str
    secret_ref: str | None = None
    secret_name: str | None = None
    document_id: str | None
    document_version: int | None
    document_sha256: str | None
    recipient_person_id: str
    recipient_name: str
    recipient_organisation_id: str
    recipient_organisation_name: str
    disclosed_at: datetime
    channel: LedgerChannel
    agreement_id: str | None
    agreement_ref: str | None
    agreement_version: int | None
    grant_refs: list[str]
    approved_by: list[str]
    copy_id: str | None
    custody_seq: int
    custody_hash: str
    purpose: str
    description: str | None
    recorded_by: str
    #: when the entry's copy was marked compromised, and why (None: not compromised)
    copy_compromised_at: datetime | None = None
    copy_compromised_reason: str | None = None


class LedgerFilter(BaseModel):
    """Filters of the ledger: a secret, a (vendor) organisation, a person, a date range
    (inclusive days)."""

    secret: str | None = None
    organisation: str | None = None
    person: str | None = None
    since: date | None = None
    until: date | None = None

    def describe(self) -> str:
        """The filters in words, for the report's heading."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("secret", self.secret),
                ("organisation", self.organisation),
                ("person", self.person),
                ("since", self.since),
                ("until", self.until),
            )
            if value
        ]
        return ", ".join(parts) or "none (every disclosure you may see)"


class ManualDisclosure(BaseModel):
    """A disclosure made outside the vault (told, shown, handed over): to whom, when, how."""

    model_config = ConfigDict(extra="forbid")

    secret: str = Field(description="secret id or reference")
    person: str = Field(description="recipient person id or email")
    channel: LedgerChannel = LedgerChannel.MANUAL_ORAL
    on: datetime | None = Field(None, description="when it happened (default: now)")
    description: str = Field(min_length=3, max_length=4000)
    purpose: str = Field("", max_length=2000)
    agreement: str | None = Field(
        None, description="agreement id or reference (default: the first covering)"
    )
