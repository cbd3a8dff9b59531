"""mail outbox: one outbox for every capability's mail (sent after the commit, retried) and
the kinds of mail a person turned off; the access notices move into it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:10:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mail_outbox",
        sa.Column("recipient_person_id", sa.String(length=26), nullable=True),
        sa.Column("recipient_email", sa.String(length=320), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("kept_body", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"],
            ["person.id"],
            name=op.f("fk_mail_outbox_recipient_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_mail_outbox_dedupe_key")),
    )
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_outbox_kind"), ["kind"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_mail_outbox_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_mail_outbox_recipient_person_id"), ["recipient_person_id"], unique=False
        )
    op.create_table(
        "mail_preference",
        sa.Column("person_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_mail_preference_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "kind", name=op.f("pk_mail_preference")),
    )
    # the access notices become outbox messages (unsent ones stay due)
    op.execute(
        "INSERT INTO mail_outbox (id, recipient_person_id, recipient_email, recipient_name, "
        "kind, subject, body, created_at, created_by, attempts, next_attempt_at, sent_at) "
        "SELECT n.id, n.recipient_person_id, p.email, p.full_name, 'grants-suspended', "
        "n.subject, n.body, n.created_at, 'system:worker', "
        "CASE WHEN n.sent_at IS NULL THEN 0 ELSE 1 END, "
        "CASE WHEN n.sent_at IS NULL THEN n.created_at ELSE NULL END, n.sent_at "
        "FROM access_notice n JOIN person p ON p.id = n.recipient_person_id"
    )
    with op.batch_alter_table("access_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_access_notice_recipient_person_id"))
    op.drop_table("access_notice")


def downgrade() -> None:
    op.create_table(
        "access_notice",
        sa.Column("recipient_person_id", sa.String(length=26), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"],
            ["person.id"],
            name=op.f("fk_access_notice_recipient_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_notice")),
    )
    with op.batch_alter_table("access_notice", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_access_notice_recipient_person_id"),
            ["recipient_person_id"],
            unique=False,
        )
    op.execute(
        "INSERT INTO access_notice (id, recipient_person_id, subject, body, created_at, sent_at) "
        "SELECT id, recipient_person_id, subject, body, created_at, sent_at FROM mail_outbox "
        "WHERE kind = 'grants-suspended' AND recipient_person_id IS NOT NULL"
    )
    op.drop_table("mail_preference")
    with op.batch_alter_table("mail_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_outbox_recipient_person_id"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_mail_outbox_kind"))
    op.drop_table("mail_outbox")
