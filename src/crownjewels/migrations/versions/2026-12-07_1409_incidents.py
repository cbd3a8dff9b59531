"""incidents: cases with their subjects, team, tasks, notes, containments, legal steps,
evidence with its hand-overs and deadline notices; the report channel's reports, messages,
protected reporters and approvals of adverse actions; an agreement's breach notice period

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 14:09:47.821717
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("agreement", sa.Column("breach_notice_hours", sa.Integer(), nullable=True))
    op.create_table(
        "incident",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("origin_ref", sa.String(length=40), nullable=True),
        sa.Column("playbook", sa.String(length=60), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discovered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("classified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("materiality_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("contained_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_reason", sa.Text(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("notices", sa.JSON(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=True),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("ref", name=op.f("uq_incident_ref")),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_origin_ref"), ["origin_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_status"), ["status"], unique=False)

    op.create_table(
        "incident_clock_notice",
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("clock", sa.String(length=60), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_clock_notice_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "incident_id", "clock", "stage", name=op.f("pk_incident_clock_notice")
        ),
    )
    op.create_table(
        "incident_containment",
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("ran_by", sa.String(length=120), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_by", sa.String(length=120), nullable=True),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_containment_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_containment")),
    )
    with op.batch_alter_table("incident_containment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_containment_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_evidence",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        sa.Column("collected_by", sa.String(length=200), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("collected_where", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.Text(), nullable=False),
        sa.Column("custodian", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_incident_evidence_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_evidence_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_evidence")),
        sa.UniqueConstraint("ref", name=op.f("uq_incident_evidence_ref")),
    )
    with op.batch_alter_table("incident_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_evidence_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_legal_step",
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_legal_step_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_legal_step")),
    )
    with op.batch_alter_table("incident_legal_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_legal_step_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_note",
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_note_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_note")),
    )
    with op.batch_alter_table("incident_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_note_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_subject",
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.String(length=26), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_subject_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "incident_id", "kind", "subject_id", name=op.f("pk_incident_subject")
        ),
    )
    with op.batch_alter_table("incident_subject", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_subject_subject_id"), ["subject_id"], unique=False
        )

    op.create_table(
        "incident_approval",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.String(length=26), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_incident_approval_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_approval")),
        sa.UniqueConstraint("ref", name=op.f("uq_incident_approval_ref")),
    )
    with op.batch_alter_table("incident_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_approval_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "incident_handover",
        sa.Column("evidence_id", sa.String(length=26), nullable=False),
        sa.Column("from_custodian", sa.String(length=200), nullable=False),
        sa.Column("to_custodian", sa.String(length=200), nullable=False),
        sa.Column("handed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("stored_at", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["incident_evidence.id"],
            name=op.f("fk_incident_handover_evidence_id_incident_evidence"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_handover")),
    )
    with op.batch_alter_table("incident_handover", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_handover_evidence_id"), ["evidence_id"], unique=False
        )

    op.create_table(
        "incident_member",
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_member_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_incident_member_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("incident_id", "user_id", "role", name=op.f("pk_incident_member")),
    )
    op.create_table(
        "incident_report",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("reporter_name", sa.String(length=200), nullable=True),
        sa.Column("reporter_contact", sa.String(length=200), nullable=True),
        sa.Column("reporter_kind", sa.String(length=20), nullable=False),
        sa.Column("involved", sa.Text(), nullable=False),
        sa.Column("involved_people", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("feedback_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("incident_id", sa.String(length=26), nullable=True),
        sa.Column("handler_id", sa.String(length=26), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["handler_id"], ["app_user.id"], name=op.f("fk_incident_report_handler_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_report_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_report")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_incident_report_code_hash")),
        sa.UniqueConstraint("ref", name=op.f("uq_incident_report_ref")),
    )
    with op.batch_alter_table("incident_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_report_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incident_report_status"), ["status"], unique=False)

    op.create_table(
        "incident_task",
        sa.Column("incident_id", sa.String(length=26), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=True),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_id", sa.String(length=26), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=120), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_task_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["app_user.id"], name=op.f("fk_incident_task_owner_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_task")),
        sa.UniqueConstraint(
            "incident_id", "number", name=op.f("uq_incident_task_incident_id_number")
        ),
    )
    with op.batch_alter_table("incident_task", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_task_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "incident_protected",
        sa.Column("person_id", sa.String(length=26), nullable=False),
        sa.Column("report_id", sa.String(length=26), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged_by", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_incident_protected_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["incident_report.id"],
            name=op.f("fk_incident_protected_report_id_incident_report"),
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_incident_protected")),
    )
    op.create_table(
        "incident_report_message",
        sa.Column("report_id", sa.String(length=26), nullable=False),
        sa.Column("from_reporter", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.String(length=26), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["app_user.id"],
            name=op.f("fk_incident_report_message_author_id_app_user"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["incident_report.id"],
            name=op.f("fk_incident_report_message_report_id_incident_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_report_message")),
    )
    with op.batch_alter_table("incident_report_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_report_message_report_id"), ["report_id"], unique=False
        )
    # containment: a copy marked compromised; people under heightened monitoring for a case
    op.add_column(
        "disclosure_copy",
        sa.Column("compromised_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column("disclosure_copy", sa.Column("compromised_reason", sa.Text(), nullable=True))
    op.create_table(
        "monitoring_heightened_watch",
        sa.Column("person_id", sa.String(length=26), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=120), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_monitoring_heightened_watch_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_heightened_watch")),
    )
    with op.batch_alter_table("monitoring_heightened_watch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_heightened_watch_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_heightened_watch_reference"), ["reference"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("monitoring_heightened_watch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_heightened_watch_reference"))
        batch_op.drop_index(batch_op.f("ix_monitoring_heightened_watch_person_id"))
    op.drop_table("monitoring_heightened_watch")
    # plain DROP COLUMN (SQLite 3.35+): a batch copy reflects `person` and would lose its
    # expression index
    op.drop_column("disclosure_copy", "compromised_reason")
    op.drop_column("disclosure_copy", "compromised_at")
    # a plain DROP COLUMN: SQLite's batch mode would recreate the agreement table and lose the
    # rows that reference it (versions, clause findings)
    op.drop_column("agreement", "breach_notice_hours")
    with op.batch_alter_table("incident_report_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_report_message_report_id"))

    op.drop_table("incident_report_message")
    op.drop_table("incident_protected")
    with op.batch_alter_table("incident_task", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_task_owner_id"))

    op.drop_table("incident_task")
    with op.batch_alter_table("incident_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_report_status"))
        batch_op.drop_index(batch_op.f("ix_incident_report_incident_id"))

    op.drop_table("incident_report")
    op.drop_table("incident_member")
    with op.batch_alter_table("incident_handover", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_handover_evidence_id"))

    op.drop_table("incident_handover")
    with op.batch_alter_table("incident_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_approval_person_id"))

    op.drop_table("incident_approval")
    with op.batch_alter_table("incident_subject", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_subject_subject_id"))

    op.drop_table("incident_subject")
    with op.batch_alter_table("incident_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_note_incident_id"))

    op.drop_table("incident_note")
    with op.batch_alter_table("incident_legal_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_legal_step_incident_id"))

    op.drop_table("incident_legal_step")
    with op.batch_alter_table("incident_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_evidence_incident_id"))

    op.drop_table("incident_evidence")
    with op.batch_alter_table("incident_containment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_containment_incident_id"))

    op.drop_table("incident_containment")
    op.drop_table("incident_clock_notice")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status"))
        batch_op.drop_index(batch_op.f("ix_incident_origin_ref"))

    op.drop_table("incident")
