"""disclosure copies

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:55:58.397083

Registered copies: each hand-out of a document version, its recipient (with a snapshot of
name and organisation), channel, purpose and how it was marked.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disclosure_copy",
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("document_id", sa.String(length=26), nullable=False),
        sa.Column("version_id", sa.String(length=26), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("owner_type", sa.String(length=30), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=False),
        sa.Column("recipient_person_id", sa.String(length=26), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("recipient_organisation", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("issued_by", sa.String(length=120), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=True),
        sa.Column("marked", sa.Boolean(), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_disclosure_copy_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"],
            ["person.id"],
            name=op.f("fk_disclosure_copy_recipient_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_version.id"],
            name=op.f("fk_disclosure_copy_version_id_document_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_copy")),
    )
    with op.batch_alter_table("disclosure_copy", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_copy_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index("ix_disclosure_copy_owner", ["owner_type", "owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_disclosure_copy_recipient_person_id"),
            ["recipient_person_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosure_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_copy_recipient_person_id"))
        batch_op.drop_index("ix_disclosure_copy_owner")
        batch_op.drop_index(batch_op.f("ix_disclosure_copy_document_id"))

    op.drop_table("disclosure_copy")
