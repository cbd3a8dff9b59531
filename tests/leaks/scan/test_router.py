"""The scans API: the role x action matrix, a pasted text and a raw-body zip scanned through
the API with their matches, a match reviewed, a watch added, and bad input named."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from tests.api_support import RoleClients, Roles, app_for
from tests.conftest import savepoint_per_test
from tests.leaks.scan.world import UNRELATED, World, excerpt, make_world

BASE = f"{API_PREFIX}/leaks"


@pytest.fixture(scope="module")
def world(module_db: Database, roles: Roles, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def rc(db: Database, roles: Roles, world: World) -> RoleClients:
    return RoleClients(app=app_for(world.settings, db), tokens=roles.tokens, people=roles.people)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_matrix(rc: RoleClients, role: Role, tmp_path: Path) -> None:
    """Reading needs leaks:read, scanning text leaks:review, a server path leaks:manage."""
    (tmp_path / "x.py").write_text(UNRELATED)
    rows = [
        ("GET", "/scans", None, Permission.LEAKS_READ, 200),
        ("GET", "/matches", None, Permission.LEAKS_READ, 200),
        ("GET", "/watches", None, Permission.LEAKS_READ, 200),
        ("POST", "/scans", {"text": UNRELATED}, Permission.LEAKS_REVIEW, 201),
        ("POST", "/scans", {"target": str(tmp_path)}, Permission.LEAKS_MANAGE, 201),
        (
            "POST",
            "/watches",
            {"name": "Share", "target": str(tmp_path)},
            Permission.LEAKS_MANAGE,
            201,
        ),
    ]
    with rc.client() as client:
        for method, path, body, needs, ok in rows:
            r = client.request(method, BASE + path, headers=rc.headers(role), json=body)
            if needs in MATRIX[role]:
                assert r.status_code == ok, f"{role.value} {method} {path}: {r.text}"
            else:
                assert r.status_code == 403, f"{role.value} {method} {path}: {r.text}"


def test_scan_review_and_read_back(rc: RoleClients) -> None:
    h = rc.headers(Role.SECURITY)
    with rc.client() as client:
        r = client.post(f"{BASE}/scans", headers=h, json={"text": excerpt()})
        assert r.status_code == 201, r.text
        scan = r.json()
        (match,) = scan["found"]
        assert "identifiers renamed" in match["verdict"] and match["passages"]
        assert client.get(f"{BASE}/scans/{scan['ref']}", headers=h).json()["matches"] == 1
        shown = client.get(f"{BASE}/matches/{match['ref'].lower()}", headers=h).json()
        assert shown["ref"] == match["ref"] and shown["status"] == "new"
        r = client.post(f"{BASE}/matches/{match['ref']}/dismiss", headers=h, json={"reason": ""})
        assert r.status_code == 422
        r = client.post(
            f"{BASE}/matches/{match['ref']}/dismiss", headers=h, json={"reason": "licensed"}
        )
        assert r.status_code == 200 and r.json()["status"] == "dismissed"
        r = client.post(f"{BASE}/matches/{match['ref']}/confirm", headers=h, json={})
        assert r.status_code == 409 and "already dismissed" in r.json()["detail"]
        assert client.get(f"{BASE}/matches?status=new", headers=h).json() == []
        assert client.get(f"{BASE}/matches/LM-9999", headers=h).status_code == 404


def test_a_zip_as_the_raw_body(rc: RoleClients) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("src/utils.py", excerpt())
    with rc.client() as client:
        r = client.post(
            f"{BASE}/scans/file?filename=dump.zip",
            headers=rc.headers(Role.LEGAL),
            content=buffer.getvalue(),
        )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["target"] == "uploaded dump.zip" and body["target_kind"] == "archive"
    assert [m["file_path"] for m in body["found"]] == ["dump.zip!src/utils.py"]


def test_bad_input_is_named(rc: RoleClients) -> None:
    h = rc.headers(Role.ADMIN)
    with rc.client() as client:
        r = client.post(f"{BASE}/scans", headers=h, json={})
        assert r.status_code == 422 and "either a target or text" in r.text
        r = client.post(f"{BASE}/scans", headers=h, json={"target": "/no/such/place"})
        assert r.status_code == 422 and "no file or folder" in r.text
