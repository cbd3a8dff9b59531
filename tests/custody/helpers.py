"""Tampering helpers: what an attacker with database access would do."""

from __future__ import annotations

from sqlalchemy import Connection, text

from crownjewels.custody import rules


def drop_triggers(conn: Connection) -> None:
    """Remove the append-only triggers, as a tamperer with owner rights could."""
    if conn.dialect.name == "postgresql":
        for table in ("custody_event", "custody_tree_node", "custody_checkpoint"):
            conn.execute(text(f"DROP TRIGGER {table}_no_update_delete ON {table}"))
    else:
        for table in ("custody_event", "custody_tree_node", "custody_checkpoint"):
            conn.execute(text(f"DROP TRIGGER {table}_no_update"))
            conn.execute(text(f"DROP TRIGGER {table}_no_delete"))


def rewrite_from(conn: Connection, seq: int, actor: str = "user:innocent") -> None:
    """A forked history: event `seq` gets another actor, and it and every later event get
    recomputed hashes and links, so that the chain alone verifies again."""
    rows = conn.execute(
        text("SELECT * FROM custody_event WHERE seq >= :s ORDER BY seq"), {"s": seq}
    )
    prev = conn.execute(text("SELECT hash FROM custody_event WHERE seq = :s"), {"s": seq - 1})
    prev_hash = prev.scalar() or rules.GENESIS_HASH
    for row in list(rows.mappings()):
        who = actor if row["seq"] == seq else row["actor"]
        digest = rules.event_hash(
            rules.encode(
                seq=row["seq"],
                at_us=row["at_us"],
                actor=who,
                event_type=row["event_type"],
                subject_type=row["subject_type"],
                subject_id=row["subject_id"],
                prev_hash=prev_hash,
                details_json=row["details"],
            )
        )
        conn.execute(
            text("UPDATE custody_event SET actor = :a, prev_hash = :p, hash = :h WHERE seq = :s"),
            {"a": who, "p": prev_hash, "h": digest, "s": row["seq"]},
        )
        prev_hash = digest


def cut_tree(conn: Connection, size: int) -> None:
    """Delete the Merkle tree's nodes beyond its first `size` leaves (after drop_triggers), as a
    tamperer who cuts the log's tail and wants the tree to agree would."""
    conn.execute(text("DELETE FROM custody_tree_node WHERE (idx + 1) << level > :n"), {"n": size})
