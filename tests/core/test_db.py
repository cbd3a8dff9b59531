"""The unit of work and the SQLite pragmas."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from crownjewels.core.db import Database, after_commit, normalise_url


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
