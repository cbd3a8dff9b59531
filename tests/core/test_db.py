"""The unit of work and the SQLite pragmas."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import (
    Database,
    after_commit,
    create_db_engine,
    durable,
    normalise_url,
    read,
)
from crownjewels.parties.models import Person
from tests.conftest import PgServer
from tests.parties.factories import make_org


def test_sqlite_pragmas(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.unit_of_work(write=False) as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_after_commit_runs_only_after_commit(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    ran: list[str] = []
    with db.unit_of_work() as session:
        after_commit(session, lambda: ran.append("ok"))
        assert ran == []
    assert ran == ["ok"]
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        after_commit(session, lambda: ran.append("never"))
        raise RuntimeError
    assert ran == ["ok"]
    db.dispose()


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_a_durable_write_outlives_every_outcome_in_its_own_unit_of_work(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE kept (what TEXT)"))

    def keep(what: str) -> Callable[[Session], object]:
        return lambda own: own.execute(text("INSERT INTO kept VALUES (:w)"), {"w": what})

    with db.unit_of_work() as session:
        durable(session, keep("committed"))
        session.execute(text("INSERT INTO kept VALUES ('request')"))
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        durable(session, keep("raised"))
        session.execute(text("INSERT INTO kept VALUES ('rolled back')"))
        raise RuntimeError
    with db.unit_of_work(write=False) as session:
        durable(session, keep("read-only"))
    with db.unit_of_work() as session:
        durable(session, keep("discarded"))
        session.rollback()  # a page discarding a refused form
    with db.unit_of_work(write=False) as session:
        kept = session.execute(text("SELECT what FROM kept")).scalars().all()
    assert kept == ["request", "committed", "raised", "read-only", "discarded"]
    db.dispose()


def test_a_durable_write_joins_the_commit_and_survives_a_failed_one(tmp_path: Path) -> None:
    """A unit of work that commits carries its durable writes in the same commit (one
    transaction, not two); when that commit fails, they are written on their own after it."""
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE kept (what TEXT)"))
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda conn: commits.append(1))

    def keep(what: str) -> Callable[[Session], object]:
        return lambda own: own.execute(text("INSERT INTO kept VALUES (:w)"), {"w": what})

    with db.unit_of_work() as session:
        durable(session, keep("with the request"))
        session.execute(text("INSERT INTO kept VALUES ('request')"))
    assert len(commits) == 1

    refuse = [True]

    def failing_commit(s: Session) -> None:
        if refuse:
            refuse.clear()
            raise RuntimeError("the commit failed")

    with pytest.raises(RuntimeError, match="commit failed"), db.unit_of_work() as session:
        event.listen(session, "before_commit", failing_commit)
        durable(session, keep("after a failed commit"))
        session.execute(text("INSERT INTO kept VALUES ('lost with its commit')"))
    with db.unit_of_work(write=False) as session:
        kept = session.execute(text("SELECT what FROM kept")).scalars().all()
    assert kept == ["request", "with the request", "after a failed commit"]
    db.dispose()


def test_a_durable_write_needs_a_unit_of_work(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.sessionmaker() as session, pytest.raises(RuntimeError, match="unit_of_work"):
        durable(session, lambda own: None)
    db.dispose()


def test_a_read_sees_the_unit_of_works_own_pending_changes(db: Database, admin: Actor) -> None:
    """`read` runs on the connection but flushes first, as `session.execute` would; inside
    no_autoflush it does not (the same as the ORM)."""
    people = select(Person.full_name).where(Person.full_name.like("Reader %"))
    with db.unit_of_work() as session:
        org = make_org(session, admin)
        session.add(Person(organisation_id=org.id, full_name="Reader One", email="r1@example.org",
                           kind="employee", country="GB"))  # fmt: skip
        assert read(session, people).scalars().all() == ["Reader One"]
        with session.no_autoflush:
            session.add(Person(organisation_id=org.id, full_name="Reader Two",
                               email="r2@example.org", kind="employee", country="GB"))  # fmt: skip
            assert read(session, people).scalars().all() == ["Reader One"]
        assert sorted(read(session, people).scalars()) == ["Reader One", "Reader Two"]


@pytest.mark.postgres
def test_a_pooled_connection_the_server_ended_is_replaced_at_checkout(
    pg_server: PgServer,
) -> None:
    """No pre-ping round trip: the checkout sees that the server closed the socket (here
    pg_terminate_backend; a restart does the same) and the pool opens a new connection, so the
    request after it does not fail."""
    engine = create_db_engine(pg_server.base.render_as_string(hide_password=False))
    try:
        with engine.connect() as conn:
            first = conn.scalar(text("SELECT pg_backend_pid()"))
        with pg_server.admin.connect() as admin_conn:
            assert admin_conn.scalar(text("SELECT pg_terminate_backend(:p)"), {"p": first})
            for _ in range(200):  # the backend exits and closes its socket shortly after
                gone = not admin_conn.scalar(
                    text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": first}
                )
                if gone:
                    break
                time.sleep(0.01)
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT pg_backend_pid()")) != first
    finally:
        engine.dispose()
