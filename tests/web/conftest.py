"""Fixtures for page tests: the app on the test's rolled-back database, users of each role,
and logged-in clients. The login tests go through the real forms (password, then TOTP) with
`log_in`; every other test's client carries the signed session cookie those forms end with."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.parties.schemas import OrgKind, PersonRead, UserRead
from crownjewels.settings import Settings
from crownjewels.web.auth import SESSION_COOKIE, login_cookie
from tests.api_support import app_for, settings_for
from tests.parties.factories import PASSWORD, make_org, make_person, make_user
from tests.pinned_clock import pin
from tests.web.live import LiveServer, chromium, serving

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOTP_SECRET = re.compile(r'id="totp-secret"[^>]*>([A-Z2-7]+)<')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


class FrozenClock:
    """The application clock pinned to one moment; `tick()` moves it to the next TOTP step."""

    def __init__(self) -> None:
        # the next whole second: never before what a fixture made on the tests' clock just now
        self.now = clock.now().replace(microsecond=0) + timedelta(seconds=1)

    def tick(self, seconds: int = 30) -> None:
        self.now += timedelta(seconds=seconds)

    def totp(self, secret: str) -> str:
        """The code an authenticator app shows now for `secret`."""
        return str(pyotp.TOTP(secret).at(self.now))


@pytest.fixture
def frozen() -> Iterator[FrozenClock]:
    pinned = FrozenClock()
    clock.set_clock(lambda: pinned.now)
    yield pinned
    pin()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per browser test module; each test opens its own context. Not one per
    session: the sync Playwright keeps an event loop running in the main thread while it is
    open, and every later test of the worker that runs a coroutine itself (`anyio.run`, the
    syslog command's `asyncio.run`) then failed with "Already running asyncio in this
    thread". Closing it with its module costs about 0.7 s a module."""
    yield from chromium()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One app server per test process for every browser test; each module mounts its own
    fresh workspace on it (`live_server.workspace(...)`)."""
    with serving(tmp_path_factory.mktemp("live-server")) as server:
        yield server


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(
        tmp_path,
        database_url="sqlite://",
        secret_key="web-test-secret-key-0123456789abcdef",
        company_name="Acme Foods",
    )


@pytest.fixture
def app(settings: Settings, db: Database) -> FastAPI:
    return app_for(settings, db)


@dataclass
class Login:
    """A user who can log in: their person, user and (once enrolled) TOTP secret."""

    person: PersonRead
    user: UserRead
    totp_secret: str | None = None


@pytest.fixture
def make_login(db: Database) -> Callable[..., Login]:
    """A person in our own company with a login holding the given roles."""

    def make(*roles: Role, org_kind: OrgKind = OrgKind.SUBSIDIARY) -> Login:
        with db.unit_of_work() as s:
            actor = system_actor("test")
            person = make_person(s, actor, org=make_org(s, actor, kind=org_kind))
            user = make_user(s, actor, *(roles or (Role.ADMIN,)), person=person)
        return Login(person=person, user=user)

    return make


def log_in(client: TestClient, login: Login, frozen: FrozenClock) -> None:
    """Log in through the forms: password, then TOTP enrolment (first time) or a TOTP code."""
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": login.user.username,
            "password": PASSWORD,
            "csrf_token": csrf_of(page.text),
        },
    )
    assert response.status_code == 200, response.text
    if response.url.path == "/login/enrol":
        found = TOTP_SECRET.search(response.text)
        assert found
        login.totp_secret = found.group(1)
        form = {"code": frozen.totp(login.totp_secret), "csrf_token": csrf_of(response.text)}
        response = client.post("/login/enrol", data=form)
    elif response.url.path == "/login/mfa":
        assert login.totp_secret
        frozen.tick()  # a code is good once: the next login uses the next time step
        form = {"code": frozen.totp(login.totp_secret), "csrf_token": csrf_of(response.text)}
        response = client.post("/login/mfa", data=form)
    assert response.status_code == 200, response.text
    assert response.url.path in ("/", "/portal"), response.url


def cookie_log_in(client: TestClient, login: Login, settings: Settings, db: Database) -> None:
    """Hand the client the session a completed login (password, then TOTP) leaves behind,
    with its server-side record."""
    with db.unit_of_work() as session:
        cookie = login_cookie(session, settings, user_id=login.user.id, mfa=True)
    client.cookies.set(SESSION_COOKIE, cookie)


@pytest.fixture
def client_of(
    app: FastAPI, frozen: FrozenClock, settings: Settings, db: Database
) -> Iterator[Callable[[Login], TestClient]]:
    """A client logged in as an existing login (through its session cookie, not the forms)."""
    clients: list[TestClient] = []

    def make(login: Login) -> TestClient:
        # entered: its requests share one event loop thread, as a server's do, instead of
        # starting a thread and a loop for each (a third of a simple request's CPU)
        client = TestClient(app).__enter__()
        clients.append(client)
        cookie_log_in(client, login, settings, db)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client_for(
    client_of: Callable[[Login], TestClient], make_login: Callable[..., Login]
) -> Callable[..., TestClient]:
    """A logged-in client for a new user with the given roles."""

    def make(*roles: Role) -> TestClient:
        return client_of(make_login(*roles))

    return make
