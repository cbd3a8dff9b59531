"""On the embedded SQLite a write transaction holds the one write lock: a scan reads its target
(a clone, a bucket, a folder: minutes) in a read-only transaction and only then writes, in a
short one of its own, so that everyone else can write while it reads. Pinned through the
command line, the API and the pages, each against a real SQLite file."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from crownjewels.core import migrate
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.leaks.scan import service, watches
from crownjewels.leaks.scan.schemas import WatchCreate
from crownjewels.settings import Settings
from tests.api_support import app_for, make_roles
from tests.cli_helpers import Cli
from tests.leaks.scan.world import excerpt, make_world, settings_for
from tests.web.conftest import Login, app, client_of, csrf_of, frozen, make_login  # noqa: F401


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event]]:
    """(reading, release): the scan stops at its first file, says so, and goes on when told."""
    reading, release = threading.Event(), threading.Event()
    real = service._read_item

    def slow(ctx: Any, item: Any) -> Any:
        reading.set()
        assert release.wait(30), "the test never let the scan go on"
        return real(ctx, item)

    monkeypatch.setattr(service, "_read_item", slow)
    yield reading, release
    release.set()


def _another_writer_can_write(path: Path) -> None:
    """BEGIN IMMEDIATE takes the write lock: within a second, not after the 30 s busy wait."""
    with closing(sqlite3.connect(path, timeout=1.0)) as other:
        other.execute("BEGIN IMMEDIATE")
        other.rollback()


def _while_reading(
    run: Callable[[], Any], held: tuple[threading.Event, threading.Event], path: Path
) -> Any:
    reading, release = held
    outcome: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: outcome.update(done=run()), daemon=True)
    thread.start()
    try:
        assert reading.wait(30), "the scan never reached its first file"
        _another_writer_can_write(path)
    finally:
        release.set()
        thread.join(60)
    assert "done" in outcome, "the scan did not finish"
    return outcome["done"]


def _suspect(tmp_path: Path) -> Path:
    dump = tmp_path / "dump"
    dump.mkdir()
    (dump / "utils.py").write_text(excerpt())
    return dump


def test_a_command_line_scan_lets_others_write_while_it_reads(
    tmp_path: Path, held: tuple[threading.Event, threading.Event]
) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    db = Database(cli.url)
    with db.unit_of_work() as s:
        make_world(s, system_actor("test"), cli.home)
    db.engine.dispose()
    dump = _suspect(tmp_path)
    ran = _while_reading(lambda: cli("leaks", "scan", str(dump)), held, cli.home / "crownjewels.db")
    assert ran.code == 0 and "1 match" in ran.out, ran.err


def test_an_api_scan_lets_others_write_while_it_reads(
    tmp_path: Path, held: tuple[threading.Event, threading.Event]
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    path = home / "crownjewels.db"
    migrate.upgrade(f"sqlite:///{path}")
    db = Database(f"sqlite:///{path}")
    try:
        with db.unit_of_work() as s:
            make_world(s, system_actor("test"), home)
        roles = make_roles(db)
        app = app_for(settings_for(home), db)
        dump = _suspect(tmp_path)
        with TestClient(
            app, headers={"Authorization": f"Bearer {roles.tokens[Role.SECURITY]}"}
        ) as client:
            answer = _while_reading(
                lambda: client.post("/api/v1/leaks/scans", json={"target": str(dump)}), held, path
            )
        assert answer.status_code == 201, answer.text
        assert len(answer.json()["found"]) == 1
        # what the short write committed is there for the next request
        with TestClient(
            app, headers={"Authorization": f"Bearer {roles.tokens[Role.SECURITY]}"}
        ) as client:
            ref = answer.json()["ref"]
            assert client.get(f"/api/v1/leaks/scans/{ref}").status_code == 200
    finally:
        db.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "home").mkdir()
    return settings_for(tmp_path / "home")


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    """The pages' database: a real SQLite file, not a savepoint of one shared connection."""
    url = f"sqlite:///{settings.home / 'crownjewels.db'}"
    migrate.upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


def test_a_page_scan_and_a_watch_run_let_others_write_while_they_read(
    db: Database,
    settings: Settings,
    tmp_path: Path,
    held: tuple[threading.Event, threading.Event],
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    admin = system_actor("test")
    with db.unit_of_work() as s:
        make_world(s, admin, settings.home)
    dump = _suspect(tmp_path)
    path = settings.home / "crownjewels.db"
    client = client_of(make_login(Role.SECURITY))
    token = csrf_of(client.get("/leaks/scan").text)
    scanned = _while_reading(
        lambda: client.post("/leaks/scan", data={"target": str(dump), "csrf_token": token}),
        held,
        path,
    )
    assert scanned.status_code == 201 and "LM-0001" in scanned.text
    with db.unit_of_work() as s:
        watches.add(s, actor=admin, data=WatchCreate(name="Dump", target=str(dump)))
    for event in held:
        event.clear()
    token = csrf_of(client.get("/leaks/watches").text)
    ran = _while_reading(
        lambda: client.post(
            "/leaks/watches/LW-0001/run", data={"csrf_token": token}, follow_redirects=True
        ),
        held,
        path,
    )
    assert "LW-0001 ran: LS-0002, 1 new match" in ran.text
