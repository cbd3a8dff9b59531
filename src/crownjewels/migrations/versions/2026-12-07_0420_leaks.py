"""leaks: the fingerprint index (hashes and offsets, never text), scans with their scanned
files and matches, scheduled scan watches, canary tokens and their hits, watchlists, feeds,
feed items and the legal review queue

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 04:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leak_feed",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("every_hours", sa.Integer(), nullable=False),
        sa.Column("next_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("etag", sa.String(length=300), nullable=True),
        sa.Column("modified", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_feed")),
        sa.UniqueConstraint("ref", name=op.f("uq_leak_feed_ref")),
    )
    op.create_table(
        "leak_watch",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("every_hours", sa.Integer(), nullable=False),
        sa.Column("next_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_scan_id", sa.String(length=26), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_watch")),
        sa.UniqueConstraint("ref", name=op.f("uq_leak_watch_ref")),
    )
    op.create_table(
        "leak_feed_item",
        sa.Column("feed_id", sa.String(length=26), nullable=False),
        sa.Column("guid", sa.String(length=500), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("link", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["leak_feed.id"], name=op.f("fk_leak_feed_item_feed_id_leak_feed")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_feed_item")),
        sa.UniqueConstraint("feed_id", "guid", name=op.f("uq_leak_feed_item_feed_id_guid")),
    )
    with op.batch_alter_table("leak_feed_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leak_feed_item_feed_id"), ["feed_id"], unique=False)

    op.create_table(
        "leak_pending",
        sa.Column("document_id", sa.String(length=26), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_leak_pending_document_id_document")
        ),
        sa.PrimaryKeyConstraint("document_id", "version_number", name=op.f("pk_leak_pending")),
    )
    op.create_table(
        "leak_scan",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("watch_id", sa.String(length=26), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("files", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=False),
        sa.Column("identified", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.JSON(), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["watch_id"], ["leak_watch.id"], name=op.f("fk_leak_scan_watch_id_leak_watch")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_scan")),
        sa.UniqueConstraint("ref", name=op.f("uq_leak_scan_ref")),
    )
    with op.batch_alter_table("leak_scan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leak_scan_watch_id"), ["watch_id"], unique=False)

    op.create_table(
        "leak_scanned_file",
        sa.Column("scan_id", sa.String(length=26), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("verdict", sa.String(length=30), nullable=True),
        sa.Column("copy_id", sa.String(length=26), nullable=True),
        sa.Column("identified", sa.Text(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["leak_scan.id"], name=op.f("fk_leak_scanned_file_scan_id_leak_scan")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_scanned_file")),
    )
    with op.batch_alter_table("leak_scanned_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leak_scanned_file_scan_id"), ["scan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leak_scanned_file_sha256"), ["sha256"], unique=False)

    op.create_table(
        "leak_review",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("item_id", sa.String(length=26), nullable=False),
        sa.Column("secret_id", sa.String(length=26), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["leak_feed_item.id"], name=op.f("fk_leak_review_item_id_leak_feed_item")
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"], ["trade_secret.id"], name=op.f("fk_leak_review_secret_id_trade_secret")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_review")),
        sa.UniqueConstraint("item_id", "secret_id", name=op.f("uq_leak_review_item_id_secret_id")),
        sa.UniqueConstraint("ref", name=op.f("uq_leak_review_ref")),
    )
    with op.batch_alter_table("leak_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leak_review_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leak_review_secret_id"), ["secret_id"], unique=False)

    op.create_table(
        "leak_token",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("secret_id", sa.String(length=26), nullable=False),
        sa.Column("copy_id", sa.String(length=26), nullable=True),
        sa.Column("recipient_person_id", sa.String(length=26), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("honey", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("last_hit_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["recipient_person_id"],
            ["person.id"],
            name=op.f("fk_leak_token_recipient_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"], ["trade_secret.id"], name=op.f("fk_leak_token_secret_id_trade_secret")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_token")),
        sa.UniqueConstraint("ref", name=op.f("uq_leak_token_ref")),
        sa.UniqueConstraint("token", name=op.f("uq_leak_token_token")),
    )
    with op.batch_alter_table("leak_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leak_token_copy_id"), ["copy_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leak_token_secret_id"), ["secret_id"], unique=False)

    op.create_table(
        "leak_watchlist",
        sa.Column("secret_id", sa.String(length=26), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("competitors", sa.JSON(), nullable=False),
        sa.Column("threshold", sa.Double(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["secret_id"],
            ["trade_secret.id"],
            name=op.f("fk_leak_watchlist_secret_id_trade_secret"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_watchlist")),
        sa.UniqueConstraint("secret_id", name=op.f("uq_leak_watchlist_secret_id")),
    )
    op.create_table(
        "leak_source",
        sa.Column("secret_id", sa.String(length=26), nullable=True),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.String(length=26), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("chars", sa.BigInteger(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("prints", sa.JSON(), nullable=False),
        sa.Column("params", sa.String(length=60), nullable=False),
        sa.Column("indexed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_leak_source_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"], ["trade_secret.id"], name=op.f("fk_leak_source_secret_id_trade_secret")
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["leak_token.id"], name=op.f("fk_leak_source_token_id_leak_token")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_source")),
        sa.UniqueConstraint(
            "document_id", "version_number", name=op.f("uq_leak_source_document_id_version_number")
        ),
    )
    with op.batch_alter_table("leak_source", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_leak_source_document_id"), ["document_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_leak_source_secret_id"), ["secret_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leak_source_token_id"), ["token_id"], unique=False)

    op.create_table(
        "leak_token_hit",
        sa.Column("token_id", sa.String(length=26), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        sa.Column("referrer", sa.Text(), nullable=True),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["token_id"], ["leak_token.id"], name=op.f("fk_leak_token_hit_token_id_leak_token")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_token_hit")),
    )
    with op.batch_alter_table("leak_token_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leak_token_hit_token_id"), ["token_id"], unique=False)

    op.create_table(
        "leak_fingerprint",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("source_id", sa.String(length=26), nullable=False),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.Column("unit", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["leak_source.id"],
            name=op.f("fk_leak_fingerprint_source_id_leak_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_fingerprint")),
    )
    with op.batch_alter_table("leak_fingerprint", schema=None) as batch_op:
        batch_op.create_index("ix_leak_fingerprint_hash", ["hash"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_leak_fingerprint_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "leak_match",
        sa.Column("ref", sa.String(length=20), nullable=False),
        sa.Column("scan_id", sa.String(length=26), nullable=False),
        sa.Column("file_id", sa.String(length=26), nullable=False),
        sa.Column("source_id", sa.String(length=26), nullable=True),
        sa.Column("secret_id", sa.String(length=26), nullable=True),
        sa.Column("document_id", sa.String(length=26), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("token_id", sa.String(length=26), nullable=True),
        sa.Column("similarity", sa.Double(), nullable=False),
        sa.Column("longest_units", sa.Integer(), nullable=False),
        sa.Column("longest_lines", sa.Integer(), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("verdict", sa.Text(), nullable=False),
        sa.Column("match_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.String(length=26), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["document.id"], name=op.f("fk_leak_match_document_id_document")
        ),
        sa.ForeignKeyConstraint(
            ["file_id"],
            ["leak_scanned_file.id"],
            name=op.f("fk_leak_match_file_id_leak_scanned_file"),
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["leak_scan.id"], name=op.f("fk_leak_match_scan_id_leak_scan")
        ),
        sa.ForeignKeyConstraint(
            ["secret_id"], ["trade_secret.id"], name=op.f("fk_leak_match_secret_id_trade_secret")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["leak_source.id"],
            name=op.f("fk_leak_match_source_id_leak_source"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["leak_token.id"], name=op.f("fk_leak_match_token_id_leak_token")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_leak_match")),
        sa.UniqueConstraint("ref", name=op.f("uq_leak_match_ref")),
    )
    with op.batch_alter_table("leak_match", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_leak_match_file_id"), ["file_id"], unique=False)
        batch_op.create_index("ix_leak_match_key", ["match_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_leak_match_scan_id"), ["scan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leak_match_secret_id"), ["secret_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_leak_match_source_id"), ["source_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("leak_match", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_match_source_id"))
        batch_op.drop_index(batch_op.f("ix_leak_match_secret_id"))
        batch_op.drop_index(batch_op.f("ix_leak_match_scan_id"))
        batch_op.drop_index("ix_leak_match_key")
        batch_op.drop_index(batch_op.f("ix_leak_match_file_id"))

    op.drop_table("leak_match")
    with op.batch_alter_table("leak_fingerprint", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_fingerprint_source_id"))
        batch_op.drop_index("ix_leak_fingerprint_hash")

    op.drop_table("leak_fingerprint")
    with op.batch_alter_table("leak_token_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_token_hit_token_id"))

    op.drop_table("leak_token_hit")
    with op.batch_alter_table("leak_source", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_source_token_id"))
        batch_op.drop_index(batch_op.f("ix_leak_source_secret_id"))
        batch_op.drop_index(batch_op.f("ix_leak_source_document_id"))

    op.drop_table("leak_source")
    op.drop_table("leak_watchlist")
    with op.batch_alter_table("leak_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_token_secret_id"))
        batch_op.drop_index(batch_op.f("ix_leak_token_copy_id"))

    op.drop_table("leak_token")
    with op.batch_alter_table("leak_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_review_secret_id"))
        batch_op.drop_index(batch_op.f("ix_leak_review_item_id"))

    op.drop_table("leak_review")
    with op.batch_alter_table("leak_scanned_file", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_scanned_file_sha256"))
        batch_op.drop_index(batch_op.f("ix_leak_scanned_file_scan_id"))

    op.drop_table("leak_scanned_file")
    with op.batch_alter_table("leak_scan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_scan_watch_id"))

    op.drop_table("leak_scan")
    op.drop_table("leak_pending")
    with op.batch_alter_table("leak_feed_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_leak_feed_item_feed_id"))

    op.drop_table("leak_feed_item")
    op.drop_table("leak_watch")
    op.drop_table("leak_feed")
