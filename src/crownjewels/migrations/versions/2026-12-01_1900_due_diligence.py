"""due diligence

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:00:00

Questionnaire templates (each imported version with its YAML and SHA-256), assessments sent
to a vendor contact, their answers and the review of each answer, one-time answer links (only
the token's SHA-256), remediation items, and the reassessments flagged by the schedule.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_template",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=2000), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("question_count", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=120), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_template")),
        sa.UniqueConstraint("key", "version", name=op.f("uq_questionnaire_template_key_version")),
    )
    with op.batch_alter_table("questionnaire_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_template_key"), ["key"], unique=False)

    op.create_table(
        "assessment",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("organisation_id", sa.String(length=26), nullable=False),
        sa.Column("template_id", sa.String(length=26), nullable=False),
        sa.Column("contact_id", sa.String(length=26), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("recipient_person_id", sa.String(length=26), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("secret_ids", sa.JSON(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_by", sa.String(length=120), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=120), nullable=True),
        sa.Column("risk", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["vendor_contact.id"],
            name=op.f("fk_assessment_contact_id_vendor_contact"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_assessment_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"],
            ["person.id"],
            name=op.f("fk_assessment_recipient_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["questionnaire_template.id"],
            name=op.f("fk_assessment_template_id_questionnaire_template"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor_profile.id"],
            name=op.f("fk_assessment_vendor_id_vendor_profile"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("ref", name=op.f("uq_assessment_ref")),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_completed_at"), ["completed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assessment_recipient_person_id"), ["recipient_person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assessment_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_assessment_vendor_id"), ["vendor_id"], unique=False)

    op.create_table(
        "assessment_answer",
        sa.Column("assessment_id", sa.String(length=26), nullable=False),
        sa.Column("question_id", sa.String(length=20), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_by", sa.String(length=120), nullable=False),
        sa.Column("review", sa.String(length=20), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_answer_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_assessment_answer_document_id_document")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_answer")),
        sa.UniqueConstraint(
            "assessment_id",
            "question_id",
            name=op.f("uq_assessment_answer_assessment_id_question_id"),
        ),
    )
    with op.batch_alter_table("assessment_answer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_answer_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "assessment_link",
        sa.Column("assessment_id", sa.String(length=26), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_assessment_link_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_link")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_assessment_link_token_sha256")),
    )
    with op.batch_alter_table("assessment_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_link_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "reassessment_due",
        sa.Column("vendor_id", sa.String(length=26), nullable=False),
        sa.Column("last_assessment_id", sa.String(length=26), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["last_assessment_id"],
            ["assessment.id"],
            name=op.f("fk_reassessment_due_last_assessment_id_assessment"),
        ),
        sa.ForeignKeyConstraint(
            ["vendor_id"],
            ["vendor_profile.id"],
            name=op.f("fk_reassessment_due_vendor_id_vendor_profile"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reassessment_due")),
        sa.UniqueConstraint(
            "vendor_id",
            "last_assessment_id",
            name=op.f("uq_reassessment_due_vendor_id_last_assessment_id"),
        ),
    )
    with op.batch_alter_table("reassessment_due", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reassessment_due_vendor_id"), ["vendor_id"], unique=False
        )

    op.create_table(
        "remediation_item",
        sa.Column("assessment_id", sa.String(length=26), nullable=False),
        sa.Column("question_id", sa.String(length=20), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("owner_id", sa.String(length=26), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_remediation_item_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_remediation_item_owner_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_remediation_item")),
    )
    with op.batch_alter_table("remediation_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remediation_item_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("remediation_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_remediation_item_assessment_id"))

    op.drop_table("remediation_item")
    with op.batch_alter_table("reassessment_due", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reassessment_due_vendor_id"))

    op.drop_table("reassessment_due")
    with op.batch_alter_table("assessment_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_link_assessment_id"))

    op.drop_table("assessment_link")
    with op.batch_alter_table("assessment_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_answer_assessment_id"))

    op.drop_table("assessment_answer")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_vendor_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_status"))
        batch_op.drop_index(batch_op.f("ix_assessment_recipient_person_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_assessment_completed_at"))

    op.drop_table("assessment")
    with op.batch_alter_table("questionnaire_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_template_key"))

    op.drop_table("questionnaire_template")
