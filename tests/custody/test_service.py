"""The custody log: same-transaction writes, the chain, append-only triggers, tamper detection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, event, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.pagination import PageParams
from crownjewels.custody import merkle, rules, tree
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.custody.schemas import EventFilter, EventType
from tests.custody.helpers import cut_tree, drop_triggers
from tests.inventory.factories import make_secret


def _record(session: Session, actor: Actor, n: int = 1, subject: str = "x") -> None:
    for i in range(n):
        custody.record(
            session,
            actor=actor,
            event_type=EventType.SECRET_UPDATED,
            subject_type="test",
            subject_id=subject,
            details={"i": i},
        )


def _encoded(e: CustodyEvent) -> bytes:
    """An event's canonical encoding, recomputed from its stored fields."""
    return rules.encode(
        seq=e.seq,
        at_us=e.at_us,
        actor=e.actor,
        event_type=e.event_type,
        subject_type=e.subject_type,
        subject_id=e.subject_id,
        prev_hash=e.prev_hash,
        details_json=e.details,
    )


def _count(session: Session) -> int:
    custody.flush(session)
    return session.scalar(select(func.count()).select_from(CustodyEvent)) or 0


def test_events_chain_from_genesis(session: Session, admin: Actor) -> None:
    _record(session, admin, 3)
    custody.flush(session)
    events = session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)).all()
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[0].prev_hash == rules.GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert custody.verify(session, actor=admin).ok


def test_event_hash_covers_every_field(session: Session, admin: Actor) -> None:
    _record(session, admin)
    custody.flush(session)
    e = session.scalars(select(CustodyEvent)).one()
    assert rules.event_hash(_encoded(e)) == e.hash
    assert e.actor == "system:test"


def test_rolled_back_change_leaves_no_event(db: Database, admin: Actor) -> None:
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        make_secret(session, admin)
        raise RuntimeError("the command failed after writing")
    with db.unit_of_work(write=False) as session:
        assert _count(session) == 0
    with db.unit_of_work() as session:
        _record(session, admin)
    with db.unit_of_work(write=False) as session:
        assert custody.verify(session, actor=admin).ok
        assert _count(session) == 1


def test_successive_transactions_continue_the_chain(db: Database, admin: Actor) -> None:
    for _ in range(3):
        with db.unit_of_work() as session:
            _record(session, admin, 2)
    with db.unit_of_work(write=False) as session:
        result = custody.verify(session, actor=admin)
    assert result.ok and result.checked == 6 and result.head_seq == 6


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE custody_event SET details = '{}' WHERE seq = 1",
        "DELETE FROM custody_event WHERE seq = 1",
    ],
)
def test_database_refuses_update_and_delete(
    connection: Connection, db: Database, admin: Actor, statement: str
) -> None:
    with db.unit_of_work() as session:
        _record(session, admin)
    nested = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text(statement))
    nested.rollback()


def test_postgres_refuses_truncate(connection: Connection, db: Database, admin: Actor) -> None:
    if connection.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    nested = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("TRUNCATE custody_event"))
    nested.rollback()


