"""Every request body is bounded at the edge (web/bodies.py): a declared Content-Length past
the route's limit is a 413 before a byte is read; a chunked body is cut off as it passes it;
the routes that stream documents into the vault take up to the vault's own limit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.vault.keys import create_key_file
from tests.api_support import RoleClients, Roles, connection  # noqa: F401 (fixture)
from tests.inventory.factories import make_secret

LIMIT = 1 << 16  # the smallest max_request_bytes the settings accept


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bodies")
    create_key_file(path / "vault.key")
    return path


@pytest.fixture
def rc(db: Database, roles: Roles, home: Path, monkeypatch: pytest.MonkeyPatch) -> RoleClients:
    """The API with a 64 KiB body limit and a 256 KiB vault (the app reads both per request)."""
    clients = roles.clients(db, home)
    app: FastAPI = clients.app
    small = app.state.settings.model_copy(
        update={"max_request_bytes": LIMIT, "vault_max_upload_bytes": 256 << 10}
    )
    monkeypatch.setattr(app.state, "settings", small)
    return clients


def _chunks(size: int, chunk: int = 4096) -> Iterator[bytes]:
    for _ in range(size // chunk):
        yield b"x" * chunk


def _is_413(response_status: int, content_type: str, detail: str) -> None:
    assert response_status == 413
    assert content_type.startswith("application/problem+json")
    assert "this address accepts; send a smaller one" in detail


def test_a_declared_body_past_the_limit_is_refused_before_it_is_read(rc: RoleClients) -> None:
    """300 MB announced to identify: refused from the header alone (256 MiB there)."""
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/identify",
            headers={**rc.headers(Role.LEGAL), "Content-Length": str(300_000_000)},
            content=b"x" * 10,
        )
    _is_413(r.status_code, r.headers["content-type"], r.json()["detail"])
    assert "256 MiB" in r.json()["detail"]


def test_a_chunked_body_is_counted_as_it_streams(rc: RoleClients) -> None:
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/agreements/analyse?kind=nda",
            headers={**rc.headers(Role.LEGAL), "X-Filename": "nda.txt"},
            content=_chunks(4 * LIMIT),
        )
    _is_413(r.status_code, r.headers["content-type"], r.json()["detail"])
    assert "65,536 bytes" in r.json()["detail"]


def test_a_chunked_body_is_cut_off_as_soon_as_it_passes_the_limit(rc: RoleClients) -> None:
    """Straight through ASGI, counting what the app pulls: it stops at the chunk that passes
    the limit, and the answer is the 413."""
    pulled = 0

    async def receive() -> dict[str, object]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 4096, "more_body": pulled < 1000}

    sent: list[dict[str, object]] = []

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    token = rc.headers(Role.LEGAL)["Authorization"].encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{API_PREFIX}/agreements/analyse",
        "raw_path": f"{API_PREFIX}/agreements/analyse".encode(),
        "query_string": b"kind=nda",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"authorization", token)],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    anyio.run(rc.app, scope, receive, send)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
    assert pulled == LIMIT // 4096 + 1  # the chunk past the limit is the last one read


def test_a_body_within_the_limit_passes(rc: RoleClients) -> None:
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/identify",
            headers={**rc.headers(Role.LEGAL), "Content-Type": "application/octet-stream"},
            content=b"nothing to see here\n" * 100,
        )
    assert r.status_code == 200, r.text


def test_a_vault_upload_takes_more_than_the_default_limit(rc: RoleClients, db: Database) -> None:
    with db.unit_of_work() as session:
        secret = make_secret(session, system_actor("test"), owner=rc.people[Role.SECRET_OWNER])
    upload = f"{API_PREFIX}/documents?owner_type=secret&owner={secret.ref}"
    with rc.client() as client:
        r = client.post(upload, headers=rc.headers(Role.ADMIN), content=_chunks(4 * LIMIT))
        assert r.status_code == 201, r.text
        # past the vault's own limit plus the form framing, the edge refuses it too
        over = 256 * 1024 + (1 << 20) + 1
        r = client.post(
            upload,
            headers={**rc.headers(Role.ADMIN), "Content-Length": str(over)},
            content=b"x",
        )
        assert r.status_code == 413


def test_a_page_gets_a_page_that_says_what_to_do(
    app: FastAPI,
    client_for: Callable[..., TestClient],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        app.state, "settings", app.state.settings.model_copy(update={"max_request_bytes": LIMIT})
    )
    client = client_for(Role.LEGAL)
    form = {"Content-Type": "multipart/form-data; boundary=x"}
    r = client.post("/identify", headers={**form, "Content-Length": "300000000"}, content=b"x")
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")
    assert "This form accepts up to 257 MiB: go back and choose a smaller file." in r.text
    assert "content-security-policy" in r.headers  # still under the security headers
