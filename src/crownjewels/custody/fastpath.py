"""The fast path of custody verification: the whole chain proven intact batch by batch, or a
shrug (None) that sends verify() to the row-by-row check, which names the first broken event.

The database concatenates each event's canonical encoding (the nine lines of rules.encode) and
aggregates a batch of events into one value, with the events separated by \\x1e (a control
character no field of a valid event can hold), in seq order (PostgreSQL aggregates in scan order
unless told: ORDER BY seq); Python only splits, hashes and compares whole batches with C-level
operations. It accepts only what the row-by-row check accepts: the batch holds exactly the
expected sequence numbers, in order; integers are stored as integers (SQLite would print a REAL
differently from Python); the pieces split into exactly one per event; the stored hashes, joined
by ",", equal the recomputed ones joined by "," (so they match one by one); and the prev_hash of
each event is the stored hash before it. (One documented difference: on SQLite a BLOB or NULL
stored in a text column is hashed as the engine prints it, where the row-by-row path would fail
with a TypeError.)

Building the encodings costs the engine more CPU than hashing them costs Python, so the batches
are built in threads of their own (SQLite's step and the wait for the PostgreSQL server run
without the GIL) while the caller hashes them in seq order. On PostgreSQL two connections build
at once, the extra one in the caller's snapshot (pg_export_snapshot); a caller with uncommitted
writes of its own (which no other connection sees) reads alone. SQLite always reads with the
caller's connection alone: two connections in one process contend inside the library (a second
one made the batches cost 60 % more CPU, in the kernel and in 40,000 context switches per
million events, and the verification took 40 % longer).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import struct
import threading
from collections.abc import Callable, Generator, Iterator
from operator import methodcaller
from typing import Any

from psycopg import IsolationLevel, sql
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from crownjewels.custody import merkle, rules
from crownjewels.custody.schemas import VerifyResult

#: events per batch (about 300 KB of encodings): batches of 5,000 (megabyte aggregates) cost the
#: PostgreSQL server about 0.35 s more CPU per million events and SQLite 0.15-0.3 s more in the
#: kernel (benchmarks/custody_append.py, docs/custody.md)
_FAST_BATCH = 1_000
#: PostgreSQL connections building batches at once: one per core (two at most: the caller hashes)
_READERS = max(1, min(2, os.cpu_count() or 1))
_SEP = b"\x1e"
_LINES = "crownjewels-custody-v1\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s"
_SQLITE_BATCH = (
    "SELECT CAST(group_concat(printf('" + _LINES + "', seq, at_us, actor, event_type, "
    # the separator as a literal: char(30) was called again for every row
    "subject_type, subject_id, prev_hash, details), '\x1e') AS BLOB), "
    "group_concat(hash, ','), group_concat(prev_hash, ','), count(*), "
    # one aggregate for both row checks (three took a tenth of the query's time)
    "count(*) FILTER (WHERE seq - rowid = ? AND typeof(at_us) = 'integer') "
    "FROM custody_event WHERE rowid BETWEEN ? AND ?"
)
_PG_BATCH = (
    "SELECT string_agg('crownjewels-custody-v1' || E'\\n' || seq::text || E'\\n' || at_us::text "
    "|| E'\\n' || actor || E'\\n' || event_type || E'\\n' || subject_type || E'\\n' "
    "|| subject_id || E'\\n' || prev_hash || E'\\n' || details, E'\\x1e'), "
    "string_agg(hash, ','), string_agg(prev_hash, ','), string_agg(int8send(seq), ''), count(*) "
    "FROM (SELECT * FROM custody_event WHERE seq BETWEEN %s AND %s ORDER BY seq) AS e"
)
_Batch = tuple[bytes, str, str, int]
_Batches = Generator[_Batch | None, None, None]
_Range = tuple[int, int]
_Fetch = Callable[[Any, int, int], "_Batch | None"]


# --- the batches of each engine ---------------------------------------------------------------


def _sqlite_plan(cursor: Any) -> tuple[list[_Range], _Fetch] | None:
    """Batches by rowid range; None when rowids and seqs do not run in step from 1. Two index
    lookups, no count: each batch counts its own range, so together they prove every rowid
    between the smallest and the largest present."""
    low, high = cursor.execute("SELECT min(rowid), max(rowid) FROM custody_event").fetchone()
    if low is None:
        return [], _sqlite_batch
    offset = 1 - low  # seq = rowid + offset for every event of an intact chain

    def fetch(cur: Any, first: int, last: int) -> _Batch | None:
        return _sqlite_batch(cur, first, last, offset)

    return _ranges(low, high), fetch


def _sqlite_batch(cursor: Any, first: int, last: int, offset: int = 0) -> _Batch | None:
    blob, hashes, prevs, count, in_step = cursor.execute(
        _SQLITE_BATCH, (offset, first, last)
    ).fetchone()
    if count != last - first + 1 or in_step != count:
        return None
    return blob, hashes, prevs, count


class _TextAsBytes(Loader):
    """PostgreSQL text in binary format is its UTF-8 bytes: kept as they are, not decoded."""

    format = Format.BINARY

    def load(self, data: Buffer) -> bytes:
        return bytes(data)


def _pg_plan(cursor: Any) -> tuple[list[_Range], _Fetch] | None:
    """Batches by seq range; None when seqs are not exactly 1..N (each batch counts its range)."""
    low, high = cursor.execute("SELECT min(seq), max(seq) FROM custody_event").fetchone()
    if low is None:
        return [], _pg_batch
    if low != 1:
        return None
    return _ranges(1, high), _pg_batch


def _pg_batch(cursor: Any, first: int, last: int) -> _Batch | None:
    """One batch. Its rows come from a subquery sorted by seq (cheaper than sorting inside each
    aggregate, which PostgreSQL < 16 always does); the seqs aggregated beside them prove the
    order. They come as 8-byte big-endian integers (int8send): packing the expected ones is a
    single C call, where formatting them as decimal text held the GIL for 0.07 s per million
    events, time the hashing thread waited for."""
    blob, hashes, prevs, seqs, count = cursor.execute(_PG_BATCH, (first, last)).fetchone()
    in_order = struct.pack(f">{last - first + 1}q", *range(first, last + 1))
    if count != last - first + 1 or seqs != in_order or None in (blob, hashes, prevs):
        return None
    return blob, hashes.decode(), prevs.decode(), count


def _ranges(low: int, high: int) -> list[_Range]:
    return [
        (first, min(first + _FAST_BATCH - 1, high)) for first in range(low, high + 1, _FAST_BATCH)
    ]


def _cursor(dbapi: Any, postgres: bool) -> Any:
    if postgres:
        cursor = dbapi.cursor(binary=True)
        cursor.adapters.register_loader("text", _TextAsBytes)
        return cursor
    return dbapi.cursor()


# --- more connections reading what the caller's transaction sees -------------------------------


def _pg_readers(connection: Connection, stack: contextlib.ExitStack, more: int) -> list[Any]:
    """Connections in the caller's snapshot, or none when the caller wrote something (its own
    uncommitted writes are invisible to them)."""
    wrote, snapshot = connection.exec_driver_sql(
        "SELECT pg_current_xact_id_if_assigned() IS NOT NULL, "
        "CASE WHEN pg_current_xact_id_if_assigned() IS NULL THEN pg_export_snapshot() END"
    ).one()
    if wrote:
        return []
    readers = []
    for _ in range(more):
        # a connection of its own, outside the pool: a busy pool never makes verify wait, and
        # the settings below leave with it
        cargs, cparams = connection.dialect.create_connect_args(connection.engine.url)
        dbapi: Any = connection.dialect.connect(*cargs, **cparams)
        stack.callback(dbapi.close)
        dbapi.isolation_level = IsolationLevel.REPEATABLE_READ
        dbapi.read_only = True
        dbapi.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
        readers.append(dbapi)
    return readers


# --- threads fetching ahead ---------------------------------------------------------------------


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_DONE = object()


def _prefetched(*readers: _Batches) -> _Batches:
    """The batches of the readers taken in turn (reader j holds batches j, j + k, j + 2k ...),
    each reader fetching in a worker thread of its own while the caller hashes: SQLite's step and
    the wait for PostgreSQL run without the GIL, so the engines build the next batches while
    Python hashes this one. The first reader to end ends the whole. Closing it stops the workers
    and waits for them, so the connections are free again when the caller goes on (to the slow
    path, say)."""
    stop = threading.Event()
    lanes: list[queue.Queue[Any]] = [queue.Queue(maxsize=1) for _ in readers]

    def fetch(batches: _Batches, ahead: queue.Queue[Any]) -> None:
        try:
            for batch in batches:
                if stop.is_set():
                    break
                ahead.put(batch)
        except BaseException as exc:  # raised again in the caller's thread
            ahead.put(_Failed(exc))
        finally:
            batches.close()
            ahead.put(_DONE)

    workers = [
        threading.Thread(target=fetch, args=(r, lane), name="custody-verify-fetch", daemon=True)
        for r, lane in zip(readers, lanes, strict=True)
    ]
    for worker in workers:
        worker.start()
    try:
        while True:
            for lane in lanes:
                item = lane.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                yield item
    finally:
        stop.set()
        for worker, lane in zip(workers, lanes, strict=True):
            while worker.is_alive():  # drain, so that a put of the worker never blocks
                with contextlib.suppress(queue.Empty):
                    lane.get(timeout=0.05)
            worker.join()


def _lane(cursor: Any, fetch: _Fetch, ranges: list[_Range]) -> _Batches:
    """One reader's batches, in order; ends after the first that fails its checks (None)."""
    try:
        for first, last in ranges:
            batch = fetch(cursor, first, last)
            yield batch
            if batch is None:
                return
    finally:
        cursor.close()


