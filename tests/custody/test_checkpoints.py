"""Signed checkpoints and the proofs against them, on SQLite and PostgreSQL: proofs from the
stored nodes equal the RFC reference, and `verify` holds the log against the newest checkpoint
(a truncated tail, a forked history, an edited checkpoint)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.custody import checkpoints, fastpath, keys, merkle, rules, signing
from crownjewels.custody import service as custody
from crownjewels.custody.errors import BadProof, LogTruncated, NoSigningKey
from crownjewels.custody.schemas import EventType, VerifyResult
from tests.custody.helpers import cut_tree, drop_triggers, rewrite_from
from tests.custody.test_merkle import ref_mth, ref_path, ref_proof

KEY = Ed25519PrivateKey.generate()


def _record(session: Session, actor: Actor, n: int) -> None:
    for i in range(n):
        custody.record(
            session,
            actor=actor,
            event_type=EventType.SECRET_UPDATED,
            subject_type="test",
            subject_id="x",
            details={"i": i},
        )


def _encoded(session: Session) -> list[bytes]:
    rows = session.connection().exec_driver_sql(
        "SELECT seq, at_us, actor, event_type, subject_type, subject_id, prev_hash, details "
        "FROM custody_event ORDER BY seq"
    )
    return [
        rules.encode(
            seq=r[0],
            at_us=r[1],
            actor=r[2],
            event_type=r[3],
            subject_type=r[4],
            subject_id=r[5],
            prev_hash=r[6],
            details_json=r[7],
        )
        for r in rows
    ]


def _verify(db: Database, admin: Actor) -> VerifyResult:
    with db.unit_of_work(write=False) as session:
        return custody.verify(session, actor=admin, public_key=KEY.public_key())


def test_stored_tree_equals_the_reference_at_every_size(session: Session, admin: Actor) -> None:
    for batch in (1, 2, 5, 1, 8, 3, 17):  # flushes of several sizes grow the tree in steps
        _record(session, admin, batch)
        custody.flush(session)
    leaves = _encoded(session)
    n = len(leaves)
    assert n == 37
    for size in range(1, n + 1):
        proof = checkpoints.consistency(session, actor=admin, old=size // 2, new=size)
        assert proof.new_root == ref_mth(leaves[:size]).hex()
        if size // 2:
            assert proof.proof == [p.hex() for p in ref_proof(size // 2, leaves[:size])]
        for seq in (1, (size + 1) // 2, size):
            got = checkpoints.prove(session, actor=admin, seq=seq, size=size)
            assert got.proof == [p.hex() for p in ref_path(seq - 1, leaves[:size])]
            assert got.leaf_hash == merkle.leaf_hash(leaves[seq - 1]).hex()


def test_checkpoint_is_signed_recorded_and_proves(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        _record(session, admin, 6)
        made = checkpoints.create(session, actor=admin, key=KEY)
    # the checkpoint covers the CHECKPOINT_SIGNED event that records it: its last leaf
    assert made.tree_size == 7 and made.key_id == signing.key_id(KEY.public_key())
    note = signing.verify(made.note, KEY.public_key())
    assert note.tree_size == 7 and note.root_hash.hex() == made.root_hash
    with db.unit_of_work() as session:
        event = custody.get_event(session, seq=7)
        assert event.event_type == "CHECKPOINT_SIGNED" and event.subject_id == "7"
        assert event.details == {"tree_size": 7, "key_id": made.key_id}
        assert custody.recent(session, limit=1)[0].seq == 7
        # nothing new since: the same checkpoint again
        assert checkpoints.create(session, actor=admin, key=KEY).tree_size == 7
        _record(session, admin, 2)
        later = checkpoints.create(session, actor=admin, key=KEY)
        assert later.tree_size == 10
        proof = checkpoints.prove(session, actor=admin, seq=3)
        assert proof.tree_size == 7 and proof.checkpoint is not None
        root = bytes.fromhex(made.root_hash)
        leaf = bytes.fromhex(proof.leaf_hash)
        assert merkle.verify_inclusion(2, 7, leaf, [bytes.fromhex(p) for p in proof.proof], root)
        cons = checkpoints.consistency(session, actor=admin, old=7, new=10)
        path = [bytes.fromhex(p) for p in cons.proof]
        assert merkle.verify_consistency(7, 10, root, bytes.fromhex(later.root_hash), path)
        listed, total = checkpoints.list_checkpoints(session, actor=admin)
        assert total == 2 and [c.tree_size for c in listed] == [10, 7]
    assert _verify(db, admin).ok


def test_an_uncovered_checkpoint_event_of_an_older_version_is_covered_next(
    db: Database, admin: Actor
) -> None:
    # Before, CHECKPOINT_SIGNED came right after the tree it signed and stayed outside every
    # checkpoint until other events came; signing again now covers it.
    with db.unit_of_work() as session:
        _record(session, admin, 3)
        first = checkpoints.create(session, actor=admin, key=KEY)
        custody.record(
            session,
            actor=admin,
            event_type=EventType.CHECKPOINT_SIGNED,
            subject_type="checkpoint",
            subject_id=str(first.tree_size),
            details={"tree_size": first.tree_size},
        )
        assert checkpoints.create(session, actor=admin, key=KEY).tree_size == first.tree_size + 2
    assert _verify(db, admin).ok


def test_bad_proof_requests(session: Session, admin: Actor) -> None:
    _record(session, admin, 3)
    with pytest.raises(BadProof, match="out of range"):
        checkpoints.prove(session, actor=admin, seq=2, size=9)
    with pytest.raises(BadProof, match="not in the tree"):
        checkpoints.prove(session, actor=admin, seq=3, size=2)
    with pytest.raises(BadProof, match="sizes must grow"):
        checkpoints.consistency(session, actor=admin, old=3, new=2)


def test_checkpoint_tables_are_append_only(
    connection: Connection, db: Database, admin: Actor
) -> None:
    with db.unit_of_work() as session:
        _record(session, admin, 2)
        checkpoints.create(session, actor=admin, key=KEY)
    for statement in (
        "UPDATE custody_tree_node SET hash = hash WHERE level = 0",
        "DELETE FROM custody_tree_node",
        "UPDATE custody_checkpoint SET root_hash = 'x'",
        "DELETE FROM custody_checkpoint",
    ):
        nested = connection.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            connection.execute(text(statement))
        nested.rollback()


def _with_checkpoint(connection: Connection, db: Database, admin: Actor, n: int = 8) -> int:
    with db.unit_of_work() as session:
        _record(session, admin, n)
        size = checkpoints.create(session, actor=admin, key=KEY).tree_size
        _record(session, admin, 2)
    drop_triggers(connection)
    return size


def test_truncated_tail_after_a_checkpoint(
    connection: Connection, db: Database, admin: Actor
) -> None:
    size = _with_checkpoint(connection, db, admin)
    assert size == 9  # 8 events and its own CHECKPOINT_SIGNED; 2 more follow
    connection.execute(text("DELETE FROM custody_event WHERE seq >= 6"))
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 6 and result.checked == 5
    problem = result.problem or ""
    assert "events #6-#11 are in the Merkle tree but missing from the log" in problem
    assert f"tail was cut off; checkpoint {size} signed" in problem
    with db.unit_of_work() as session, pytest.raises(LogTruncated, match="#6-#9"):
        checkpoints.create(session, actor=admin, key=KEY)
    # a tamperer who cuts the tree too is still held to the signed checkpoint
    cut_tree(connection, 5)
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 6
    assert f"events #6-#{size} are missing: checkpoint {size} signed" in (result.problem or "")


def test_a_tail_past_the_newest_checkpoint_is_named(
    connection: Connection, db: Database, admin: Actor
) -> None:
    size = _with_checkpoint(connection, db, admin)
    connection.execute(text("DELETE FROM custody_event WHERE seq > :s"), {"s": size})
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == size + 1
    problem = result.problem or ""
    assert f"events #{size + 1}-#{size + 2} are in the Merkle tree but missing" in problem
    assert "checkpoint" not in problem  # the checkpoint still holds: only the tree names them


def test_the_checkpoint_covers_its_own_event(
    connection: Connection, db: Database, admin: Actor
) -> None:
    size = _with_checkpoint(connection, db, admin)
    signed = connection.execute(
        text("SELECT event_type, subject_id FROM custody_event WHERE seq = :s"), {"s": size}
    ).one()
    assert tuple(signed) == ("CHECKPOINT_SIGNED", str(size))
    # cut the log and the tree back to before the signing: the checkpoint names its event
    connection.execute(text("DELETE FROM custody_event WHERE seq >= :s"), {"s": size})
    cut_tree(connection, size - 1)
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == size
    assert f"event #{size} is missing: checkpoint {size} signed" in (result.problem or "")


def test_a_rewritten_checkpoint_event_is_a_fork(
    connection: Connection, db: Database, admin: Actor
) -> None:
    size = _with_checkpoint(connection, db, admin)
    rewrite_from(connection, size, actor="user:someone-else")
    result = _verify(db, admin)
    assert not result.ok and "forked history" in (result.problem or "")


def test_forked_history_is_detected(connection: Connection, db: Database, admin: Actor) -> None:
    _with_checkpoint(connection, db, admin)
    rewrite_from(connection, 3)
    result = _verify(db, admin)
    assert not result.ok and "forked history" in (result.problem or "")


def test_edited_and_deleted_events_still_named(
    connection: Connection, db: Database, admin: Actor
) -> None:
    _with_checkpoint(connection, db, admin)
    connection.execute(text("UPDATE custody_event SET details = '{}' WHERE seq = 4"))
    assert _verify(db, admin).first_broken_seq == 4
    connection.execute(text("DELETE FROM custody_event WHERE seq = 4"))
    result = _verify(db, admin)
    assert result.first_broken_seq == 4 and "missing" in (result.problem or "")


def test_edited_checkpoint_row_is_detected(
    connection: Connection, db: Database, admin: Actor
) -> None:
    _with_checkpoint(connection, db, admin)
    connection.execute(text("UPDATE custody_checkpoint SET note = replace(note, '\n9\n', '\n8\n')"))
    result = _verify(db, admin)
    assert not result.ok and "does not verify" in (result.problem or "")


def test_slow_path_also_checks_the_checkpoint(
    connection: Connection, db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _with_checkpoint(connection, db, admin)
    monkeypatch.setattr(fastpath, "verify", lambda *a: None)
    assert _verify(db, admin).ok
    rewrite_from(connection, 2)
    assert "forked history" in (_verify(db, admin).problem or "")


def test_signing_key_files(tmp_path: Path) -> None:
    with pytest.raises(NoSigningKey, match="crownjewels init"):
        keys.load_signing_key(tmp_path)
    key_id = keys.ensure_signing_key(tmp_path)
    assert keys.ensure_signing_key(tmp_path) == key_id  # safe to run again
    assert (tmp_path / keys.PRIVATE_FILE).stat().st_mode & 0o777 == 0o600
    public = signing.load_public_key((tmp_path / keys.PUBLIC_FILE).read_bytes())
    assert (
        signing.key_id(public)
        == key_id
        == signing.key_id(keys.load_signing_key(tmp_path).public_key())
    )


def test_note_format_is_the_documented_one() -> None:
    note = signing.sign(KEY, 5, bytes(range(32)), 1_795_000_000_123_456)
    text_ = signing.render(note, KEY.public_key())
    lines = text_.split("\n")
    assert lines[0] == signing.origin(KEY.public_key())
    assert lines[1:4] == [
        "5",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        "time 2026-11-18T11:06:40.123456Z",
    ]
    assert lines[4] == "" and lines[5].startswith("\u2014 " + lines[0] + " ")
    parsed = signing.verify(text_, KEY.public_key())
    assert (
        parsed.signed_at_us == 1_795_000_000_123_456
        and parsed.body == ("\n".join(lines[:4]) + "\n").encode()
    )
    other = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(signing.BadNote):
        signing.verify(text_, other)
    with pytest.raises(signing.BadNote):
        signing.verify(text_.replace("\n5\n", "\n6\n"), KEY.public_key())
