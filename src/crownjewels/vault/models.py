"""Documents, their encrypted versions, the wrapped data keys and destruction certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core import clock
from crownjewels.core.models import Base, IdMixin


class Document(IdMixin, Base):
    """A file kept for an owner (a secret, an agreement, an incident...): its versions,
    retention and legal hold. The owner is a reference, so vault needs no capability above."""

    __tablename__ = "document"

    owner_type: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[str] = mapped_column(String(64))
    owner_label: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    tier: Mapped[str | None] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="active", index=True)
    current_version: Mapped[int] = mapped_column(default=0)
    retention_until: Mapped[datetime | None]
    legal_hold: Mapped[bool] = mapped_column(default=False)
    legal_hold_reason: Mapped[str | None] = mapped_column(Text)
    #: the file holds personal data (a customer export, say) even if its secret as a whole
    #: is not flagged; where its data subjects are (ISO 3166 alpha-2)
    personal_data: Mapped[bool] = mapped_column(default=False, server_default=false())
    data_subject_regions: Mapped[list[str]] = mapped_column(default=list, server_default="[]")
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    created_by: Mapped[str] = mapped_column(String(120))
    destroyed_at: Mapped[datetime | None]

    __table_args__ = (Index("ix_document_owner", "owner_type", "owner_id"),)


class DataKey(IdMixin, Base):
    """One version's data key, stored only wrapped by a KEK; NULL once destroyed (shredded)."""

    __tablename__ = "data_key"

    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    kek_id: Mapped[str | None] = mapped_column(String(200), index=True)
    context: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    rewrapped_at: Mapped[datetime | None]
    destroyed_at: Mapped[datetime | None]


class DocumentVersion(IdMixin, Base):
    """One uploaded version: what the plaintext was (hash, size, type) and where its ciphertext
    lives (blob id, stream format); the id is also the blob id."""

    __tablename__ = "document_version"

    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), index=True)
    number: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(300))
    legend: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    blob_id: Mapped[str] = mapped_column(String(128), unique=True)
    encrypted_size: Mapped[int] = mapped_column(BigInteger)
    stream_format: Mapped[int] = mapped_column(default=1)
    segment_size: Mapped[int]
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_key.id"), unique=True)

    __table_args__ = (UniqueConstraint("document_id", "number"),)


class DestructionCertificate(IdMixin, Base):
    """Proof that a document was destroyed: what (hashes of every version), when, by whom, why,
    and the custody event that records it."""

    __tablename__ = "destruction_certificate"

    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), unique=True)
    owner_type: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    destroyed_by: Mapped[str] = mapped_column(String(120))
    destroyed_at: Mapped[datetime]
    versions: Mapped[dict[str, Any]]
    custody_seq: Mapped[int] = mapped_column(BigInteger)
    custody_hash: Mapped[str] = mapped_column(String(64))
    checkpoint_size: Mapped[int | None] = mapped_column(BigInteger)
