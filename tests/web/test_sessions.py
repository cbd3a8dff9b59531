"""Web sessions live on the server: a copied cookie stops working once the session is revoked
(logout, password or role change, departure, an admin's sign-out) or expired."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.schemas import EventType
from crownjewels.parties import accounts, service
from crownjewels.parties.models import LoginSession
from crownjewels.parties.schemas import Departure
from crownjewels.settings import Settings
from crownjewels.web.auth import SESSION_COOKIE, login_cookie
from tests.web.conftest import FrozenClock, Login, csrf_of
from tests.web.test_pages import events

# revocation is enforced by the session store's queries: pinned on both engines
pytestmark = pytest.mark.both_engines

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def _copy(app: FastAPI, client: TestClient) -> TestClient:
    """A second browser holding a copy of the first one's session cookie."""
    thief = TestClient(app)
    thief.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    return thief


def _refused(client: TestClient, why: str) -> None:
    """The client is sent to the login page, which says in words that the session ended."""
    response = client.get("/")
    assert response.url.path == "/login", response.url
    assert why in response.text, response.text


def test_logout_ends_the_session_on_the_server(
    app: FastAPI, make_login: MakeLogin, client_of: ClientOf, db: Database
) -> None:
    login = make_login(Role.LEGAL)
    client = client_of(login)
    thief = _copy(app, client)
    assert thief.get("/").url.path == "/"
    csrf = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": csrf}).url.path == "/login"
    _refused(thief, "your session was ended (logout)")
    assert events(db, EventType.USER_LOGGED_OUT, login.user.id) == 1


def test_the_server_keeps_only_a_hash_of_the_session_id(
    make_login: MakeLogin, client_of: ClientOf, db: Database
) -> None:
    client = client_of(make_login(Role.LEGAL))
    cookie = client.cookies[SESSION_COOKIE]
    with db.unit_of_work(write=False) as s:
        hashes = s.scalars(select(LoginSession.token_hash)).all()
    assert hashes and all(len(h) == 64 and h not in cookie for h in hashes)


def test_an_expired_session_is_refused(
    make_login: MakeLogin, client_of: ClientOf, frozen: FrozenClock, settings: Settings
) -> None:
    client = client_of(make_login(Role.LEGAL))
    frozen.tick(settings.session_max_age_seconds - 60)
    assert client.get("/").url.path == "/"
    frozen.tick(120)
    _refused(client, "your session expired")


def test_password_role_change_and_departure_end_sessions(
    app: FastAPI, make_login: MakeLogin, client_of: ClientOf, db: Database
) -> None:
    admin = system_actor("test")
    one, two, three = (make_login(Role.LEGAL) for _ in range(3))
    clients = [_copy(app, client_of(login)) for login in (one, two, three)]
    with db.unit_of_work() as s:
        accounts.change_password(
            s, actor=admin, user_ref=one.user.username, password="another-password-42"
        )
        accounts.set_roles(s, actor=admin, user_ref=two.user.id, roles=[Role.AUDITOR])
        service.depart_person(s, actor=admin, person_ref=three.person.id, departure=Departure())
    _refused(clients[0], "password changed")
    _refused(clients[1], "roles changed")
    _refused(clients[2], "log in again")
    assert events(db, EventType.USER_PASSWORD_CHANGED, one.user.id) == 1
    assert events(db, EventType.USER_ROLES_CHANGED, two.user.id) == 1
    assert events(db, EventType.USER_SESSIONS_REVOKED, three.user.id) == 1


def test_an_admin_signs_a_user_out_everywhere_from_the_person_page(
    app: FastAPI, make_login: MakeLogin, client_of: ClientOf, db: Database
) -> None:
    target = make_login(Role.LEGAL)
    laptop, phone = client_of(target), client_of(target)
    admin = client_of(make_login(Role.ADMIN))
    page = admin.get(f"/people/{target.person.id}")
    assert "2 live web sessions" in page.text and 'id="sign-out-everywhere"' in page.text
    done = admin.post(
        f"/people/{target.person.id}/sign-out", data={"csrf_token": csrf_of(page.text)}
    )
    assert "signed out everywhere (2 ended)" in done.text
    _refused(laptop, "signed out everywhere")
    _refused(phone, "signed out everywhere")
    assert events(db, EventType.USER_SESSIONS_REVOKED, target.user.id) == 1
    # a user without users:manage sees no button and cannot post it
    legal = client_of(make_login(Role.LEGAL))
    assert 'id="sign-out-everywhere"' not in legal.get(f"/people/{target.person.id}").text


def test_sign_out_everywhere_through_the_api(
    app: FastAPI, make_login: MakeLogin, client_of: ClientOf, db: Database, settings: Settings
) -> None:
    target = make_login(Role.LEGAL)
    browser = client_of(target)
    admin = make_login(Role.ADMIN)
    with db.unit_of_work() as s:
        cookie = login_cookie(s, settings, user_id=admin.user.id)
    api = TestClient(app)
    api.cookies.set(SESSION_COOKIE, cookie)
    csrf = csrf_of(api.get(f"/people/{target.person.id}").text)
    response = api.post(
        f"/api/v1/users/{target.user.username}/sign-out", headers={"X-CSRF-Token": csrf}
    )
    assert response.status_code == 200, response.text
    assert response.json()["sessions_ended"] == 1
    _refused(browser, "signed out everywhere")


def test_login_cookie_builds_a_working_session(
    app: FastAPI, make_login: MakeLogin, db: Database, settings: Settings, frozen: FrozenClock
) -> None:
    login = make_login(Role.LEGAL)
    with db.unit_of_work() as s:
        cookie = login_cookie(s, settings, user_id=login.user.id)
    client = TestClient(app)
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/").url.path == "/"
