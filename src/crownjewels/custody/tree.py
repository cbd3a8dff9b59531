"""The stored Merkle tree: every perfect subtree's hash in `custody_tree_node`, appended in the
same transaction as the events (from custody.service.flush). Proofs read O(log n) nodes in one
query and never rebuild the tree."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from crownjewels.custody import merkle
from crownjewels.custody.errors import BadProof, TreeOutOfStep

_INSERT = {
    "?": "INSERT INTO custody_tree_node (level, idx, hash) VALUES (?, ?, ?)",
    "%s": "INSERT INTO custody_tree_node (level, idx, hash) VALUES (%s, %s, %s)",
}


def _mark(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def read_nodes(connection: Connection, keys: Iterable[merkle.Key]) -> dict[merkle.Key, bytes]:
    """The stored hashes of the given perfect nodes (missing ones are left out), in one query."""
    wanted = sorted(keys)
    if not wanted:
        return {}
    mark = _mark(connection)
    where = " OR ".join([f"(level = {mark} AND idx = {mark})"] * len(wanted))
    params = tuple(v for key in wanted for v in key)
    sql = f"SELECT level, idx, hash FROM custody_tree_node WHERE {where}"  # noqa: S608 (placeholders only)
    rows = connection.exec_driver_sql(sql, params).all()
    return {(int(lv), int(ix)): bytes(h) for lv, ix, h in rows}


def _nodes(connection: Connection, keys: set[merkle.Key]) -> dict[merkle.Key, bytes]:
    found = read_nodes(connection, keys)
    if len(found) != len(keys):
        missing = sorted(keys - found.keys())[:3]
        raise TreeOutOfStep(
            f"the custody tree lacks nodes {missing}; it is out of step with the event log "
            "(rows deleted?); run `crownjewels custody verify`"
        )
    return found


def new_nodes(
    connection: Connection, old_size: int, leaves: list[bytes], edge: merkle.Nodes | None
) -> tuple[list[tuple[int, int, bytes]], merkle.Nodes]:
    """The nodes that appending `leaves` to a tree of `old_size` completes, to be stored, and
    the grown tree's right edge. `edge` is the old tree's right edge when the caller knows it
    (None: read from the stored tree, one query)."""
    if edge is None:
        edge = _nodes(connection, merkle.right_edge(old_size)) if old_size else {}
    rows = merkle.new_nodes(old_size, leaves, edge)
    known = {**edge, **{(level, idx): h for level, idx, h in rows}}
    return rows, {key: known[key] for key in merkle.right_edge(old_size + len(leaves))}


def insert(connection: Connection, nodes: list[tuple[int, int, bytes]]) -> None:
    """Store new nodes (from `new_nodes`)."""
    rows: list[Any] = nodes
    connection.exec_driver_sql(_INSERT[_mark(connection)], rows)


def size(session: Session) -> int:
    """The number of leaves stored (one per event)."""
    found = (
        session.connection()
        .exec_driver_sql("SELECT max(idx) FROM custody_tree_node WHERE level = 0")
        .scalar()
    )
    return 0 if found is None else int(found) + 1


def _check_size(session: Session, tree_size: int) -> None:
    stored = size(session)
    if tree_size < 1 or tree_size > stored:
        raise BadProof(f"tree size {tree_size} is out of range: the tree has 1 to {stored} leaves")


def root(session: Session, tree_size: int) -> bytes:
    """The root hash of the first `tree_size` leaves, from O(log n) stored nodes."""
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    _check_size(session, tree_size)
    nodes = _nodes(session.connection(), merkle.needed_root(tree_size))
    return merkle.root(tree_size, nodes)


def inclusion(session: Session, index: int, tree_size: int) -> tuple[bytes, list[bytes], bytes]:
    """(leaf hash, audit path, root) of leaf `index` in the tree of `tree_size`, one read."""
    _check_size(session, tree_size)
    if not 0 <= index < tree_size:
        raise BadProof(
            f"event #{index + 1} is not in the tree of size {tree_size} (events #1-#{tree_size})"
        )
    keys = merkle.needed_inclusion(index, tree_size) | merkle.needed_root(tree_size)
    nodes = _nodes(session.connection(), keys)
    proof = merkle.inclusion_proof(index, tree_size, nodes)
    return nodes[(0, index)], proof, merkle.root(tree_size, nodes)


def consistency(session: Session, old: int, new: int) -> tuple[list[bytes], bytes, bytes]:
    """(proof, old root, new root) that the tree of `new` leaves extends that of `old`."""
    _check_size(session, new)
    if not 0 <= old <= new:
        raise BadProof(f"no consistency proof from size {old} to size {new}: sizes must grow")
    keys = merkle.needed_consistency(old, new) | merkle.needed_root(old) | merkle.needed_root(new)
    nodes = _nodes(session.connection(), keys)
    proof = merkle.consistency_proof(old, new, nodes)
    return proof, merkle.root(old, nodes), merkle.root(new, nodes)
