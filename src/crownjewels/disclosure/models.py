"""Registered copies: every hand-out of a document version, to whom, why and how it was marked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core import clock
from crownjewels.core.models import Base


class DisclosureCopy(Base):
    """One copy handed out: its id is the copy id its marks carry, so a file found in the wild
    names this row; the recipient's name and organisation are kept as they were at issue."""

    __tablename__ = "disclosure_copy"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("document.id"), index=True)
    version_id: Mapped[str] = mapped_column(ForeignKey("document_version.id"))
    version_number: Mapped[int]
    #: the plaintext of the source version, as the vault recorded it
    source_sha256: Mapped[str] = mapped_column(String(64))
    owner_type: Mapped[str] = mapped_column(String(30))
    owner_id: Mapped[str] = mapped_column(String(64))
    recipient_person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(320))
    recipient_organisation: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(10))
    purpose: Mapped[str] = mapped_column(Text)
    issued_by: Mapped[str] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(default=clock.now)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str | None] = mapped_column(String(300))
    marked: Mapped[bool]
    methods: Mapped[list[str]]
    #: the marked copy as handed out
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    #: when the copy was marked compromised (its recipient suspected, an incident's containment)
    #: and why; a compromised copy stays so
    compromised_at: Mapped[datetime | None]
    compromised_reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_disclosure_copy_owner", "owner_type", "owner_id"),)


class DisclosureEntry(Base):
    """One line of the disclosure ledger: a secret (a version of one of its documents, or an
    oral, physical or other hand-over) disclosed to a person under an agreement, with who
    approved it and the custody event that seals it. Names are kept as they were that day."""

    __tablename__ = "disclosure_entry"

    id: Mapped[str] = mapped_column(String(26), primary_key=True)
    secret_id: Mapped[str] = mapped_column(ForeignKey("trade_secret.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(ForeignKey("document.id"))
    document_version: Mapped[int | None]
    #: the plaintext of the version disclosed, as the vault recorded it
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    recipient_person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    recipient_organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    recipient_organisation_name: Mapped[str] = mapped_column(String(200))
    disclosed_at: Mapped[datetime] = mapped_column(default=clock.now, index=True)
    channel: Mapped[str] = mapped_column(String(20))
    agreement_id: Mapped[str | None] = mapped_column(ForeignKey("agreement.id"))
    agreement_ref: Mapped[str | None] = mapped_column(String(20))
    agreement_version: Mapped[int | None]
    grant_refs: Mapped[list[str]]
    approved_by: Mapped[list[str]]
    copy_id: Mapped[str | None] = mapped_column(ForeignKey("disclosure_copy.id"))
    custody_seq: Mapped[int] = mapped_column(BigInteger)
    custody_hash: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
