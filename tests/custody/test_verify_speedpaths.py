"""The fast paths of the custody log keep its meaning: the batched verification accepts only
intact chains and leaves the naming of the first broken event to the row-by-row check; the fast
canonical JSON of record() is byte for byte RFC 8785."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.custody import fastpath, repository, rules
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType, VerifyResult
from tests.conftest import ENGINES, fresh_migrated_url
from tests.custody.helpers import drop_triggers

EVENTS = 7


def _record(db: Database, admin: Actor, n: int = EVENTS) -> None:
    with db.unit_of_work() as session:
        for i in range(n):
            custody.record(
                session,
                actor=admin,
                event_type=EventType.SECRET_UPDATED,
                subject_type="test",
                subject_id=f"s{i % 3}",
                details={"i": i, "note": 'é\n"x"', "nested": {"b": [1, None, True], "a": ""}},
            )


def _slow(db: Database) -> VerifyResult:
    with db.unit_of_work(write=False) as session:
        rows = repository.chain_rows(session, batch=3)
        try:
            return custody.verify_rows(rows)
        finally:
            rows.close()


def _fast(db: Database) -> VerifyResult | None:
    with db.unit_of_work(write=False) as session:
        return fastpath.verify(session)


def _verify(db: Database, admin: Actor) -> VerifyResult:
    with db.unit_of_work(write=False) as session:
        return custody.verify(session, actor=admin)


@pytest.fixture(params=[20_000, 2, 3], ids=["one-batch", "batches-of-2", "batches-of-3"])
def batch(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run each test with one batch and with batch boundaries falling everywhere."""
    size: int = request.param
    monkeypatch.setattr(fastpath, "_FAST_BATCH", size)
    return size


def test_fast_path_proves_an_intact_chain(db: Database, admin: Actor, batch: int) -> None:
    _record(db, admin)
    fast = _fast(db)
    assert fast is not None and fast.ok
    assert fast == _slow(db) == _verify(db, admin)
    assert fast.checked == fast.head_seq == EVENTS


def test_empty_chain(db: Database, admin: Actor) -> None:
    assert _fast(db) == _slow(db) == _verify(db, admin)
    assert _verify(db, admin).head_hash == rules.GENESIS_HASH


