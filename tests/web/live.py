"""The real app served by uvicorn on a free local port, with Chromium to drive it: shared by
the browser tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.orm import Session

from crownjewels.app import create_app
from crownjewels.core import migrate
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.inventory.schemas import SecretRead, Tier
from crownjewels.settings import Settings
from crownjewels.vault.keys import create_key_file
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


@dataclass
class Live:
    """The running app: its base URL and the admin's username."""

    base: str
    username: str


@contextmanager
def live_app(
    home: Path,
    *,
    secret_key: str,
    tier: Tier = Tier.SENSITIVE,
    seed: Callable[[Session, Settings, SecretRead], None] | None = None,
) -> Iterator[Live]:
    """Migrate a SQLite workspace in `home`, seed Ada Admin (admin) owning "Glaze recipe" (and
    whatever `seed` adds), and serve the app until the block ends."""
    url = f"sqlite:///{home / 'crownjewels.db'}"
    migrate.upgrade(url)
    create_key_file(home / "vault.key")
    db = Database(url)
    with db.unit_of_work() as s:
        actor = system_actor("test")
        org = make_org(s, actor, name="Acme Foods Inc")
        person = make_person(s, actor, org=org, name="Ada Admin")
        user = make_user(s, actor, Role.ADMIN, person=person)
        secret = make_secret(s, actor, owner=person, name="Glaze recipe", tier=tier)
        settings = Settings(
            home=home, database_url=url, secret_key=secret_key, company_name="Acme Foods"
        )
        if seed is not None:
            seed(s, settings, secret)
    db.dispose()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield Live(base=f"http://127.0.0.1:{port}", username=user.username)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def chromium() -> Iterator[Any]:
    """Debian's Chromium under Playwright (never a downloaded browser), or a skip naming the fix."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium is missing at /usr/bin/chromium; `make test` installs it from Debian "
            "(through `make test-tools`)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
