"""The settings page (/settings): a person changes their name, their password (their other
sessions end, this one stays), their authenticator, and their API tokens; refusals come back in
words with what was typed; the user menu links to it."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.schemas import EventType
from crownjewels.settings import Settings
from tests.parties.factories import PASSWORD
from tests.web.conftest import TOTP_SECRET, FrozenClock, Login, cookie_log_in, csrf_of
from tests.web.test_pages import events

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]
NEW = "another-password-2026"


def test_the_page_shows_the_person_and_renames_them(
    make_login: MakeLogin, client_of: ClientOf, db: Database
) -> None:
    login = make_login(Role.LEGAL)
    client = client_of(login)
    home = client.get("/")
    assert 'href="/settings" id="settings-link"' in home.text
    page = client.get("/settings")
    assert page.status_code == 200
    assert login.person.full_name in page.text and login.user.username in page.text
    assert 'href="/settings/notifications"' in page.text
    refused = client.post(
        "/settings/profile", data={"csrf_token": csrf_of(page.text), "full_name": "  "}
    )
    assert refused.status_code == 422 and "enter your name" in refused.text
    saved = client.post(
        "/settings/profile", data={"csrf_token": csrf_of(page.text), "full_name": "Dana Whitfield"}
    )
    assert saved.url.path == "/settings" and "Your name is now Dana Whitfield." in saved.text
    assert "Dana Whitfield" in client.get("/").text  # the user menu
    assert events(db, EventType.PERSON_UPDATED, login.person.id) == 1


def test_a_password_change_signs_out_the_other_sessions_only(
    app: FastAPI,
    make_login: MakeLogin,
    client_of: ClientOf,
    settings: Settings,
    db: Database,
) -> None:
    login = make_login(Role.SECURITY)
    client = client_of(login)
    elsewhere = TestClient(app)
    cookie_log_in(elsewhere, login, settings, db)
    assert elsewhere.get("/").url.path == "/"
    csrf = csrf_of(client.get("/settings").text)
    wrong = {"csrf_token": csrf, "current": "not-my-password-1", "password": NEW, "repeat": NEW}
    refused = client.post("/settings/password", data=wrong)
    assert refused.status_code == 422 and "not your current password" in refused.text
    assert 'aria-invalid="true" aria-describedby="current-error"' in refused.text
    # kept, and counted towards the lockout, though the refused form rolled back
    assert events(db, EventType.USER_LOGIN_FAILED, login.user.id) == 1
    form = {"csrf_token": csrf, "current": PASSWORD, "password": NEW, "repeat": NEW}
    done = client.post("/settings/password", data=form)
    assert done.url.path == "/settings", done.text
    assert "1 other session(s) were signed out" in done.text
    assert client.get("/").url.path == "/"  # this session stays
    gone = elsewhere.get("/")
    assert gone.url.path == "/login" and "password changed" in gone.text
    assert events(db, EventType.USER_PASSWORD_CHANGED, login.user.id) == 1


def test_a_new_authenticator_replaces_the_old_one(
    make_login: MakeLogin, client_of: ClientOf, frozen: FrozenClock, db: Database
) -> None:
    login = make_login(Role.LEGAL)
    client = client_of(login)
    csrf = csrf_of(client.get("/settings").text)
    wrong = client.post("/settings/totp", data={"csrf_token": csrf, "totp_current": "nope-123"})
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    assert 'id="totp_current-error"' in wrong.text
    page = client.post("/settings/totp", data={"csrf_token": csrf, "totp_current": PASSWORD})
    assert page.status_code == 200 and "<svg" in page.text
    found = TOTP_SECRET.search(page.text)
    assert found
    secret = found.group(1)
    bad = client.post("/settings/totp/confirm", data={"csrf_token": csrf, "code": "123456"})
    assert bad.status_code == 422 and "does not match" in bad.text
    assert secret in bad.text  # the same key again: the app already scanned it
    code = frozen.totp(secret)
    done = client.post("/settings/totp/confirm", data={"csrf_token": csrf, "code": code})
    assert done.url.path == "/settings" and "Your new authenticator is set up" in done.text
    # from now on a new one needs a code of this one too
    assert "Code from your current app" in done.text
    no_code = client.post("/settings/totp", data={"csrf_token": csrf, "totp_current": PASSWORD})
    assert no_code.status_code == 422 and "current authenticator app" in no_code.text
    assert events(db, EventType.USER_MFA_ENROLLED, login.user.id) == 1


def test_tokens_are_made_with_allowed_scopes_shown_once_and_revoked(
    make_login: MakeLogin, client_of: ClientOf, db: Database
) -> None:
    client = client_of(make_login(Role.AUDITOR))
    page = client.get("/settings")
    assert "You have no API tokens." in page.text
    assert 'value="write"' not in page.text  # an auditor's roles allow read tokens only
    csrf = csrf_of(page.text)
    form = {"csrf_token": csrf, "name": "quarterly export", "days": "30", "scopes": "write"}
    refused = client.post("/settings/tokens", data=form)
    assert refused.status_code == 422 and "only read tokens, not write" in refused.text
    assert 'value="quarterly export"' in refused.text  # what was typed stays
    made = client.post("/settings/tokens", data={**form, "scopes": "read"})
    assert made.status_code == 200
    shown = re.search(r'id="issued-token-value">(cj_[^<]+)<', made.text)
    assert shown and "shown only once" in made.text
    listed = client.get("/settings")
    assert shown.group(1) not in listed.text and "quarterly export" in listed.text
    token_id = re.search(r'data-token="([0-9A-Z]{26})"', listed.text)
    assert token_id
    revoked = client.post(f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf})
    assert "is revoked" in revoked.text and "Revoked</" in revoked.text
    again = client.post(f"/settings/tokens/{token_id.group(1)}/revoke", data={"csrf_token": csrf})
    assert "Nothing was revoked" in again.text and "already revoked" in again.text
    assert events(db, EventType.TOKEN_REVOKED, token_id.group(1)) == 1
    other = client_of(make_login(Role.AUDITOR))
    theirs = other.post(
        f"/settings/tokens/{token_id.group(1)}/revoke",
        data={"csrf_token": csrf_of(other.get("/settings").text)},
    )
    assert theirs.status_code == 404 and "that is not one of your tokens" in theirs.text
    assert token_id.group(1) not in theirs.text