# --- the check ----------------------------------------------------------------------------------


def verify(
    session: Session, tree: merkle.RootBuilder | None = None, leaves: int = 0
) -> VerifyResult | None:
    """The whole chain proven intact batch by batch, or None (anything unusual: slow path)."""
    connection = session.connection()
    name = connection.dialect.name
    if name not in ("sqlite", "postgresql"):
        return None
    postgres = name == "postgresql"
    errors = connection.dialect.loaded_dbapi.Error
    cursor = _cursor(connection.connection.dbapi_connection, postgres)
    with contextlib.ExitStack() as stack:
        stack.callback(cursor.close)
        plan = (_pg_plan if postgres else _sqlite_plan)(cursor)
        if plan is None:
            return None
        ranges, fetch = plan
        cursors = [cursor, *_more_cursors(connection, stack, postgres, len(ranges))]
        # A batch can fail (say a value over the engine's size limit): then the slow path runs,
        # from a savepoint on PostgreSQL, where an error would otherwise abort the transaction.
        if postgres:
            connection.exec_driver_sql("SAVEPOINT crownjewels_verify")
        try:
            k = len(cursors)
            batches = _prefetched(*(_lane(c, fetch, ranges[j::k]) for j, c in enumerate(cursors)))
            try:
                result = check_batches(batches, tree, leaves)
            finally:
                batches.close()
        except errors:
            result = None
            if postgres:
                connection.exec_driver_sql("ROLLBACK TO SAVEPOINT crownjewels_verify")
        if postgres:
            connection.exec_driver_sql("RELEASE SAVEPOINT crownjewels_verify")
    return result


