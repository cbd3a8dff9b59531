"""Shared fixtures: a migrated database per engine (SQLite always, PostgreSQL when
CROWNJEWELS_TEST_DATABASE_URL is set), each test inside a transaction that is rolled back."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from argon2.profiles import CHEAPEST
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from crownjewels.core import migrate
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database, create_db_engine, normalise_url
from crownjewels.parties import accounts
from tests.pinned_clock import pin
from tests.s3_server import moto_url  # noqa: F401 - a local S3 server for the modules that ask

if TYPE_CHECKING:
    from tests.api_support import Roles

# the clock is pinned before any test module is imported: module constants such as TODAY read it
pin()

PG_URL = os.environ.get("CROWNJEWELS_TEST_DATABASE_URL")

# The activity API's backpressure measures real seconds since the oldest unscored event was
# received and counts the events waiting, and in tests nothing scores while the clock runs in
# real time: a test posting twice a second apart would be refused. Off in every test (and the
# commands they start) but the ones that turn it on (tests/monitoring/test_admission.py).
os.environ["CROWNJEWELS_MONITORING_MAX_LAG_SECONDS"] = "0"
os.environ["CROWNJEWELS_MONITORING_MAX_QUEUED"] = "0"

# Password hashing at production cost would dominate the suite's time; the tests of hashing
# itself only need argon2id, not its cost.
accounts.use_password_parameters(CHEAPEST)
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


# Adapter tests (pages, API routes, commands, the API fuzzing) check rendering, argument
# parsing and permissions; the queries behind them are the services', which their own tests
# run on both engines. So adapter modules run on SQLite only, unless marked `both_engines`
# (an adapter test that pins an engine-specific path, such as server-side session revocation).
ADAPTER_MODULE = re.compile(
    r"(^tests/web/)|/test_(router|pages|commands|cli|api|openapi)[a-z_]*\.py$|_(pages|api|commands)\.py$"
)


def is_adapter_test(item: pytest.Item) -> bool:
    """Whether the item is in an adapter module (see ADAPTER_MODULE) not marked both_engines."""
    path = item.path.relative_to(item.config.rootpath).as_posix()
    return bool(ADAPTER_MODULE.search(path)) and "both_engines" not in item.keywords


def is_sqlite_copy_of_a_once(item: pytest.Item) -> bool:
    """The SQLite copy of a test marked `once_on_postgresql` (deselected when PostgreSQL is
    configured, before its fixtures build anything)."""
    return "once_on_postgresql" in item.keywords and "postgres" not in item.keywords


#: markers of the tests that take seconds each (a browser, a subprocess, a benchmark's run)
LONG = ("slow", "browser", "screenshots")


def long_modules_first(items: list[pytest.Item]) -> None:
    """Put the modules holding a long test first, each module's tests still together and in
    order. The two workers split the list and steal from each other when one runs dry; with
    the long tests first, the last minute is short tests on both workers, not one worker on
    a 30-second browser tour while the other waits."""
    long = {item.path for item in items if any(mark in item.keywords for mark in LONG)}
    items.sort(key=lambda item: item.path not in long)  # stable: order kept otherwise


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    long_modules_first(items)
    if PG_URL:
        kept, dropped = [], []
        for item in items:
            on_pg = "postgres" in item.keywords and is_adapter_test(item)
            (dropped if on_pg or is_sqlite_copy_of_a_once(item) else kept).append(item)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = kept
        return
    skip = pytest.mark.skip(reason="set CROWNJEWELS_TEST_DATABASE_URL to run the PostgreSQL tests")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


class PgServer:
    """Creates and drops throw-away databases on the test PostgreSQL server."""

    def __init__(self, url: str) -> None:
        self.base = make_url(normalise_url(url))
        self.admin = create_engine(self.base, isolation_level="AUTOCOMMIT")

    def create(self, prefix: str = "cj_test", template: str | None = None) -> str:
        """A new database: empty, or a copy of `template` (a database URL no one is connected
        to)."""
        name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        return self.base.set(database=name).render_as_string(hide_password=False)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if not PG_URL:
        pytest.skip("set CROWNJEWELS_TEST_DATABASE_URL to run the PostgreSQL tests")
    server = PgServer(PG_URL)
    yield server
    server.admin.dispose()


@pytest.fixture(scope="session")
def pg_migrated_template(pg_server: PgServer) -> Iterator[str]:
    """A PostgreSQL database with every migration applied that nothing stays connected to (the
    migrations run on a connection of their own, closed at their end): the template that
    `fresh_migrated_url` copies. Copying it takes about 0.1 s; running the migrations, 2 s."""
    url = pg_server.create("cj_template")
    migrate.upgrade(url)
    yield url
    pg_server.drop(url)


def fresh_database_url(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, *, template: str | None = None
) -> str:
    """An empty database of the given engine (a copy of a PostgreSQL `template`), dropped
    when the test or fixture that asked for it ends."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'crownjewels.db'}"
    server: PgServer = request.getfixturevalue("pg_server")
    url = server.create(template=template)
    request.addfinalizer(lambda: server.drop(url))
    return url


