"""What goes in and out of the vault: documents, versions, certificates, owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from crownjewels.core.codes import country_code


class DocumentStatus(StrEnum):
    """A document is active until destroyed (crypto-shredded); destruction is final."""

    ACTIVE = "active"
    DESTROYED = "destroyed"


@dataclass(frozen=True)
class Owner:
    """What a document belongs to, as resolved by the owner's capability for one actor: its
    id and label, the legend printed on every copy, its tier and default retention."""

    owner_type: str
    owner_id: str
    label: str
    legend: str
    tier: str | None = None
    retention_days: int | None = None


class VersionRead(BaseModel):
    """One version of a document: the plaintext's hash, size and detected type."""

    id: str
    number: int
    sha256: str
    size: int
    media_type: str
    filename: str | None
    legend: str
    uploaded_by: str
    created_at: datetime
    encrypted_size: int
    kek_id: str | None
    shredded: bool


class DocumentRead(BaseModel):
    """A document with its versions, newest last."""

    id: str
    owner_type: str
    owner_id: str
    owner_label: str
    title: str
    tier: str | None
    status: DocumentStatus
    current_version: int
    retention_until: datetime | None
    legal_hold: bool
    legal_hold_reason: str | None
    personal_data: bool = False
    data_subject_regions: list[str] = Field(default_factory=list)
    created_at: datetime
    created_by: str
    destroyed_at: datetime | None
    versions: list[VersionRead] = Field(default_factory=list)


def _regions(value: list[str]) -> list[str]:
    return sorted({country_code(v) for v in value})


class PersonalDataSet(BaseModel):
    """Whether a document holds personal data, and where its data subjects are."""

    model_config = ConfigDict(extra="forbid")

    personal_data: bool
    data_subject_regions: Annotated[list[str], AfterValidator(_regions)] = Field(
        default_factory=list
    )


class HoldSet(BaseModel):
    """Put a document under legal hold."""

    reason: str = Field(min_length=3, max_length=2000)


class RetentionSet(BaseModel):
    """Keep a document until a date (None: no retention period)."""

    retention_until: datetime | None


class DestroyRequest(BaseModel):
    """Destroy a document: every version's data key and blob."""

    reason: str = Field(min_length=3, max_length=2000)


class CertificateRead(BaseModel):
    """A destruction certificate: what was destroyed, when, by whom, and its custody proof."""

    id: str
    document_id: str
    owner_type: str
    owner_id: str
    title: str
    reason: str
    destroyed_by: str
    destroyed_at: datetime
    versions: list[dict[str, Any]]
    custody_seq: int
    custody_hash: str
    checkpoint_size: int | None
    inclusion_proof: dict[str, Any] | None = None


class RotationResult(BaseModel):
    """What `keys rotate` did: data keys re-wrapped from which KEKs to which."""

    rewrapped: int
    from_kek_ids: list[str]
    to_kek_id: str