def test_intact_chain_never_reaches_the_slow_path(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(db, admin)

    def refuse(*_args: Any, **_kwargs: Any) -> VerifyResult:
        raise AssertionError("the slow path ran on an intact chain")

    monkeypatch.setattr(custody, "verify_rows", refuse)
    assert _verify(db, admin).ok


def _tampered(connection: Connection, db: Database, admin: Actor, *statements: str) -> None:
    _record(db, admin)
    drop_triggers(connection)
    for statement in statements:
        connection.exec_driver_sql(statement)


def _expect(db: Database, admin: Actor, broken: int, word: str) -> None:
    assert _fast(db) is None, "the fast path accepted a tampered chain"
    result = _verify(db, admin)
    assert result == _slow(db)
    assert not result.ok and result.first_broken_seq == broken
    assert word in (result.problem or "")


def test_edited_event(connection: Connection, db: Database, admin: Actor, batch: int) -> None:
    _tampered(
        connection, db, admin, "UPDATE custody_event SET details = '{\"i\":99}' WHERE seq = 3"
    )
    _expect(db, admin, 3, "altered")


@pytest.mark.parametrize("seq", [1, 2, 4, EVENTS])
def test_every_field_is_covered(
    connection: Connection, db: Database, admin: Actor, batch: int, seq: int
) -> None:
    _record(db, admin)
    drop_triggers(connection)
    for column, value in [
        ("actor", "'user:other'"),
        ("event_type", "'SECRET_REVIEWED'"),
        ("subject_type", "'other'"),
        ("subject_id", "'other'"),
        ("at_us", "at_us + 1"),
    ]:
        nested = connection.begin_nested()
        connection.execute(text(f"UPDATE custody_event SET {column} = {value} WHERE seq = {seq}"))
        _expect(db, admin, seq, "altered")
        nested.rollback()


def test_edited_event_with_recomputed_hash(
    connection: Connection, db: Database, admin: Actor, batch: int
) -> None:
    _record(db, admin)
    drop_triggers(connection)
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
    _expect(db, admin, 3, "link")


def test_stored_hash_edited(connection: Connection, db: Database, admin: Actor, batch: int) -> None:
    _tampered(connection, db, admin, f"UPDATE custody_event SET hash = '{'a' * 64}' WHERE seq = 5")
    _expect(db, admin, 5, "altered")


def test_stored_hash_split_differently(
    connection: Connection, db: Database, admin: Actor, batch: int
) -> None:
    # Moving one character from a hash to the next keeps their concatenation: still refused.
    if connection.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's varchar(64) already refuses a 65-character hash")
    _tampered(
        connection,
        db,
        admin,
        "UPDATE custody_event SET hash = hash || 'x' WHERE seq = 3",
        "UPDATE custody_event SET hash = substr(hash, 1, 63) WHERE seq = 4",
    )
    _expect(db, admin, 3, "altered")


def test_prev_hash_edited(connection: Connection, db: Database, admin: Actor, batch: int) -> None:
    _tampered(
        connection, db, admin, f"UPDATE custody_event SET prev_hash = '{'b' * 64}' WHERE seq = 4"
    )
    _expect(db, admin, 4, "link")


@pytest.mark.parametrize("seq", [1, 3, 4])
def test_deleted_event(
    connection: Connection, db: Database, admin: Actor, batch: int, seq: int
) -> None:
    _tampered(connection, db, admin, f"DELETE FROM custody_event WHERE seq = {seq}")
    _expect(db, admin, seq, "missing")


def test_reordered_events(connection: Connection, db: Database, admin: Actor, batch: int) -> None:
    _tampered(
        connection,
        db,
        admin,
        "UPDATE custody_event SET seq = -2 WHERE seq = 2",
        "UPDATE custody_event SET seq = 2 WHERE seq = 3",
        "UPDATE custody_event SET seq = 3 WHERE seq = -2",
    )
    _expect(db, admin, 2, "link")


def test_renumbered_event(connection: Connection, db: Database, admin: Actor, batch: int) -> None:
    _tampered(connection, db, admin, "UPDATE custody_event SET seq = 0 WHERE seq = 1")
    result = _verify(db, admin)
    assert _fast(db) is None
    assert result == _slow(db) and not result.ok and result.first_broken_seq == 0


def test_separator_inside_a_field(
    connection: Connection, db: Database, admin: Actor, batch: int
) -> None:
    separator = "char(30)" if connection.dialect.name == "sqlite" else "chr(30)"
    _tampered(
        connection,
        db,
        admin,
        f"UPDATE custody_event SET details = '{{}}' || {separator} WHERE seq = 2",
    )
    _expect(db, admin, 2, "altered")


def test_physical_order_differs_from_seq(
    connection: Connection, db: Database, admin: Actor, batch: int
) -> None:
    # Deleting an event and inserting it back unchanged moves it to the end of the table
    # (rowid on SQLite, heap on PostgreSQL): the chain is intact and must still verify.
    _tampered(
        connection,
        db,
        admin,
        "CREATE TEMPORARY TABLE moved AS SELECT * FROM custody_event WHERE seq = 3",
        "DELETE FROM custody_event WHERE seq = 3",
        "INSERT INTO custody_event SELECT * FROM moved",
    )
    result = _verify(db, admin)
    assert result.ok and result.checked == EVENTS
    assert result == _slow(db)


def test_a_postgresql_batch_proves_its_order(db: Database, admin: Actor) -> None:
    # The aggregates follow the sorted subquery; the seqs aggregated beside them (8-byte
    # integers) prove it, so a batch aggregated in any other order is refused.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL relies on the order of a subquery")
    _record(db, admin)
    with db.unit_of_work(write=False) as session:
        raw = session.connection().connection.dbapi_connection
        cursor = fastpath._cursor(raw, postgres=True)
        batch = fastpath._pg_batch(cursor, 1, EVENTS)
        assert batch is not None and batch[3] == EVENTS
        reversed_batch = fastpath._PG_BATCH.replace("ORDER BY seq", "ORDER BY seq DESC")
        assert reversed_batch != fastpath._PG_BATCH
        blob, *_ = cursor.execute(reversed_batch, (1, EVENTS)).fetchone()
        assert blob is not None  # the query itself runs: only the order check refuses it
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(fastpath, "_PG_BATCH", reversed_batch)
            assert fastpath._pg_batch(cursor, 1, EVENTS) is None
        cursor.close()


def test_real_timestamp_on_sqlite(connection: Connection, db: Database, admin: Actor) -> None:
    if connection.dialect.name != "sqlite":
        pytest.skip("only SQLite stores a REAL in an integer column")
    _tampered(connection, db, admin, "UPDATE custody_event SET at_us = at_us + 0.5 WHERE seq = 2")
    _expect(db, admin, 2, "altered")


def test_a_failing_batch_query_falls_back(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(db, admin)
    monkeypatch.setattr(fastpath, "_SQLITE_BATCH", "SELECT no_such_column FROM custody_event")
    monkeypatch.setattr(fastpath, "_PG_BATCH", "SELECT no_such_column FROM custody_event")
    result = _verify(db, admin)
    assert result.ok and result.checked == EVENTS
    with db.unit_of_work() as session:  # the transaction is still usable afterwards
        _ = session.execute(text("SELECT count(*) FROM custody_event")).scalar()


# Header fields as record() admits them (no control character); details as any text either
# engine stores (no NUL, which PostgreSQL refuses, and no \x1e, test_separator_inside_a_field).
_header = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)
_details = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00\x1e"))
_event = st.tuples(st.integers(-(2**63), 2**63 - 1), _header, _header, _header, _header, _details)


def _insert_chain(connection: Connection, events: list[tuple[Any, ...]]) -> list[bytes]:
    """The events stored as an intact chain from genesis; their rules.encode bytes."""
    prev, encodings = rules.GENESIS_HASH, []
    for seq, (at_us, actor, etype, stype, sid, details) in enumerate(events, start=1):
        encoded = rules.encode(
            seq=seq,
            at_us=at_us,
            actor=actor,
            event_type=etype,
            subject_type=stype,
            subject_id=sid,
            prev_hash=prev,
            details_json=details,
        )
        digest = rules.event_hash(encoded)
        connection.execute(
            text(
                "INSERT INTO custody_event (seq, at_us, actor, event_type, subject_type, "
                "subject_id, details, prev_hash, hash) "
                "VALUES (:q, :t, :a, :e, :st, :si, :d, :p, :h)"
            ),
            {"q": seq, "t": at_us, "a": actor, "e": etype, "st": stype, "si": sid}
            | {"d": details, "p": prev, "h": digest},
        )
        encodings.append(encoded)
        prev = digest
    return encodings


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(events=st.lists(_event, min_size=1, max_size=6), size=st.integers(1, 4))
def test_engine_builds_the_bytes_of_rules_encode(
    connection: Connection, monkeypatch: pytest.MonkeyPatch, events: list[Any], size: int
) -> None:
    # Unicode, quotes, backslashes, newlines, empty fields and 64-bit integers: the SQL-built
    # encoding of every event equals rules.encode byte for byte, whatever the batch size.
    monkeypatch.setattr(fastpath, "_FAST_BATCH", size)
    postgres = connection.dialect.name == "postgresql"
    nested = connection.begin_nested()
    try:
        expected = _insert_chain(connection, events)
        cursor = fastpath._cursor(connection.connection.dbapi_connection, postgres)
        plan = (fastpath._pg_plan if postgres else fastpath._sqlite_plan)(cursor)
        assert plan is not None
        ranges, fetch = plan
        batches = [fetch(cursor, first, last) for first, last in ranges]
        built = [piece for b in batches if b is not None for piece in b[0].split(fastpath._SEP)]
        assert built == expected
        result = fastpath.check_batches(iter(batches))
        assert result is not None and result.ok and result.checked == len(events)
        cursor.close()
    finally:
        nested.rollback()


def test_record_then_verify_in_one_transaction(session: Session, admin: Actor) -> None:
    for i in range(5):
        custody.record(
            session,
            actor=admin,
            event_type=EventType.SECRET_UPDATED,
            subject_type="test",
            subject_id="x",
            details={"i": i},
        )
    result = custody.verify(session, actor=admin)
    assert result.ok and result.checked == 5


# --- record(): the fast canonical JSON equals RFC 8785 ---------------------------------------

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x2FFFF))
)
_json = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def _outcome(fn: Any, details: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(details)
    except Exception as exc:
        return "error", type(exc)


def _reference(details: Any) -> tuple[str, Any]:
    return _outcome(lambda d: rules.canonical_details(custody.jsonable(d)), details)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.text(max_size=6), _json, max_size=5))
