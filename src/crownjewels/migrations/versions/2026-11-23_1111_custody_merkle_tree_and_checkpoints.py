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

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("custody_tree_node", "custody_checkpoint")
_BATCH = 20_000

# The RFC 9162 tree building of custody/merkle.py as it was when this migration was written,
# copied so that the migration never changes when live code does.
Key = tuple[int, int]  # (level, index) of a perfect subtree


def _parents(level: list[bytes]) -> list[bytes]:
    """The complete parents of a run of sibling nodes that starts at an even index."""
    return [
        hashlib.sha256(b"\x01" + left + right).digest()
        for left, right in zip(level[0::2], level[1::2], strict=False)
    ]


def _new_nodes(
    old_size: int, leaves: list[bytes], edge: dict[Key, bytes]
) -> list[tuple[int, int, bytes]]:
    """Every perfect node that appending `leaves` to a tree of `old_size` completes, as
    (level, index, hash), leaves included; `edge` is the old tree's right edge."""
    out: list[tuple[int, int, bytes]] = []
    first, level, run = old_size, 0, leaves
    while run:
        out.extend((level, first + i, h) for i, h in enumerate(run))
        if first & 1:  # the first new node is a right child: its left sibling is stored
            run = [edge[(level, first - 1)], *run]
            first -= 1
        run = _parents(run[: len(run) & ~1])
        first >>= 1
        level += 1
    return out


def _right_edge(size: int) -> set[Key]:
    """The perfect nodes on the right edge of a tree of `size` leaves (one per bit set)."""
    return {(lv, (size >> lv) - 1) for lv in range(size.bit_length()) if size >> lv & 1}


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
    size, edge = 0, dict[Key, bytes]()
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
        made = _new_nodes(size - len(rows), leaves, edge)
        bind.execute(sa.insert(nodes), [{"level": a, "idx": b, "hash": c} for a, b, c in made])
        known = {**edge, **{(a, b): c for a, b, c in made}}
        edge = {key: known[key] for key in _right_edge(size)}


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
