"""transfer mechanisms: SCCs, BCRs, derogations, China's mechanisms and TIAs per vendor;
the personal-data flag of secrets and documents; the country where a secret's copy is held

A DPA (GDPR Art. 28) is not a Chapter V transfer mechanism: the access rule now admits a
restricted transfer only with a mechanism of the origin's regime recorded here, and reads the
personal-data flag instead of inferring it from the category customer-list. Existing
customer-list secrets are flagged so that the change never widens access.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 20:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _revocable() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=120), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
    ]


def _vendor_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["vendor_id"],
        ["vendor_profile.id"],
        name=op.f(f"fk_{table}_vendor_id_vendor_profile"),
        ondelete="CASCADE",
    )


def _document_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["document_id"], ["document.id"], name=op.f(f"fk_{table}_document_id_document")
    )


def upgrade() -> None:
    op.create_table(
        "vendor_transfer_mechanism",
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("regime", sa.String(length=10), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("module", sa.String(length=3), nullable=True),
        sa.Column("ground", sa.String(length=60), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("reference", sa.String(length=300), nullable=True),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        *_revocable(),
        _vendor_fk("vendor_transfer_mechanism"),
        _document_fk("vendor_transfer_mechanism"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_transfer_mechanism")),
    )
    op.create_index(
        op.f("ix_vendor_transfer_mechanism_vendor_id"),
        "vendor_transfer_mechanism",
        ["vendor_id"],
        unique=False,
    )
    op.create_table(
        "vendor_transfer_assessment",
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("regime", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        *_revocable(),
        _vendor_fk("vendor_transfer_assessment"),
        _document_fk("vendor_transfer_assessment"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_transfer_assessment")),
    )
    op.create_index(
        op.f("ix_vendor_transfer_assessment_vendor_id"),
        "vendor_transfer_assessment",
        ["vendor_id"],
        unique=False,
    )
    # plain ALTER TABLE (no batch copy): SQLite adds and drops a column in place
    for table in ("trade_secret", "document"):
        op.add_column(
            table,
            sa.Column("personal_data", sa.Boolean(), server_default=sa.false(), nullable=False),
        )
        op.add_column(
            table,
            sa.Column("data_subject_regions", sa.JSON(), server_default="[]", nullable=False),
        )
    op.add_column("secret_location", sa.Column("country", sa.String(length=2), nullable=True))
    # the old rule treated every customer list as personal data: keep them flagged
    op.execute(
        sa.text("UPDATE trade_secret SET personal_data = true WHERE category = 'customer-list'")
    )


def downgrade() -> None:
    op.drop_column("secret_location", "country")
    for table in ("document", "trade_secret"):
        op.drop_column(table, "data_subject_regions")
        op.drop_column(table, "personal_data")
    op.drop_index(
        op.f("ix_vendor_transfer_assessment_vendor_id"), table_name="vendor_transfer_assessment"
    )
    op.drop_table("vendor_transfer_assessment")
    op.drop_index(
        op.f("ix_vendor_transfer_mechanism_vendor_id"), table_name="vendor_transfer_mechanism"
    )
    op.drop_table("vendor_transfer_mechanism")