def test_fast_canonical_json_is_rfc8785(details: dict[str, Any]) -> None:
    assert _outcome(custody._details_json, details) == _reference(details)


@pytest.mark.parametrize(
    "details",
    [
        {"k": "\ud800"},  # lone surrogate
        {"\U0001f600": 1, "\uffff": 2},  # UTF-16 order differs from code point order
        {"big": 2**53},  # beyond a double's integers
        {"t": (1, 2)},  # tuples become lists
        {1: "x"},  # non-string keys become strings
        {"f": 1.0},
        {"e": EventType.SECRET_UPDATED},
    ],
)
def test_unusual_details_take_the_reference_path(details: dict[Any, Any]) -> None:
    assert not custody._plain(details)
    assert _outcome(custody._details_json, details) == _reference(details)


def test_plain_details_are_recognised() -> None:
    details = {"a": [1, "é", None, True, {"b": -(2**53 - 1)}], "z": "\n\x00\x7f\u2028"}
    assert custody._plain(details)
    assert ("ok", custody._details_json(details)) == _reference(details)
    assert custody._details_json(None) == custody._details_json({}) == "{}"


# --- the prefetching worker ------------------------------------------------------------------


def _counting(n: int, closed: list[bool], fail_at: int | None = None) -> Any:
    try:
        for i in range(n):
            if i == fail_at:
                raise RuntimeError("batch query failed")
            yield (b"x", str(i), "", 1)
    finally:
        closed.append(True)


