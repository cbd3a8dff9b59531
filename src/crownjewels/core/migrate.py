"""Alembic from code: `crownjewels init`/`upgrade`, the test suite, the "is it current" check."""

from __future__ import annotations

import functools

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.sql.schema import SchemaItem

from crownjewels.core.errors import NotInitialised

#: tables the migrations make that no model declares: the monthly partitions of the activity
#: table on PostgreSQL (activity_event_p2026_12, activity_event_pdefault)
PARTITION_PREFIXES = ("activity_event_p",)


def compared(
    item: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic's `include_object`: what autogenerate compares (not the partitions)."""
    return not (type_ == "table" and reflected and (name or "").startswith(PARTITION_PREFIXES))


def alembic_config(url: str) -> Config:
    """An Alembic config for the migrations shipped inside the package."""
    cfg = Config()
    cfg.set_main_option("script_location", "crownjewels:migrations")
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.set_main_option(
        "file_template", "%%(year)d-%%(month).2d-%%(day).2d_%%(hour).2d%%(minute).2d_%%(slug)s"
    )
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to `revision`."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Undo migrations down to `revision` ("base" for an empty database)."""
    command.downgrade(alembic_config(url), revision)


@functools.cache
def head_revision() -> str | None:
    """The newest migration this code ships (the same for every database). Read once per
    process: finding it loads every migration script (about 0.1 s), and the scripts ship with
    the code, so they cannot change while it runs. Every command asks (`ensure_current`)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_current(engine: Engine, url: str) -> None:
    """Raise NotInitialised, naming the fix, unless the database is at the newest migration."""
    current = current_revision(engine)
    if current is None:
        raise NotInitialised(
            "the database has no Crown Jewels schema; run `crownjewels init` to create it"
        )
    head = head_revision()
    if current != head:
        raise NotInitialised(
            f"the database is at migration {current} but this version needs {head}; "
            "run `crownjewels upgrade`"
        )
