"""The canary API and the public callback: planting and listing need leaks permissions; /c/...
needs no login and answers a live, an unknown and a retired token with the same bytes and
headers, recording only the live one."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.api_support import RoleClients, Roles, connection  # noqa: F401
from tests.inventory.factories import make_secret

BASE = f"{API_PREFIX}/leaks/tokens"


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


def _secret(db: Database) -> str:
    with db.unit_of_work() as session:
        return make_secret(session, system_actor("test"), name="Brine recipe").ref


@pytest.mark.parametrize(
    ("role", "plant", "read"),
    [(Role.SECURITY, 201, 200), (Role.COMPLIANCE, 403, 200), (Role.VENDOR_USER, 403, 403)],
)
def test_who_may_plant_and_read(
    rc: RoleClients, db: Database, role: Role, plant: int, read: int
) -> None:
    ref = _secret(db)
    with rc.client() as client:
        h = rc.headers(role)
        made = client.post(BASE, json={"secret": ref, "kind": "url"}, headers=h)
        assert made.status_code == plant, made.text
        assert client.get(BASE, headers=h).status_code == read
        assert client.get(BASE).status_code == 401


def _headers(response: object) -> dict[str, str]:
    kept = ("content-type", "content-length", "cache-control", "content-security-policy")
    return {k: response.headers.get(k) for k in kept}  # type: ignore[attr-defined]


def test_the_callback_needs_no_login_and_answers_every_token_alike(
    rc: RoleClients, db: Database
) -> None:
    ref = _secret(db)
    h = rc.headers(Role.SECURITY)
    with rc.client() as client:
        live = client.post(BASE, json={"secret": ref, "kind": "image"}, headers=h).json()
        gone = client.post(BASE, json={"secret": ref, "kind": "url"}, headers=h).json()
        assert (
            client.post(
                f"{BASE}/{gone['ref']}/retire", json={"reason": "moved"}, headers=h
            ).status_code
            == 200
        )
        path = "/c/" + live["url"].rsplit("/c/", 1)[1]
        retired = "/c/" + gone["url"].rsplit("/c/", 1)[1] + ".png"
    anonymous = TestClient(rc.app)
    answers = [
        anonymous.get(p, headers={"User-Agent": "Outlook/16", "Referer": "https://mail.example"})
        for p in (path, "/c/" + "0" * 32 + ".png", retired, "/c/nonsense.png", "/c/a/b.png")
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1 and answers[0].content.startswith(b"\x89PNG")
    assert len({tuple(_headers(a).items()) for a in answers}) == 1
    assert "set-cookie" not in answers[0].headers
    page = anonymous.get(path.removesuffix(".png"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert anonymous.get("/c/whatever").content == page.content
    with rc.client() as client:
        shown = client.get(f"{BASE}/{live['ref']}", headers=h).json()
        other = client.get(f"{BASE}/{gone['ref']}", headers=h).json()
    assert shown["hits"] == 2 and other["hits"] == 0
    first = shown["hit_list"][-1]
    assert (first["user_agent"], first["referrer"], first["via"]) == (
        "Outlook/16",
        "https://mail.example",
        "callback",
    )


def test_a_document_token_file_and_bad_input(rc: RoleClients, db: Database) -> None:
    ref = _secret(db)
    h = rc.headers(Role.LEGAL)
    with rc.client() as client:
        made = client.post(BASE, json={"secret": ref, "kind": "pdf", "label": "Yields"}, headers=h)
        token = made.json()
        got = client.get(f"{BASE}/{token['ref']}/file", headers=h)
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        assert 'filename="Yields.pdf"' in got.headers["content-disposition"]
        bad = client.post(BASE, json={"secret": ref, "kind": "qr"}, headers=h)
        assert bad.status_code == 422 and "kind" in bad.json()["detail"]
        missing = client.get(f"{BASE}/CT-9999", headers=h)
        assert missing.status_code == 404 and "leaks tokens" in missing.json()["detail"]
        listed = client.get(BASE, params={"secret": ref}, headers=h).json()
        assert [t["ref"] for t in listed] == [token["ref"]]


def test_the_pages_show_tokens_and_the_secret_panel(rc: RoleClients, db: Database) -> None:
    ref = _secret(db)
    h = rc.headers(Role.SECURITY)
    with rc.client() as client:
        made = client.post(BASE, json={"secret": ref, "kind": "image", "label": "Lure"}, headers=h)
        token = made.json()["ref"]
        listing = client.get("/leaks/tokens", headers=h)
        assert listing.status_code == 200 and token in listing.text and "Lure" in listing.text
        page = client.get(f"/leaks/tokens/{token}", headers=h)
        assert page.status_code == 200 and "It has not fired." in page.text
        secret_page = client.get(f"/secrets/{ref}", headers=h)
        assert 'id="canary-tokens"' in secret_page.text and token in secret_page.text
