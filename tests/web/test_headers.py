"""Security headers on every response; the login throttle believes X-Forwarded-For only from
a trusted proxy."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.app import create_app
from crownjewels.core.clients import client_address
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.settings import Settings
from crownjewels.web.auth import IP_FAILURES
from tests.web.conftest import FrozenClock, Login
from tests.web.test_pages import password_step

TEMPLATES = Path(__file__).parents[2] / "src" / "crownjewels"


def test_every_page_carries_the_security_headers(
    client_of: Callable[[Login], TestClient], make_login: Callable[..., Login]
) -> None:
    client = client_of(make_login(Role.ADMIN))
    for path in ("/", "/login", "/api/v1/health", "/secrets", "/nothing-here"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, path
        assert "style-src 'self'" in csp and "frame-ancestors 'none'" in csp, path
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["cache-control"] == "no-store", path
        assert "strict-transport-security" not in headers  # plain HTTP: no HSTS
    static = client.get("/static/app.css").headers
    assert "no-store" not in static.get("cache-control", "")
    assert static["x-content-type-options"] == "nosniff"


def test_over_tls_hsts_and_a_secure_cookie(settings: Settings, db: Database) -> None:
    app = create_app(settings.model_copy(update={"tls": True}), db=db, check_schema=False)
    response = TestClient(app, base_url="https://testserver").get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "secure" in response.headers["set-cookie"].lower()


def test_the_api_docs_come_from_our_own_files(app: FastAPI) -> None:
    """Swagger UI is served from web/static under the same CSP as every page: no CDN, no inline
    script."""
    client = TestClient(app)
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "content-security-policy" in response.headers
    assert "http" not in response.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert sources and all(s.startswith("/static/") for s in sources), sources
    assert not re.findall(r"<script>", response.text)
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_no_template_holds_inline_script_or_style() -> None:
    """Every script is a file under web/static; a JSON data block (never executed) is allowed."""
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, f"{template}: {tag}"
        assert not re.search(r"\sstyle=", text), f"{template} has an inline style attribute"
        assert not re.search(r"<style\b", text), f"{template} has a <style> element"
        assert not re.search(r"\son[a-z]+=", text), f"{template} has an inline event handler"


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.9", "1.2.3.4", [], "203.0.113.9"),  # no proxy configured: header ignored
        ("203.0.113.9", "1.2.3.4", ["10.0.0.0/8"], "203.0.113.9"),  # peer is no proxy
        ("10.0.0.2", "1.2.3.4", ["10.0.0.0/8"], "1.2.3.4"),
        ("10.0.0.2", "6.6.6.6, 1.2.3.4", ["10.0.0.0/8"], "1.2.3.4"),  # client-written part
        ("10.0.0.2", "1.2.3.4, 10.0.0.7", ["10.0.0.0/8"], "1.2.3.4"),  # two proxies
        ("10.0.0.2", "garbage", ["10.0.0.2"], "garbage"),
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
    ],
)
def test_client_address(peer: str, forwarded: str, trusted: list[str], expected: str) -> None:
    assert client_address(peer, forwarded, trusted) == expected


def test_a_forged_forwarded_for_does_not_escape_the_throttle(
    app: FastAPI, make_login: Callable[..., Login], frozen: FrozenClock
) -> None:
    login = make_login(Role.ADMIN)
    client = TestClient(app)
    for n in range(IP_FAILURES):
        forged = {"X-Forwarded-For": f"198.51.100.{n}"}
        page = client.get("/login")
        del page
        client.headers.update(forged)
        assert password_step(client, f"nobody{n}@example.com").status_code == 400
    client.headers.update({"X-Forwarded-For": "198.51.100.250"})
    assert password_step(client, login.user.username).status_code == 429


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="not an address or network"):
        Settings(trusted_proxies=["proxy.example"])