def fresh_migrated_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database of its own with every migration applied, for a test whose writes must commit
    (other connections, processes or threads read them). On PostgreSQL a copy of the
    migrated template, byte for byte what the migrations leave; on SQLite they run (0.2 s)."""
    if kind == "sqlite":
        url = fresh_database_url(kind, tmp_path, request)
        migrate.upgrade(url)
        return url
    template: str = request.getfixturevalue("pg_migrated_template")
    return fresh_database_url(kind, tmp_path, request, template=template)


@pytest.fixture(scope="session", params=ENGINES)
def migrated_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database per engine with every migration applied, shared by the session's tests."""
    return fresh_migrated_url(request.param, tmp_path_factory.mktemp(request.param), request)


@pytest.fixture(scope="session")
def engine(migrated_url: str) -> Iterator[Engine]:
    eng = create_db_engine(migrated_url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture(scope="module")
def module_connection(engine: Engine) -> Iterator[Connection]:
    """A connection for a module's shared world, rolled back after the module's last test.

    A module that builds a world once overrides `connection` with `savepoint_per_test` below:
    the world is written into this connection's transaction, and each test runs inside a
    savepoint over it that is rolled back, so no test sees another's writes."""
    conn = engine.connect()
    trans = conn.begin()
    yield conn
    trans.rollback()
    conn.close()


@pytest.fixture(scope="module")
def module_db(module_connection: Connection) -> Database:
    """A Database over the module's connection: what its units of work write stays for the
    module (until `module_connection` rolls back)."""
    return Database.bound_to(module_connection)


def savepoint_per_test(module_connection: Connection) -> Iterator[Connection]:
    """The body of a module's `connection` override: the test inside a savepoint of the
    module's connection, rolled back after it (the module's world is left as it was)."""
    nested = module_connection.begin_nested()
    yield module_connection
    if nested.is_active:
        nested.rollback()


@pytest.fixture(scope="module")
def roles(module_db: Database) -> Roles:
    """A person, login and API token per role, made once per module in its shared world."""
    from tests.api_support import make_roles

    return make_roles(module_db)


@pytest.fixture
def db(connection: Connection) -> Database:
    """A Database whose units of work are savepoints in the test's transaction."""
    return Database.bound_to(connection)


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    """A session for service tests; flushed, never committed for real."""
    with db.unit_of_work() as s:
        yield s


@pytest.fixture(autouse=True)
def _pinned_clock() -> Iterator[None]:
    """Every test starts and ends on the tests' clock, whatever it set in between."""
    pin()
    yield
    pin()


@pytest.fixture
def admin() -> Actor:
    """The installation acting with every role."""
    return system_actor("test")
