"""monitoring: activity events (append-only; partitioned by month on PostgreSQL), the scoring
queue and cursors, identities, baselines, alerts and triage, channels and deliveries,
departure watches, log reviews; a person's notice date and time zone, a location's patterns

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Activity is evidence: the database refuses to change an event. PostgreSQL also refuses to
# delete one (retention drops a whole month's partition); SQLite's retention deletes old rows.
APPEND_ONLY_MESSAGE = "activity_event is append-only"


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION activity_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        op.execute(
            "CREATE TRIGGER activity_event_no_update_delete BEFORE UPDATE OR DELETE "
            "ON activity_event FOR EACH ROW EXECUTE FUNCTION activity_event_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER activity_event_no_update BEFORE UPDATE ON activity_event "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
        )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS activity_event_no_update_delete ON activity_event")
        op.execute("DROP FUNCTION IF EXISTS activity_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS activity_event_no_update")


def upgrade() -> None:
    op.create_table(
        "activity_event",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("person_id", sa.String(length=26), nullable=True),
        sa.Column("organisation_id", sa.String(length=26), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("secret_id", sa.String(length=26), nullable=True),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        sa.Column("bytes", sa.BigInteger(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("device", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=60), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("custody_seq", sa.BigInteger(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", "occurred_at", name=op.f("pk_activity_event")),
        # each month's partition is added by monitoring.storage; the default one catches the rest
        postgresql_partition_by="RANGE (occurred_at)",
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TABLE activity_event_pdefault PARTITION OF activity_event DEFAULT")
        op.execute("CREATE SEQUENCE activity_event_id_seq")
    with op.batch_alter_table("activity_event", schema=None) as batch_op:
        batch_op.create_index("ix_activity_event_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index(
            "ix_activity_event_organisation", ["organisation_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_activity_event_person", ["person_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_activity_event_secret", ["secret_id", "occurred_at"], unique=False
        )

    op.create_table(
        "monitoring_baseline",
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("measure", sa.String(length=60), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("median", sa.Double(), nullable=False),
        sa.Column("mad", sa.Double(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "measure", name=op.f("pk_monitoring_baseline")),
    )
    op.create_table(
        "monitoring_channel",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target", sa.String(length=1000), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("secret", sa.String(length=400), nullable=True),
        sa.Column("min_severity", sa.String(length=10), nullable=False),
        sa.Column("notify_secret_owners", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_channel")),
        sa.UniqueConstraint("name", name=op.f("uq_monitoring_channel_name")),
    )
    op.create_table(
        "monitoring_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_monitoring_cursor")),
    )
    op.create_table(
        "monitoring_pending",
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("person_key", sa.String(length=340), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_monitoring_pending")),
    )
    with op.batch_alter_table("monitoring_pending", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_pending_person_key"), ["person_key"], unique=False
        )

    op.create_table(
        "monitoring_seen",
        sa.Column("person_key", sa.String(length=340), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_key", "kind", "value", name=op.f("pk_monitoring_seen")),
    )
    op.create_table(
        "monitoring_alert",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("rule_id", sa.String(length=60), nullable=False),
        sa.Column("rule_version", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("person_id", sa.String(length=26), nullable=True),
        sa.Column("organisation_id", sa.String(length=26), nullable=True),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("secret_ids", sa.JSON(), nullable=False),
        sa.Column("group_key", sa.String(length=300), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("first_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("assignee_person_id", sa.String(length=26), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("escalated_to", sa.String(length=60), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_person_id"],
            ["person.id"],
            name=op.f("fk_monitoring_alert_assignee_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_monitoring_alert_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_monitoring_alert_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_alert")),
        sa.UniqueConstraint("ref", name=op.f("uq_monitoring_alert_ref")),
    )
    with op.batch_alter_table("monitoring_alert", schema=None) as batch_op:
        batch_op.create_index(
            "ix_monitoring_alert_group", ["group_key", "last_event_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_alert_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_alert_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_monitoring_alert_rule_id"), ["rule_id"], unique=False)
        batch_op.create_index(
            "ix_monitoring_alert_status", ["status", "severity", "last_event_at"], unique=False
        )

    op.create_table(
        "monitoring_departure_watch",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.String(length=26), nullable=False),
        sa.Column("notice_on", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("lookback", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=120), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_monitoring_departure_watch_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_departure_watch")),
        sa.UniqueConstraint("ref", name=op.f("uq_monitoring_departure_watch_ref")),
    )
    with op.batch_alter_table("monitoring_departure_watch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_departure_watch_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_departure_watch_status"), ["status"], unique=False
        )

    op.create_table(
        "monitoring_identity",
        sa.Column("person_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_monitoring_identity_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_identity")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_monitoring_identity_kind_value")),
    )
    with op.batch_alter_table("monitoring_identity", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_identity_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "monitoring_alert_event",
        sa.Column("alert_id", sa.String(length=26), nullable=False),
        sa.Column("event_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["monitoring_alert.id"],
            name=op.f("fk_monitoring_alert_event_alert_id_monitoring_alert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("alert_id", "event_id", name=op.f("pk_monitoring_alert_event")),
    )
    op.create_table(
        "monitoring_alert_note",
        sa.Column("alert_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["monitoring_alert.id"],
            name=op.f("fk_monitoring_alert_note_alert_id_monitoring_alert"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_alert_note")),
    )
    with op.batch_alter_table("monitoring_alert_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_alert_note_alert_id"), ["alert_id"], unique=False
        )

    op.create_table(
        "monitoring_delivery",
        sa.Column("alert_id", sa.String(length=26), nullable=False),
        sa.Column("channel_id", sa.String(length=26), nullable=False),
        sa.Column("alert_version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["monitoring_alert.id"],
            name=op.f("fk_monitoring_delivery_alert_id_monitoring_alert"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["monitoring_channel.id"],
            name=op.f("fk_monitoring_delivery_channel_id_monitoring_channel"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_delivery")),
        sa.UniqueConstraint(
            "alert_id",
            "channel_id",
            "alert_version",
            name=op.f("uq_monitoring_delivery_alert_id_channel_id_alert_version"),
        ),
    )
    with op.batch_alter_table("monitoring_delivery", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_delivery_alert_id"), ["alert_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_delivery_channel_id"), ["channel_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_delivery_next_attempt_at"), ["next_attempt_at"], unique=False
        )

    op.create_table(
        "monitoring_log_review",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("secret_id", sa.String(length=26), nullable=False),
        sa.Column("reviewer_person_id", sa.String(length=26), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_person_id"],
            ["person.id"],
            name=op.f("fk_monitoring_log_review_reviewer_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["trade_secret.id"],
            name=op.f("fk_monitoring_log_review_secret_id_trade_secret"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_log_review")),
        sa.UniqueConstraint("ref", name=op.f("uq_monitoring_log_review_ref")),
        sa.UniqueConstraint(
            "secret_id",
            "period_start",
            name=op.f("uq_monitoring_log_review_secret_id_period_start"),
        ),
    )
    with op.batch_alter_table("monitoring_log_review", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_log_review_due_on"), ["due_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_log_review_reviewer_person_id"),
            ["reviewer_person_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_log_review_secret_id"), ["secret_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_log_review_status"), ["status"], unique=False
        )

    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("timezone", sa.String(length=64), nullable=True))

    with op.batch_alter_table("secret_location", schema=None) as batch_op:
        batch_op.add_column(sa.Column("patterns", sa.JSON(), server_default="[]", nullable=False))

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    # plain DROP COLUMN (SQLite 3.35+): a batch copy reflects `person` and would lose its
    # expression index
    op.execute("ALTER TABLE secret_location DROP COLUMN patterns")
    op.execute("ALTER TABLE person DROP COLUMN timezone")
    op.execute("ALTER TABLE person DROP COLUMN notice_on")

    with op.batch_alter_table("monitoring_log_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_log_review_status"))
        batch_op.drop_index(batch_op.f("ix_monitoring_log_review_secret_id"))
        batch_op.drop_index(batch_op.f("ix_monitoring_log_review_reviewer_person_id"))
        batch_op.drop_index(batch_op.f("ix_monitoring_log_review_due_on"))

    op.drop_table("monitoring_log_review")
    with op.batch_alter_table("monitoring_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_delivery_next_attempt_at"))
        batch_op.drop_index(batch_op.f("ix_monitoring_delivery_channel_id"))
        batch_op.drop_index(batch_op.f("ix_monitoring_delivery_alert_id"))

    op.drop_table("monitoring_delivery")
    with op.batch_alter_table("monitoring_alert_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_alert_note_alert_id"))

    op.drop_table("monitoring_alert_note")
    op.drop_table("monitoring_alert_event")
    with op.batch_alter_table("monitoring_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_identity_person_id"))

    op.drop_table("monitoring_identity")
    with op.batch_alter_table("monitoring_departure_watch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_departure_watch_status"))
        batch_op.drop_index(batch_op.f("ix_monitoring_departure_watch_person_id"))

    op.drop_table("monitoring_departure_watch")
    with op.batch_alter_table("monitoring_alert", schema=None) as batch_op:
        batch_op.drop_index("ix_monitoring_alert_status")
        batch_op.drop_index(batch_op.f("ix_monitoring_alert_rule_id"))
        batch_op.drop_index(batch_op.f("ix_monitoring_alert_person_id"))
        batch_op.drop_index(batch_op.f("ix_monitoring_alert_organisation_id"))
        batch_op.drop_index("ix_monitoring_alert_group")

    op.drop_table("monitoring_alert")
    op.drop_table("monitoring_seen")
    with op.batch_alter_table("monitoring_pending", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_pending_person_key"))

    op.drop_table("monitoring_pending")
    op.drop_table("monitoring_cursor")
    op.drop_table("monitoring_channel")
    op.drop_table("monitoring_baseline")
    with op.batch_alter_table("activity_event", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_event_secret")
        batch_op.drop_index("ix_activity_event_person")
        batch_op.drop_index("ix_activity_event_organisation")
        batch_op.drop_index("ix_activity_event_occurred_at")

    op.drop_table("activity_event")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS activity_event_id_seq")
