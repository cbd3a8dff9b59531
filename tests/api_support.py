"""An app over the test database and one API token per role.

Building an app (and compiling its templates on the first page) costs about a second, so each
test process keeps one app per set of middleware settings and points it at the test's database
and settings before each test: everything the app reads per request lives in `app.state`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from crownjewels.app import create_app
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.parties import tokens as api_tokens
from crownjewels.parties.schemas import PersonRead, TokenCreate
from crownjewels.settings import Settings
from tests.conftest import savepoint_per_test
from tests.parties.factories import make_person, make_user

#: the secret key of make_app's settings (the process's app for them is built once)
TEST_SECRET_KEY = "test-secret-key-0123456789"
#: what an app keeps in its state between requests (throttles, the scoring queue's view),
#: made anew on first use: a test starts without an earlier one's
PER_APP_STATE = ("login_throttle", "report_failures", "report_intakes", "monitoring_admission")
#: the process's apps, by what their session middleware was built with
_APPS: dict[tuple[str, int, bool], FastAPI] = {}


def app_for(settings: Settings, db: Database) -> FastAPI:
    """The process's app for these settings' session middleware, now serving `db` and
    `settings`, with no state left from an earlier test (PER_APP_STATE)."""
    if settings.secret_key is None:  # a key read from home: not shared between tests
        return create_app(settings, db=db, check_schema=False)
    key = (
        settings.secret_key.get_secret_value(),
        settings.session_max_age_seconds,
        settings.cookie_secure,
    )
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(settings, db=db, check_schema=False)
    app.state.settings = settings
    app.state.db = db
    for kept in PER_APP_STATE:
        if hasattr(app.state, kept):
            delattr(app.state, kept)
    return app


#: settings built by settings_for, by the values and CROWNJEWELS_* environment they were built with
_SETTINGS: dict[str, Settings] = {}


def settings_for(home: Path, **values: Any) -> Settings:
    """`Settings(home=home, **values)`, built once per process for the same values and the same
    CROWNJEWELS_* environment and then copied with this home (the settings' derived paths are
    methods of home, so a copy is the same as a new build). Building reads every settings
    source for all 65 fields: 2 ms, about twice that under coverage, in thousands of tests."""
    env = sorted((k, v) for k, v in os.environ.items() if k.startswith("CROWNJEWELS_"))
    key = repr((env, sorted(values.items())))
    built = _SETTINGS.get(key)
    if built is None:
        built = _SETTINGS[key] = Settings(**values)
    return built.model_copy(update={"home": home})


def make_app(db: Database, home: Path) -> FastAPI:
    """The API app over `db`, with its files (vault key, blobs) under `home`."""
    settings = settings_for(home, secret_key=TEST_SECRET_KEY, company_name="Acme Foods")
    return app_for(settings, db)


@dataclass
class RoleClients:
    """A client per role, each with a read+write token, plus each role's person."""

    app: FastAPI
    tokens: dict[Role, str]
    people: dict[Role, PersonRead]

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}

    def client(self) -> TestClient:
        return TestClient(self.app, raise_server_exceptions=True)


@dataclass(frozen=True)
class Roles:
    """One person, login and read+write API token per role."""

    tokens: dict[Role, str]
    people: dict[Role, PersonRead]

    def clients(self, db: Database, home: Path) -> RoleClients:
        """The app over `db` with these roles' tokens."""
        return RoleClients(app=make_app(db, home), tokens=self.tokens, people=self.people)


def make_roles(db: Database) -> Roles:
    """A person, user and API token for every role, in one unit of work of `db`."""
    tokens: dict[Role, str] = {}
    people: dict[Role, PersonRead] = {}
    with db.unit_of_work() as session:
        admin = system_actor("test")
        for role in Role:
            person = make_person(session, admin, name=f"{role.value} user")
            user = make_user(session, admin, role, person=person)
            # issued by an admin: vendor users may not create tokens themselves
            issued = api_tokens.create_token(
                session,
                actor=admin,
                user_id=user.id,
                data=TokenCreate(name="test", scopes=["read", "write"]),
            )
            tokens[role] = issued.token
            people[role] = person
    return Roles(tokens=tokens, people=people)


@pytest.fixture
def connection(module_connection: Connection, roles: Roles) -> Iterator[Connection]:
    """Imported into a test module as its `connection`: each test in a savepoint over the
    module's `roles` (tests/conftest.py), made once."""
    yield from savepoint_per_test(module_connection)


def role_clients(db: Database, home: Path) -> RoleClients:
    """The app over `db` and a new person, login and token per role."""
    return make_roles(db).clients(db, home)
