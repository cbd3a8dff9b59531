"""Migrations are the only schema source: they match the models, go down and up again, and
the app refuses a database that is empty or behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from crownjewels.core import migrate
from crownjewels.core.db import create_db_engine
from crownjewels.core.errors import NotInitialised
from crownjewels.registry import METADATA
from tests.conftest import ENGINES, fresh_database_url


@pytest.fixture(params=ENGINES)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database_url(request.param, tmp_path, request)


# SQLAlchemy cannot reflect SQLite's expression indexes (ix_person_email_lower): it skips them
# with this warning, and alembic then leaves them out of the comparison on SQLite alone
@pytest.mark.filterwarnings(
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning",
    "ignore:autogenerate skipping metadata-specified expression-based index:UserWarning",
)
def test_models_and_migrations_agree(migrated_url: str) -> None:
    engine = create_db_engine(migrated_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, METADATA)
    engine.dispose()
    assert diff == [], f"autogenerate found differences; add a migration: {diff}"


def test_downgrade_to_base_and_up_again(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    migrate.downgrade(empty_url, "base")
    engine = create_db_engine(empty_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(empty_url)
    assert "custody_event" in inspect(engine).get_table_names()
    engine.dispose()


def test_empty_database_is_refused_with_the_fix(empty_url: str) -> None:
    engine = create_db_engine(empty_url)
    with pytest.raises(NotInitialised, match="crownjewels init"):
        migrate.ensure_current(engine, empty_url)
    engine.dispose()


def test_older_database_is_refused_with_the_fix(
    empty_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(empty_url)
    engine = create_db_engine(empty_url)
    monkeypatch.setattr(migrate, "head_revision", lambda url: "9999")
    with pytest.raises(NotInitialised, match="crownjewels upgrade"):
        migrate.ensure_current(engine, empty_url)
    engine.dispose()


def test_migration_files_follow_the_naming_rule() -> None:
    folder = Path(migrate.__file__).parent.parent / "migrations" / "versions"
    names = sorted(p.name for p in folder.glob("*.py"))
    assert names, "no migrations found"
    for name in names:
        assert name[:16].replace("-", "").replace("_", "").isdigit(), name