def _more_cursors(
    connection: Connection, stack: contextlib.ExitStack, postgres: bool, batches: int
) -> list[Any]:
    """Cursors of the extra PostgreSQL connections, when the log is long enough to share out
    (none inside a savepoint: PostgreSQL exports no snapshot from a subtransaction; none on
    SQLite, see the module docstring)."""
    if not postgres or _READERS < 2 or batches < 2 * _READERS or connection.in_nested_transaction():
        return []
    try:
        readers = _pg_readers(connection, stack, _READERS - 1)
    except connection.dialect.loaded_dbapi.Error:
        return []
    return [_cursor(reader, postgres) for reader in readers]


def check_batches(
    batches: Iterator[_Batch | None], tree: merkle.RootBuilder | None = None, leaves: int = 0
) -> VerifyResult | None:
    """The chain proven intact batch by batch (None: ask the slow path); the first `leaves`
    events are also fed to `tree`, to recompute a checkpoint's root from the events."""
    sha, hexdigest = hashlib.sha256, methodcaller("hexdigest")
    checked, head = 0, rules.GENESIS_HASH
    for batch in batches:
        if batch is None:
            return None
        blob, hashes, prevs, count = batch
        pieces = blob.split(_SEP)
        if (
            len(pieces) != count
            or ",".join(map(hexdigest, map(sha, pieces))) != hashes
            or prevs != (head + "," + hashes)[:-65]
        ):
            return None
        if tree is not None and tree.size < leaves:
            tree.add(merkle.leaf_hashes(pieces[: leaves - tree.size]))
        checked += count
        head = hashes[-64:]
    return VerifyResult(ok=True, checked=checked, head_seq=checked, head_hash=head)
