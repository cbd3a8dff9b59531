"""custody merkle tree and checkpoints

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:11:29.709988

The RFC 9162 Merkle tree beside the hash chain (custody_tree_node, filled here for the events
already recorded) and signed checkpoints (custody_checkpoint); both append-only like
custody_event.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from crownjewels.custody import merkle

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("custody_tree_node", "custody_checkpoint")
_BATCH = 20_000


def _create_append_only_triggers() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        message = f"{table} is append-only"
        if postgres:
            op.execute(
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege'; "
                "END; $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )
        else:
            for verb in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )


def _drop_append_only_triggers() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update_delete ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")


def _backfill_tree() -> None:
    """The tree over the events recorded before this migration (encoding v1, docs/custody.md)."""
    bind = op.get_bind()
    nodes = sa.table(
        "custody_tree_node",
        sa.column("level", sa.SmallInteger()),
        sa.column("idx", sa.BigInteger()),
        sa.column("hash", sa.LargeBinary()),
    )
    query = sa.text(
        "SELECT seq, at_us, actor, event_type, subject_type, subject_id, prev_hash, details "
        "FROM custody_event WHERE seq > :after ORDER BY seq LIMIT :n"
    )
    size, edge = 0, dict[merkle.Key, bytes]()
    while rows := bind.execute(query, {"after": size, "n": _BATCH}).all():
        leaves = []
        for row in rows:
            size += 1
            if row[0] != size:
                raise RuntimeError(
                    f"custody event #{size} is missing; run `crownjewels custody verify` "
                    "on the old version and restore the log before upgrading"
                )
            lines = ["crownjewels-custody-v1", *(str(v) for v in row)]
            leaves.append(hashlib.sha256(b"\x00" + "\n".join(lines).encode()).digest())
        made = merkle.new_nodes(size - len(rows), leaves, edge)
        bind.execute(sa.insert(nodes), [{"level": a, "idx": b, "hash": c} for a, b, c in made])
        known = {**edge, **{(a, b): c for a, b, c in made}}
        edge = {key: known[key] for key in merkle.right_edge(size)}


def upgrade() -> None:
    op.create_table(
        "custody_checkpoint",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at_us", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.Column("timestamp_token", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_custody_checkpoint")),
    )
    op.create_table(
        "custody_tree_node",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_custody_tree_node")),
        sqlite_with_rowid=False,
    )
    _backfill_tree()
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_table("custody_tree_node")
    op.drop_table("custody_checkpoint")
