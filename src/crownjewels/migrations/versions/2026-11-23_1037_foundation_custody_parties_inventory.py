"""foundation: custody, parties, inventory

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-23 10:37:36.782989
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# The custody log is append-only: the database itself refuses UPDATE, DELETE (and, on
# PostgreSQL, TRUNCATE) on custody_event, whoever connects.
APPEND_ONLY_MESSAGE = "custody_event is append-only"
PG_FUNCTION = f"""
CREATE FUNCTION custody_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
END;
$$
"""


def _create_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            "CREATE TRIGGER custody_event_no_update_delete BEFORE UPDATE OR DELETE ON custody_event "
            "FOR EACH ROW EXECUTE FUNCTION custody_event_append_only()"
        )
        op.execute(
            "CREATE TRIGGER custody_event_no_truncate BEFORE TRUNCATE ON custody_event "
            "FOR EACH STATEMENT EXECUTE FUNCTION custody_event_append_only()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER custody_event_no_{verb.lower()} BEFORE {verb} ON custody_event "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
            )


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS custody_event_no_update_delete ON custody_event")
        op.execute("DROP TRIGGER IF EXISTS custody_event_no_truncate ON custody_event")
        op.execute("DROP FUNCTION IF EXISTS custody_event_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS custody_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS custody_event_no_delete")


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "custody_event",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=64), nullable=False),
        sa.Column("subject_id", sa.String(length=120), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_custody_event")),
        sa.UniqueConstraint("hash", name=op.f("uq_custody_event_hash")),
    )
    with op.batch_alter_table("custody_event", schema=None) as batch_op:
        batch_op.create_index("ix_custody_event_actor", ["actor", "seq"], unique=False)
        batch_op.create_index("ix_custody_event_at_us", ["at_us"], unique=False)
        batch_op.create_index(
            "ix_custody_event_subject", ["subject_type", "subject_id", "seq"], unique=False
        )
        batch_op.create_index("ix_custody_event_type", ["event_type", "seq"], unique=False)

    op.create_table(
        "organisation",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("notes", sa.String(length=4000), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_organisation_name")),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_kind"), ["kind"], unique=False)

    op.create_table(
        "person",
        sa.Column("organisation_id", sa.String(length=26), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("departing_on", sa.Date(), nullable=True),
        sa.Column("departed_on", sa.Date(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_person_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_status"), ["status"], unique=False)

    op.create_table(
        "app_user",
        sa.Column("person_id", sa.String(length=26), nullable=False),
        sa.Column("username", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("mfa_secret", sa.String(length=400), nullable=True),
        sa.Column("mfa_enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mfa_last_step", sa.Integer(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_app_user_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("person_id", name=op.f("uq_app_user_person_id")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "trade_secret",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_sha256", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.Column("tier", sa.String(length=30), nullable=False),
        sa.Column("owner_id", sa.String(length=26), nullable=False),
        sa.Column("business_unit", sa.String(length=200), nullable=True),
        sa.Column("estimated_value", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("development_cost", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("allowed_regions", sa.JSON(), nullable=False),
        sa.Column("secrecy_assessment", sa.JSON(), nullable=False),
        sa.Column("legal_tests", sa.JSON(), nullable=False),
        sa.Column("review_cadence_days", sa.Integer(), nullable=False),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("legend", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_trade_secret_owner_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_secret")),
        sa.UniqueConstraint("name", name=op.f("uq_trade_secret_name")),
        sa.UniqueConstraint("ref", name=op.f("uq_trade_secret_ref")),
    )
    with op.batch_alter_table("trade_secret", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trade_secret_category"), ["category"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_trade_secret_next_review_on"), ["next_review_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_trade_secret_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trade_secret_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_trade_secret_tier"), ["tier"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_api_token_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "secret_location",
        sa.Column("secret_id", sa.String(length=26), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("owner_id", sa.String(length=26), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["person.id"], name=op.f("fk_secret_location_owner_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["trade_secret.id"],
            name=op.f("fk_secret_location_secret_id_trade_secret"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_location")),
    )
    with op.batch_alter_table("secret_location", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_secret_location_secret_id"), ["secret_id"], unique=False
        )

    op.create_table(
        "secret_review",
        sa.Column("secret_id", sa.String(length=26), nullable=False),
        sa.Column("reviewer_id", sa.String(length=26), nullable=True),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("next_review_on", sa.Date(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["person.id"], name=op.f("fk_secret_review_reviewer_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["trade_secret.id"],
            name=op.f("fk_secret_review_secret_id_trade_secret"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_review")),
    )
    with op.batch_alter_table("secret_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_secret_review_secret_id"), ["secret_id"], unique=False)

    op.create_table(
        "user_role",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=26), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["app_user.id"],
            name=op.f("fk_user_role_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_role")),
        sa.UniqueConstraint("user_id", "role", name=op.f("uq_user_role_user_id_role")),
    )
    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_role_user_id"), ["user_id"], unique=False)

    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()

    with op.batch_alter_table("user_role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_role_user_id"))

    op.drop_table("user_role")
    with op.batch_alter_table("secret_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secret_review_secret_id"))

    op.drop_table("secret_review")
    with op.batch_alter_table("secret_location", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secret_location_secret_id"))

    op.drop_table("secret_location")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("trade_secret", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trade_secret_tier"))
        batch_op.drop_index(batch_op.f("ix_trade_secret_status"))
        batch_op.drop_index(batch_op.f("ix_trade_secret_owner_id"))
        batch_op.drop_index(batch_op.f("ix_trade_secret_next_review_on"))
        batch_op.drop_index(batch_op.f("ix_trade_secret_category"))

    op.drop_table("trade_secret")
    op.drop_table("app_user")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_status"))
        batch_op.drop_index(batch_op.f("ix_person_organisation_id"))

    op.drop_table("person")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_kind"))

    op.drop_table("organisation")
    with op.batch_alter_table("custody_event", schema=None) as batch_op:
        batch_op.drop_index("ix_custody_event_type")
        batch_op.drop_index("ix_custody_event_subject")
        batch_op.drop_index("ix_custody_event_at_us")
        batch_op.drop_index("ix_custody_event_actor")

    op.drop_table("custody_event")
