"""Engines and the unit of work. The edge (request, command, job) opens one unit of work and
commits or rolls back; services only add and flush."""

from __future__ import annotations

import logging
import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVarTuple

from sqlalchemy import CompoundSelect, Connection, Engine, Result, Select, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from crownjewels.core.files import private_dir, private_file

AFTER_COMMIT = "crownjewels.after_commit"
AFTER_ROLLBACK = "crownjewels.after_rollback"
DURABLE = "crownjewels.durable"
log = logging.getLogger(__name__)
_OWNER = "crownjewels.unit_of_work"

#: run with a committed unit of work's `session.info`, after its session closed (`on_commit`)
CommitHook = Callable[[dict[str, Any]], None]
#: a write that must outlive the unit of work that asked for it (`durable`)
DurableWrite = Callable[[Session], object]
KEPT = "crownjewels.kept"
#: pg_advisory_xact_lock key of the append lock ("CJCUSTDY" as a 64-bit integer)
APPEND_LOCK_KEY = int.from_bytes(b"CJCUSTDY", "big") - 2**63
_APPEND_LOCKED = "crownjewels.append_locked"
_Row = TypeVarTuple("_Row")


def is_sqlite(url: str) -> bool:
    """True for a SQLite URL."""
    return make_url(url).get_backend_name() == "sqlite"


def normalise_url(url: str) -> str:
    """Use psycopg 3 for a plain postgresql:// URL."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    """An engine; SQLite gets WAL, foreign keys, a busy timeout and BEGIN IMMEDIATE for writes."""
    url = normalise_url(url)
    if not is_sqlite(url):
        if make_url(url).get_driver_name() != "psycopg":  # only psycopg's socket is polled
            kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            event.listen(engine, "checkout", _still_connected)
        return engine
    sqlite_path = make_url(url).database
    if sqlite_path and sqlite_path != ":memory:" and not sqlite_path.startswith("file:"):
        # owner-only from the start: SQLite gives its -wal and -shm files the file's own mode
        private_file(private_dir(Path(sqlite_path).parent) / Path(sqlite_path).name)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's implicit BEGIN is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A write transaction takes SQLite's write lock up front, so two writers queue instead
        # of one failing with "database is locked" after it has already read.
        immediate = conn.get_execution_options().get("crownjewels_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _still_connected(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Pool checkout on PostgreSQL: refuse a pooled connection that the server has ended, so
    that the pool opens a new one (DisconnectionError), without a round trip. An idle pooled
    connection has nothing to read; a server that restarts, crashes or ends the session
    (pg_terminate_backend, idle_session_timeout) sends its last message and closes the socket,
    which makes it readable. SQLAlchemy's pre-ping (a SELECT 1 on every checkout) cost each
    request a round trip and 0.25-0.35 ms of a 4.4 ms access check (benchmarks/authz.py). What
    this does not see, a host gone without closing its sockets, fails that request's first
    statement; SQLAlchemy then invalidates the pool, so the next requests reconnect."""
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the pooled connection is closed")
    pending = select.poll()
    pending.register(dbapi_connection.pgconn.socket, select.POLLIN)
    if pending.poll(0):
        raise DisconnectionError("the server ended the pooled connection")


