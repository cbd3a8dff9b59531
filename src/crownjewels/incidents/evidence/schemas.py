"""What goes in and out of a case's evidence: an item registered (collected outside the system)
or preserved (made by it), a hand-over between custodians, and an item as read with its chain.
Times typed without a zone are UTC; every time is kept and shown in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

_HEX64 = re.compile(r"[0-9a-f]{64}")


class EvidenceKind(StrEnum):
    """What an item is: an artefact the system preserved, or one collected outside it."""

    BUNDLE = "bundle"
    LEDGER = "ledger"
    FINDINGS = "findings"
    EXTERNAL = "external"


KIND_WORDS: dict[EvidenceKind, str] = {
    EvidenceKind.BUNDLE: "custody evidence bundle",
    EvidenceKind.LEDGER: "disclosure ledger snapshot",
    EvidenceKind.FINDINGS: "alerts and leak matches",
    EvidenceKind.EXTERNAL: "collected outside the system",
}

#: what a case may preserve (every kind but external)
PRESERVABLE: tuple[EvidenceKind, ...] = (
    EvidenceKind.BUNDLE,
    EvidenceKind.LEDGER,
    EvidenceKind.FINDINGS,
)


def sha256_hex(value: str) -> str:
    """A SHA-256 as 64 lower-case hexadecimal digits (spaces and a `sha256:` prefix dropped)."""
    text = re.sub(r"\s+", "", value).lower().removeprefix("sha256:")
    if not _HEX64.fullmatch(text):
        raise ValueError(
            f"{value.strip()[:80]!r} is not a SHA-256: it is 64 hexadecimal digits (0-9, a-f)"
        )
    return text


def as_utc(moment: datetime) -> datetime:
    """A time in UTC; one typed without a zone is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


Sha256 = Annotated[str, AfterValidator(sha256_hex)]
UtcTime = Annotated[datetime, AfterValidator(as_utc)]


class EvidenceRegister(BaseModel):
    """An item collected outside the system (a forensic image, an email export, a USB stick):
    its hash, who collected it, when and where, and where it is kept. The hash may instead be
    computed from the file itself (the page's upload, the command's --file)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    description: str = Field(min_length=3, max_length=5000)
    sha256: Sha256 | None = None
    #: in bytes
    size: int | None = Field(default=None, ge=0, le=2**62)
    collected_by: str = Field(min_length=2, max_length=200)
    collected_at: UtcTime
    collected_where: str = Field(default="", max_length=2000)
    stored_at: str = Field(min_length=2, max_length=2000)
    #: who holds it now (whoever collected it, when not given)
    custodian: str | None = Field(default=None, max_length=200)


class HandoverCreate(BaseModel):
    """One hand-over: from the current custodian to the next, when, why, and where the item is
    kept after it (unchanged when not given)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    from_custodian: str = Field(min_length=2, max_length=200)
    to_custodian: str = Field(min_length=2, max_length=200)
    handed_at: UtcTime
    purpose: str = Field(default="", max_length=2000)
    stored_at: str = Field(default="", max_length=2000)


class PreserveRequest(BaseModel):
    """What to preserve of a case (every kind, when not given)."""

    model_config = ConfigDict(extra="forbid")

    kinds: list[EvidenceKind] = Field(default_factory=lambda: list(PRESERVABLE))
    note: str = Field(default="", max_length=2000)


class HandoverRead(BaseModel):
    """A row of the chain-of-custody form, with the custody event that records it."""

    number: int
    from_custodian: str
    to_custodian: str
    handed_at: datetime
    purpose: str
    stored_at: str
    recorded_by: str
    created_at: datetime
    custody_seq: int | None = None
    custody_hash: str | None = None


class EvidenceRead(BaseModel):
    """An item of a case's evidence with its chain of custody."""

    ref: str
    case_ref: str
    case_title: str
    kind: EvidenceKind
    kind_words: str
    description: str
    sha256: str
    size: int | None
    #: the vault document that holds a preserved artefact, and whether it is under legal hold
    document_id: str | None
    legal_hold: bool
    collected_by: str
    collected_at: datetime
    collected_where: str
    #: where it is kept now, and where it was kept when registered
    stored_at: str
    first_stored_at: str
    custodian: str
    recorded_by: str
    created_at: datetime
    #: the custody event that registered or preserved it
    custody_seq: int | None = None
    custody_hash: str | None = None
    handovers: list[HandoverRead] = Field(default_factory=list)


class EvidenceSummary(BaseModel):
    """An item in a case's evidence list."""

    ref: str
    kind: EvidenceKind
    kind_words: str
    description: str
    sha256: str
    size: int | None
    collected_at: datetime
    custodian: str
    stored_at: str
    handovers: int
    legal_hold: bool