def _tamper_setup(connection: Connection, db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        _record(session, admin, 5)
    drop_triggers(connection)


def _verify(db: Database, admin: Actor):  # type: ignore[no-untyped-def]
    with db.unit_of_work(write=False) as session:
        return custody.verify(session, actor=admin)


def test_edited_event_is_named(connection: Connection, db: Database, admin: Actor) -> None:
    _tamper_setup(connection, db, admin)
    connection.execute(
        text("UPDATE custody_event SET details = :d WHERE seq = 3"), {"d": '{"i":99}'}
    )
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 3
    assert "altered" in (result.problem or "")


def test_edited_event_with_recomputed_hash_breaks_the_next_link(
    connection: Connection, db: Database, admin: Actor
) -> None:
    _tamper_setup(connection, db, admin)
    row = connection.execute(text("SELECT * FROM custody_event WHERE seq = 2")).mappings().one()
    forged = rules.event_hash(
        rules.encode(
            seq=2,
            at_us=row["at_us"],
            actor="user:innocent",
            event_type=row["event_type"],
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            prev_hash=row["prev_hash"],
            details_json=row["details"],
        )
    )
    connection.execute(
        text("UPDATE custody_event SET actor = 'user:innocent', hash = :h WHERE seq = 2"),
        {"h": forged},
    )
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 3
    assert "link" in (result.problem or "")


def test_deleted_event_is_named(connection: Connection, db: Database, admin: Actor) -> None:
    _tamper_setup(connection, db, admin)
    connection.execute(text("DELETE FROM custody_event WHERE seq = 4"))
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 4
    assert "missing" in (result.problem or "")


def test_deleted_first_event_is_named(connection: Connection, db: Database, admin: Actor) -> None:
    _tamper_setup(connection, db, admin)
    connection.execute(text("DELETE FROM custody_event WHERE seq = 1"))
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 1


def test_reordered_events_are_named(connection: Connection, db: Database, admin: Actor) -> None:
    _tamper_setup(connection, db, admin)
    # swap the contents of events 2 and 3 while keeping the sequence numbers in place
    connection.execute(text("UPDATE custody_event SET seq = -2 WHERE seq = 2"))
    connection.execute(text("UPDATE custody_event SET seq = 2 WHERE seq = 3"))
    connection.execute(text("UPDATE custody_event SET seq = 3 WHERE seq = -2"))
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 2


@pytest.mark.parametrize("first", [5, 3, 1])
def test_truncated_tail_is_named_against_the_tree(
    connection: Connection, db: Database, admin: Actor, first: int
) -> None:
    # The Merkle tree grows with the log in the same transaction: a log with fewer events than
    # the tree has leaves lost its tail, even before any checkpoint was signed.
    _tamper_setup(connection, db, admin)
    connection.execute(text("DELETE FROM custody_event WHERE seq >= :s"), {"s": first})
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == first
    assert result.checked == result.head_seq == first - 1
    named = "event #5 is" if first == 5 else f"events #{first}-#5 are"
    assert f"{named} in the Merkle tree but missing from the log" in (result.problem or "")


def test_events_written_around_record_are_named(
    connection: Connection, db: Database, admin: Actor
) -> None:
    _tamper_setup(connection, db, admin)
    cut_tree(connection, 3)
    result = _verify(db, admin)
    assert not result.ok and result.first_broken_seq == 4
    assert "events #4-#5 are in the log but not in the Merkle tree" in (result.problem or "")


def test_a_tail_cut_from_log_and_tree_alike_needs_a_checkpoint(
    connection: Connection, db: Database, admin: Actor
) -> None:
    # Documented limit: with neither a checkpoint nor an outside copy, a consistent cut of the
    # log and the tree leaves a shorter history that verifies (test_checkpoints covers the rest).
    _tamper_setup(connection, db, admin)
    connection.execute(text("DELETE FROM custody_event WHERE seq >= 4"))
    cut_tree(connection, 3)
    result = _verify(db, admin)
    assert result.ok and result.head_seq == 3


def test_listing_filters(session: Session, admin: Actor) -> None:
    _record(session, admin, 2, subject="a")
    _record(session, admin, 3, subject="b")
    page = PageParams(limit=10)
    items, total = custody.list_events(
        session, actor=admin, filters=EventFilter(subject_type="test", subject_id="b"), page=page
    )
    assert total == 3 and all(e.subject_id == "b" for e in items)
    assert [e.seq for e in items] == sorted((e.seq for e in items), reverse=True)
    items, total = custody.list_events(
        session, actor=admin, filters=EventFilter(event_type="NOPE"), page=page
    )
    assert total == 0
    items, total = custody.list_events(
        session, actor=admin, filters=EventFilter(actor="system:test"), page=PageParams(limit=2)
    )
    assert total == 5 and len(items) == 2


def test_time_range_filter(session: Session, admin: Actor) -> None:
    _record(session, admin, 2)
    first = custody.get_event(session, seq=1)
    items, total = custody.list_events(
        session, actor=admin, filters=EventFilter(until=first.recorded_at), page=PageParams()
    )
    assert total == 0
    items, total = custody.list_events(
        session, actor=admin, filters=EventFilter(since=first.recorded_at), page=PageParams()
    )
    assert total == 2


def test_parse_subject() -> None:
    assert custody.parse_subject("secret:01J") == ("secret", "01J")
    with pytest.raises(custody.BadSubject, match="TYPE:ID"):
        custody.parse_subject("secret")


def test_control_characters_in_subject_are_refused(session: Session, admin: Actor) -> None:
    with pytest.raises(ValueError, match="control characters"):
        custody.record(
            session,
            actor=admin,
            event_type=EventType.SECRET_UPDATED,
            subject_type="test",
            subject_id="a\nb",
        )


def test_a_verification_is_kept_after_its_read_only_unit_of_work(db: Database) -> None:
    auditor = system_actor("auditor")
    with db.unit_of_work(write=False) as session:
        assert custody.last_verification(session) is None
        result = custody.verify(session, actor=auditor)
        custody.record_verification(session, actor=auditor, result=result)
    with db.unit_of_work(write=False) as session:
        kept = custody.last_verification(session)
        assert custody.verify(session, actor=auditor).ok  # the new event links like any other
    assert kept is not None and kept.actor == auditor.ref
    assert kept.event_type == "CHAIN_VERIFIED" and kept.details["ok"] is True
    assert kept.details["checked"] == result.checked


def _root_of(leaves: list[bytes]) -> bytes:
    builder = merkle.RootBuilder()
    builder.add(leaves)
    return builder.root()


def _stored_roots_match_the_events(session: Session) -> bool:
    """Every stored tree size's root equals the root recomputed from the events' own fields."""
    custody.flush(session)
    events = session.scalars(select(CustodyEvent).order_by(CustodyEvent.seq)).all()
    leaves = [merkle.leaf_hash(_encoded(e)) for e in events]
    sizes = range(1, len(leaves) + 1)
    return tree.size(session) == len(leaves) and all(
        tree.root(session, n) == _root_of(leaves[:n]) for n in sizes
    )


@contextmanager
def _tree_reads(db: Database) -> Iterator[list[str]]:
    """The statements that read the stored tree while the block runs."""
    seen: list[str] = []

    def spy(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "FROM custody_tree_node" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", spy)


def test_an_append_after_this_process_own_reads_no_tree_node(db: Database, admin: Actor) -> None:
    """The right edge this process left is reused under the same head: no query of the tree."""
    with db.unit_of_work() as session:
        _record(session, admin, 3, subject="first")
    with _tree_reads(db) as seen:
        for n in (1, 2, 5):
            with db.unit_of_work() as session:
                _record(session, admin, n, subject="next")
    assert seen == []
    with db.unit_of_work(write=False) as session:
        assert _stored_roots_match_the_events(session)


def test_an_append_under_another_head_reads_the_stored_edge(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A head this process did not leave (another process appended; its own append rolled
    back) grows the tree from the stored nodes, and the tree stays that of the events."""
    with db.unit_of_work() as session:
        _record(session, admin, 3, subject="first")
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        _record(session, admin, 2, subject="rolled back")
        custody.flush(session)  # the process now knows a head that never commits
        raise RuntimeError("the request failed after its events were written")
    with _tree_reads(db) as seen, db.unit_of_work() as session:
        _record(session, admin, 2, subject="after the rollback")
    assert len(seen) == 1
    # another process appended: this one knows an older head
    monkeypatch.setattr(custody, "_last_edge", (0, rules.GENESIS_HASH, {}))
    with _tree_reads(db) as seen, db.unit_of_work() as session:
        _record(session, admin, 4, subject="another writer's head")
    assert len(seen) == 1
    with db.unit_of_work(write=False) as session:
        assert _stored_roots_match_the_events(session)
        assert custody.verify(session, actor=admin).ok