class Database:
    """An engine plus its session factory; `unit_of_work()` is the only way to get a session."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = create_db_engine(self.url, **engine_kwargs)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        self.on_commit: list[CommitHook] = []

    @classmethod
    def bound_to(cls, connection: Connection) -> Database:
        """A Database whose units of work are savepoints inside an open connection's transaction
        (tests: everything a test does, through services or HTTP, is rolled back at its end)."""
        db = cls.__new__(cls)
        db.url = connection.engine.url.render_as_string(hide_password=False)
        db.engine = connection.engine
        db.sessionmaker = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        db.on_commit = []
        return db

    @property
    def is_sqlite(self) -> bool:
        """True when the database is SQLite."""
        return is_sqlite(self.url)

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        Callbacks registered with `after_commit(session, fn)` run only once the commit succeeded.
        Writes registered with `durable(session, write)` join this unit of work's commit when
        it commits (one transaction, not two: a refused access check that commits records its
        ACCESS_DENIED with it); when it rolls back, raises or fails to commit, they run
        afterwards in a unit of work of their own.
        """
        durable_writes: list[DurableWrite] = []
        committed: dict[str, Any] | None = None
        try:
            with self.sessionmaker() as session:
                session.info[_OWNER] = durable_writes
                if write:
                    session.connection(execution_options={"crownjewels_write": True})
                try:
                    yield session
                    if write:
                        ran = _run_within(session, durable_writes)
                        session.commit()
                        del durable_writes[:ran]  # committed with it: not written again
                    else:
                        session.rollback()
                except BaseException:
                    session.rollback()
                    for cleanup in session.info.pop(AFTER_ROLLBACK, []):
                        cleanup()
                    raise
                session.info.pop(AFTER_ROLLBACK, None)
                for callback in session.info.pop(AFTER_COMMIT, []):
                    callback()
                committed = dict(session.info) if write else None
        finally:
            # after the session is closed: its transaction (and its custody append lock) is over
            self._run_durable(durable_writes)
        if committed is not None:
            self._run_hooks(committed)

    def _run_hooks(self, info: dict[str, Any]) -> None:
        """The process's commit hooks (installed by the edge that owns the process: the mail
        outbox's prompt send); a failing hook is logged, never raised, the write committed."""
        for hook in self.on_commit:
            try:
                hook(info)
            except Exception:
                log.exception("a commit hook failed (the unit of work itself committed)")

    def _run_durable(self, writes: list[DurableWrite]) -> None:
        """Each durable write in a unit of work of its own, in the order they were asked for."""
        while writes:
            write_now = writes.pop(0)
            with self.unit_of_work() as session:
                write_now(session)

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _run_within(session: Session, writes: list[DurableWrite]) -> int:
    """Run the durable writes in the unit of work that is about to commit (a write may ask for
    another); how many ran, to be dropped once the commit succeeded."""
    ran = 0
    while ran < len(writes):
        writes[ran](session)
        ran += 1
    return ran


def read(
    session: Session,
    statement: Select[*_Row] | CompoundSelect[*_Row],
    params: dict[str, Any] | None = None,
) -> Result[*_Row]:
    """Run a read of plain columns (not ORM objects) on the session's own connection, after
    the session's autoflush as `session.execute` would: the same rows, without the ORM's work
    per statement, which costs more than the round trip itself for the small reads an access
    decision makes (about 85 us of 145 on PostgreSQL)."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


def keep(session: Session, row: object) -> None:
    """Hold a loaded row for the rest of the unit of work, so that `session.get` finds it again
    without a query (the identity map holds rows only weakly). Exact, not a cache: it is the
    session's own object, which every write of the unit of work goes through."""
    session.info.setdefault(KEPT, []).append(row)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` once the unit of work committed (notifications, jobs); never on rollback."""
    session.info.setdefault(AFTER_COMMIT, []).append(callback)


def durable(session: Session, write: DurableWrite) -> None:
    """Make `write` outlive the unit of work, whatever the outcome (a refusal raised, a form
    discarded, a read-only request rolled back): it joins the unit of work's commit when that
    commits, else it runs after it in a unit of work of its own. For evidence the request's own
    failure must not erase (ACCESS_DENIED) and bookkeeping a read must keep (a token's last
    use). `write` gets a session (that one, or a new one); it must use only plain values it
    captured, never rows of the first session."""
    writes: list[DurableWrite] | None = session.info.get(_OWNER)
    if writes is None:
        raise RuntimeError("durable() needs a session opened by Database.unit_of_work()")
    writes.append(write)


def after_rollback(session: Session, callback: Callable[[], None]) -> None:
    """Run `callback` if the unit of work rolls back (remove a blob written for it); never on
    commit. A crash skips it: what it would clean must be harmless when left behind."""
    session.info.setdefault(AFTER_ROLLBACK, []).append(callback)


def append_lock(session: Session) -> None:
    """Hold the append lock until the transaction ends: the one lock that serializes appending to
    the custody log and numbering a reference (TS-0001 ...), so two writers never read the same
    head or count the same rows. PostgreSQL: a transaction-scoped advisory lock (taken once per
    transaction); SQLite: a write unit of work already holds the database's write lock from
    BEGIN IMMEDIATE, so there is nothing more to take."""
    if session.info.get(_APPEND_LOCKED) or session.get_bind().dialect.name != "postgresql":
        return
    session.connection().exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (APPEND_LOCK_KEY,))
    session.info[_APPEND_LOCKED] = True


@event.listens_for(Session, "after_transaction_end")
def _append_lock_released(session: Session, transaction: SessionTransaction) -> None:
    # the advisory lock ends with the outermost transaction; a savepoint's end keeps it
    if transaction.parent is None:
        session.info.pop(_APPEND_LOCKED, None)
