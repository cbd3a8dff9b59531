"""agreements

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 16:00:00

Agreements (NDA, MSA, DPA, SOW, employee and contractor confidentiality): the agreement with
its dates, survival, governing law, forum and scope kind; its parties (organisations or
people, with a role), scope items (named secrets or categories), signatories; the uploaded
document versions (kept encrypted in the vault, referenced here by document id and hash);
and the clause findings of each analysed version with legal's review.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("terminated_on", sa.Date(), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("survival_years", sa.Integer(), nullable=True),
        sa.Column("trade_secrets_survive", sa.Boolean(), nullable=False),
        sa.Column("governing_law", sa.String(length=2), nullable=True),
        sa.Column("governing_law_subdivision", sa.String(length=10), nullable=True),
        sa.Column("forum", sa.String(length=300), nullable=True),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("renewal_notice_days", sa.Integer(), nullable=False),
        sa.Column("renewal_flagged_for", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
        sa.UniqueConstraint("ref", name=op.f("uq_agreement_ref")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_effective_on"), ["effective_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agreement_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_status"), ["status"], unique=False)

    op.create_table(
        "agreement_version",
        sa.Column("agreement_id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=26), nullable=False),
        sa.Column("document_version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("analysed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("analysed_by", sa.String(length=120), nullable=True),
        sa.Column("jurisdiction", sa.String(length=10), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_version_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_agreement_version_document_id_document")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_version")),
        sa.UniqueConstraint(
            "agreement_id", "number", name=op.f("uq_agreement_version_agreement_id_number")
        ),
    )
    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_version_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "agreement_party",
        sa.Column("agreement_id", sa.String(length=26), nullable=False),
        sa.Column("organisation_id", sa.String(length=26), nullable=True),
        sa.Column("person_id", sa.String(length=26), nullable=True),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.CheckConstraint(
            "(organisation_id IS NULL) <> (person_id IS NULL)",
            name=op.f("ck_agreement_party_one_party"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_party_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_agreement_party_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_agreement_party_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_party")),
    )
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_party_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_party_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_party_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "clause_finding",
        sa.Column("version_id", sa.String(length=26), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("requirement", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("strictness", sa.String(length=20), nullable=False),
        sa.Column("review", sa.String(length=20), nullable=True),
        sa.Column("review_status", sa.String(length=20), nullable=True),
        sa.Column("review_reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["agreement_version.id"],
            name=op.f("fk_clause_finding_version_id_agreement_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clause_finding")),
        sa.UniqueConstraint(
            "version_id", "requirement", name=op.f("uq_clause_finding_version_id_requirement")
        ),
    )
    with op.batch_alter_table("clause_finding", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clause_finding_version_id"), ["version_id"], unique=False
        )

    op.create_table(
        "agreement_scope",
        sa.Column("agreement_id", sa.String(length=26), nullable=False),
        sa.Column("secret_id", sa.String(length=26), nullable=True),
        sa.Column("category", sa.String(length=30), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.CheckConstraint(
            "(secret_id IS NULL) <> (category IS NULL)", name=op.f("ck_agreement_scope_one_item")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_scope_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["trade_secret.id"],
            name=op.f("fk_agreement_scope_secret_id_trade_secret"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_scope")),
    )
    with op.batch_alter_table("agreement_scope", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_scope_agreement_id"), ["agreement_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreement_scope_secret_id"), ["secret_id"], unique=False
        )

    op.create_table(
        "agreement_signatory",
        sa.Column("agreement_id", sa.String(length=26), nullable=False),
        sa.Column("party_id", sa.String(length=26), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_signatory_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["party_id"],
            ["agreement_party.id"],
            name=op.f("fk_agreement_signatory_party_id_agreement_party"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signatory")),
    )
    with op.batch_alter_table("agreement_signatory", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_signatory_agreement_id"), ["agreement_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_signatory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_signatory_agreement_id"))

    op.drop_table("agreement_signatory")
    with op.batch_alter_table("agreement_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_scope_secret_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_scope_agreement_id"))

    op.drop_table("agreement_scope")
    with op.batch_alter_table("clause_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clause_finding_version_id"))

    op.drop_table("clause_finding")
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_party_person_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_party_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_party_agreement_id"))

    op.drop_table("agreement_party")
    with op.batch_alter_table("agreement_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_version_agreement_id"))

    op.drop_table("agreement_version")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_status"))
        batch_op.drop_index(batch_op.f("ix_agreement_kind"))
        batch_op.drop_index(batch_op.f("ix_agreement_expires_on"))
        batch_op.drop_index(batch_op.f("ix_agreement_effective_on"))

    op.drop_table("agreement")
