"""What the index reads out: a fingerprinted source and the state of the index."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class SourceRead(BaseModel):
    """One fingerprinted source: a version of a secret's document, or a token's honey string."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    secret_id: str | None
    secret_ref: str | None = None
    document_id: str | None
    version_number: int | None
    token_id: str | None
    name: str
    kind: str
    language: str | None
    sha256: str
    status: str
    reason: str | None
    chars: int
    lines: int
    fingerprints: int = 0
    params: str
    indexed_at: datetime


class IndexReport(BaseModel):
    """What one indexing run did."""

    indexed: int = 0
    unreadable: int = 0
    empty: int = 0
    skipped: int = 0
    fingerprints: int = 0
    sources: list[SourceRead] = []


class IndexStatus(BaseModel):
    """The state of the index: sources by status, fingerprints, versions waiting."""

    sources: int
    indexed: int
    unreadable: int
    empty: int
    honey: int
    documents: int
    secrets: int
    fingerprints: int
    pending: int
    params: str
    stale: int