def test_prefetched_keeps_the_order_and_the_end() -> None:
    closed: list[bool] = []
    got = [batch[1] for batch in fastpath._prefetched(_counting(50, closed)) if batch]
    assert got == [str(i) for i in range(50)] and closed == [True]


def test_prefetched_raises_the_workers_error_in_the_caller() -> None:
    closed: list[bool] = []
    batches = fastpath._prefetched(_counting(50, closed, fail_at=3))
    with pytest.raises(RuntimeError, match="batch query failed"):
        list(batches)
    assert closed == [True]


def test_closing_prefetched_stops_the_worker_before_returning() -> None:
    closed: list[bool] = []
    batches = fastpath._prefetched(_counting(10_000, closed))
    assert next(batches) is not None
    batches.close()
    assert closed == [True]  # the connection is free: the worker closed its cursor and ended
    assert not [t for t in threading.enumerate() if t.name == "custody-verify-fetch"]


# --- several connections reading one committed log -------------------------------------------


@pytest.fixture(params=ENGINES)
def committed(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Database]:
    """A database of its own whose events are committed (other connections see them), read in
    batches of 2 (by two connections on PostgreSQL)."""
    url = fresh_migrated_url(request.param, tmp_path, request)
    monkeypatch.setattr(fastpath, "_FAST_BATCH", 2)
    monkeypatch.setattr(fastpath, "_READERS", 2)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many extra connections each fast verification opened."""
    opened: list[int] = []
    more_cursors = fastpath._more_cursors

    def counting(*args: Any) -> list[Any]:
        got = more_cursors(*args)
        opened.append(len(got))
        return got

    monkeypatch.setattr(fastpath, "_more_cursors", counting)
    return opened


def _one_connection_on_sqlite(database: Database) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite reads with the caller's connection alone")


def test_two_connections_prove_a_committed_chain(
    committed: Database, admin: Actor, readers: list[int]
) -> None:
    _one_connection_on_sqlite(committed)
    _record(committed, admin, 11)
    fast = _fast(committed)
    assert readers == [1], "the second connection did not read"
    assert fast is not None and fast.ok and fast.checked == fast.head_seq >= 11
    assert fast == _slow(committed) == _verify(committed, admin)


@pytest.mark.parametrize("seq", [3, 4, 6])  # batches 2, 2 and 3: read by the second connection
def test_a_batch_of_the_second_connection_fails_the_chain(
    committed: Database, admin: Actor, readers: list[int], seq: int
) -> None:
    _one_connection_on_sqlite(committed)
    _record(committed, admin, 11)
    with committed.engine.begin() as connection:
        drop_triggers(connection)
        connection.execute(text(f"UPDATE custody_event SET actor = 'user:x' WHERE seq = {seq}"))
    _expect(committed, admin, seq, "altered")
    assert readers and readers[0] == 1


def test_sqlite_reads_with_the_callers_connection_alone(
    committed: Database, admin: Actor, readers: list[int]
) -> None:
    # a second SQLite connection in the process made verification slower (module docstring)
    if committed.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL reads with two connections")
    _record(committed, admin, 11)
    fast = _fast(committed)
    assert readers == [0]
    assert fast is not None and fast.ok and fast.checked == fast.head_seq >= 11
    assert fast == _slow(committed) == _verify(committed, admin)


def test_a_caller_with_uncommitted_events_reads_alone(
    committed: Database, admin: Actor, readers: list[int]
) -> None:
    _record(committed, admin, 6)
    with committed.unit_of_work() as session:
        for i in range(5):
            custody.record(
                session,
                actor=admin,
                event_type=EventType.SECRET_UPDATED,
                subject_type="test",
                subject_id="uncommitted",
                details={"i": i},
            )
        result = custody.verify(session, actor=admin)
        count = session.execute(text("SELECT count(*) FROM custody_event")).scalar()
    assert readers == [0]  # other connections would not see the five new events
    assert result.ok and result.checked == count
