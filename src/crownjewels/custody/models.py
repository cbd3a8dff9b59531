"""The custody event table: append-only (the database refuses UPDATE and DELETE)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, LargeBinary, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crownjewels.core.models import Base


class CustodyEvent(Base):
    """One event of the hash chain; `seq` is gap-free and `hash` covers every other column."""

    __tablename__ = "custody_event"
    __table_args__ = (
        Index("ix_custody_event_subject", "subject_type", "subject_id", "seq"),
        Index("ix_custody_event_actor", "actor", "seq"),
        Index("ix_custody_event_type", "event_type", "seq"),
        Index("ix_custody_event_at_us", "at_us"),
    )

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at_us: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(120))
    event_type: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class CustodyTreeNode(Base):
    """A perfect subtree of the RFC 9162 Merkle tree over the events: (level, idx) covers leaves
    idx * 2^level ... (idx + 1) * 2^level - 1 (leaf i is event seq i + 1). Append-only."""

    __tablename__ = "custody_tree_node"
    __table_args__ = {"sqlite_with_rowid": False}

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class CustodyCheckpoint(Base):
    """A signed statement of the tree's size and root hash at a moment. Append-only."""

    __tablename__ = "custody_checkpoint"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[str] = mapped_column(String(64))
    signed_at_us: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64))
    #: the signed note (docs/custody.md): body lines, a blank line, the signature line
    note: Mapped[str] = mapped_column(Text)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    #: an RFC 3161 timestamp token over the note body, when a TSA is configured
    timestamp_token: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
