"""vendor profiles

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 18:33:56

The vendor file of an organisation of kind vendor: services, criticality, status, review
cadence; the countries where it processes our data; its subcontractors (a chain of vendor
profiles); its certifications (the certificate itself in the vault); its contacts.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vendor_profile",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.String(length=26), nullable=False),
        sa.Column("services", sa.Text(), nullable=False),
        sa.Column("criticality", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("activated_on", sa.Date(), nullable=True),
        sa.Column("offboarded_on", sa.Date(), nullable=True),
        sa.Column("review_cadence_months", sa.Integer(), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_vendor_profile_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_profile")),
        sa.UniqueConstraint("organisation_id", name=op.f("uq_vendor_profile_organisation_id")),
        sa.UniqueConstraint("ref", name=op.f("uq_vendor_profile_ref")),
    )
    with op.batch_alter_table("vendor_profile", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_profile_criticality"), ["criticality"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vendor_profile_next_review_on"), ["next_review_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vendor_profile_status"), ["status"], unique=False)

    op.create_table(
        "vendor_certification",
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("standard", sa.String(length=30), nullable=False),
        sa.Column("standard_name", sa.String(length=200), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.Text(), nullable=True),
        sa.Column("certificate_number", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_vendor_certification_document_id_document"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor_profile.id"],
            name=op.f("fk_vendor_certification_vendor_id_vendor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_certification")),
    )
    with op.batch_alter_table("vendor_certification", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_certification_expires_on"), ["expires_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vendor_certification_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "vendor_contact",
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("person_id", sa.String(length=26), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_vendor_contact_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor_profile.id"],
            name=op.f("fk_vendor_contact_vendor_id_vendor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_contact")),
    )
    with op.batch_alter_table("vendor_contact", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_contact_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_vendor_contact_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "vendor_country",
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor_profile.id"],
            name=op.f("fk_vendor_country_vendor_id_vendor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_country")),
        sa.UniqueConstraint(
            "vendor_id", "country", name=op.f("uq_vendor_country_vendor_id_country")
        ),
    )
    with op.batch_alter_table("vendor_country", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vendor_country_country"), ["country"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_vendor_country_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "vendor_subcontractor",
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("subcontractor_id", sa.String(length=26), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["subcontractor_id"],
            ["vendor_profile.id"],
            name=op.f("fk_vendor_subcontractor_subcontractor_id_vendor_profile"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor_profile.id"],
            name=op.f("fk_vendor_subcontractor_vendor_id_vendor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor_subcontractor")),
        sa.UniqueConstraint(
            "vendor_id",
            "subcontractor_id",
            name=op.f("uq_vendor_subcontractor_vendor_id_subcontractor_id"),
        ),
    )
    with op.batch_alter_table("vendor_subcontractor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vendor_subcontractor_subcontractor_id"),
            ["subcontractor_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_vendor_subcontractor_vendor_id"), ["vendor_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("vendor_subcontractor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_subcontractor_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_vendor_subcontractor_subcontractor_id"))

    op.drop_table("vendor_subcontractor")
    with op.batch_alter_table("vendor_country", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_country_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_vendor_country_country"))

    op.drop_table("vendor_country")
    with op.batch_alter_table("vendor_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_contact_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_vendor_contact_person_id"))

    op.drop_table("vendor_contact")
    with op.batch_alter_table("vendor_certification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_certification_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_vendor_certification_expires_on"))

    op.drop_table("vendor_certification")
    with op.batch_alter_table("vendor_profile", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vendor_profile_status"))
        batch_op.drop_index(batch_op.f("ix_vendor_profile_next_review_on"))
        batch_op.drop_index(batch_op.f("ix_vendor_profile_criticality"))

    op.drop_table("vendor_profile")
