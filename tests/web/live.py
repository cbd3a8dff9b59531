"""The real app served by uvicorn on a free local port, with Chromium to drive it: shared by
the browser tests. One server per test session (per xdist worker) serves each test module its
own fresh workspace: a copy of a database migrated once, its own vault key, settings and seed,
swapped in behind the running server for the module and out after it."""

from __future__ import annotations

import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.orm import Session
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from crownjewels import demo
from crownjewels.app import create_app
from crownjewels.core import migrate
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.inventory.schemas import SecretRead, Tier
from crownjewels.settings import Settings
from crownjewels.vault.keys import create_key_file
from crownjewels.vault.service import open_vault
from tests.api_support import app_for
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person, make_user

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DB_FILE = "crownjewels.db"
#: the longest an `expect(...)` waits for a page to get there (a ceiling, not a timing: on a
#: busy shared machine the first OpenAPI document alone can take longer than the default 5 s)
EXPECT_CEILING_MS = 30_000
#: the secret key of every browser workspace (the sessions' signatures, the watermark key): one
#: key, so that the process builds one app for them all
BROWSER_KEY = "browser-test-key-0123456789abcdef"


@dataclass
class Live:
    """One module's running workspace: the base URL, the admin's username, its database URL."""

    base: str
    username: str
    url: str


#: between modules the server answers every request with this (no workspace is mounted)
_IDLE = PlainTextResponse("no browser-test workspace is mounted", status_code=503)


class _Mount:
    """The ASGI app the server runs: it hands each request to the workspace mounted now."""

    def __init__(self) -> None:
        self.app: ASGIApp = _IDLE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


class LiveServer:
    """uvicorn on a free port in a thread, and the database every workspace starts from."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.db"
        migrate.upgrade(f"sqlite:///{self.template}")  # once per session, not per module
        self._mount = _Mount()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self.base = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._server = uvicorn.Server(
            uvicorn.Config(self._mount, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )

    def start(self) -> None:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            assert self._thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def _fresh_database(self, home: Path) -> str:
        """A copy of the migrated template in `home` (SQLite's backup: a consistent copy)."""
        with (
            closing(sqlite3.connect(self.template)) as source,
            closing(sqlite3.connect(home / DB_FILE)) as target,
        ):
            source.backup(target)
        return f"sqlite:///{home / DB_FILE}"

    @contextmanager
    def workspace(
        self,
        home: Path,
        *,
        secret_key: str,
        tier: Tier = Tier.SENSITIVE,
        seed: Callable[[Session, Settings, SecretRead], None] | None = None,
    ) -> Iterator[Live]:
        """A fresh workspace in `home`: Ada Admin (admin) owning "Glaze recipe" (and whatever
        `seed` adds), served by the running server until the block ends."""
        assert self._mount.app is _IDLE, "another browser-test workspace is still mounted"
        url = self._fresh_database(home)
        create_key_file(home / "vault.key")
        settings = Settings(
            home=home, database_url=url, secret_key=secret_key, company_name="Acme Foods"
        )
        db = Database(url)
        with db.unit_of_work() as s:
            actor = system_actor("test")
            org = make_org(s, actor, name="Acme Foods Inc")
            person = make_person(s, actor, org=org, name="Ada Admin")
            user = make_user(s, actor, Role.ADMIN, person=person)
            secret = make_secret(s, actor, owner=person, name="Glaze recipe", tier=tier)
            if seed is not None:
                seed(s, settings, secret)
        with self._serving(settings, db):
            yield Live(base=self.base, username=user.username, url=url)

    @contextmanager
    def demo_workspace(self, home: Path, *, secret_key: str) -> Iterator[tuple[Live, Settings]]:
        """A fresh workspace in `home` holding the demo company (`crownjewels demo`), served
        until the block ends; its settings sign the demo logins' session cookies."""
        assert self._mount.app is _IDLE, "another browser-test workspace is still mounted"
        url = self._fresh_database(home)
        create_key_file(home / "vault.key")
        settings = Settings(home=home, database_url=url, secret_key=secret_key)
        db = Database(url)
        with db.unit_of_work() as s:
            result = demo.seed(
                s,
                actor=system_actor("demo"),
                company=demo.COMPANY,
                secret_key=secret_key,
                vault=lambda: open_vault(settings),
                settings=settings,
            )
        with self._serving(settings, db):
            yield Live(base=self.base, username=result.admin.email, url=url), settings

    @contextmanager
    def _serving(self, settings: Settings, db: Database) -> Iterator[None]:
        # the process's app for the browser key, pointed at this workspace (as the in-process
        # tests' apps are): one app built per process, not one per module
        self._mount.app = app_for(settings, db)
        try:
            yield
        finally:
            self._mount.app = _IDLE
            db.dispose()

    def fresh_home(self, home: Path) -> str:
        """A migrated database in `home` (where the CLI looks for it), for an installation the
        CLI then makes (`crownjewels init`, `crownjewels demo`) and `installation` serves."""
        return self._fresh_database(home)

    @contextmanager
    def installation(self, home: Path, *, company_name: str) -> Iterator[Live]:
        """The installation the CLI made in `home`, served as `make run` serves it (its own
        keys and database under home) until the block ends; log in as any of its users."""
        assert self._mount.app is _IDLE, "another browser-test workspace is still mounted"
        settings = Settings(home=home, company_name=company_name)
        db = Database(settings.resolved_database_url())
        self._mount.app = create_app(settings, db=db, run_jobs=False)
        try:
            yield Live(base=self.base, username="", url=db.url)
        finally:
            self._mount.app = _IDLE
            db.dispose()


@contextmanager
def serving(root: Path) -> Iterator[LiveServer]:
    """The session's server: started once, stopped at the end."""
    server = LiveServer(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright (never a downloaded browser), or a skip naming the fix."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium is missing at /usr/bin/chromium; `make test-tools` installs it from "
            "Debian (`make test` runs it first)"
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_CEILING_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
