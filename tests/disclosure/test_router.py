"""The copies API: the role x action matrix, a marked copy as the response body that identify
names, copies listed per secret, and a foreign or unmarked file named as such."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.vault import service as vault_service
from crownjewels.vault.keys import create_key_file
from tests.access.factories import bind_for_access
from tests.access.refusals import refusals
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.core.archive_samples import docx_bomb
from tests.disclosure.helpers import make_pdf, prose
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person

P = Permission


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's home: its vault key and the blobs of the world's documents (a blob a test
    writes stays behind, unreferenced, when the test's rows roll back)."""
    path = tmp_path_factory.mktemp("disclosure-router")
    create_key_file(path / "vault.key")
    return path


@pytest.fixture
def rc(db: Database, roles: Roles, home: Path) -> RoleClients:
    return roles.clients(db, home)


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles, home: Path) -> dict[str, str]:
    """A secret of somebody else's with a PDF, and one of the secret-owner user's with text."""
    admin = system_actor("test")
    rc = roles.clients(module_db, home)
    vault = vault_service.open_vault(rc.app.state.settings)
    with module_db.unit_of_work() as session:
        theirs = make_secret(session, admin, owner=make_person(session, admin), name="Theirs")
        mine = make_secret(session, admin, owner=rc.people[Role.SECRET_OWNER], name="Mine")
        docs = {}
        for key, secret, data in (("doc", theirs, make_pdf(1)), ("mydoc", mine, prose(2).encode())):
            docs[key] = vault_service.add_document(
                session,
                actor=admin,
                vault=vault,
                owner_type="secret",
                owner_ref=secret.ref,
                title=f"{secret.name} sheet",
                upload=io.BytesIO(data),
                filename="sheet.pdf" if key == "doc" else "sheet.txt",
            ).id
        # a secret's copy asks access first: every reader's person passes every rule
        readers = [p for r, p in rc.people.items() if P.DOCUMENTS_READ in MATRIX[r]]
        for person in readers:
            for secret in (theirs, mine):
                bind_for_access(session, person_id=person.id, secret_id=secret.id)
    return {"theirs": theirs.ref, "mine": mine.ref, **docs}


@pytest.fixture
def connection(module_connection: Connection, module_world: dict[str, str]) -> Iterator[Connection]:
    """Each test in a savepoint over the module's roles and world, made once."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def world(module_world: dict[str, str]) -> dict[str, str]:
    return module_world


def _expected(role: Role, scoped: bool, ok: int) -> int:
    if P.DOCUMENTS_READ not in MATRIX[role]:
        return 403
    if scoped and P.SECRETS_READ_ALL not in MATRIX[role]:
        return 404
    return ok


ROWS = [
    ("issue copy", "POST", "/documents/{doc}/copies", {"purpose": "audit"}, None, True, 201),
    ("issue own copy", "POST", "/documents/{mydoc}/copies", {"purpose": "audit"}, None, False, 201),
    ("list copies", "GET", "/copies", None, None, False, 200),
    ("list a secret's copies", "GET", "/copies?secret={theirs}", None, None, True, 200),
    ("identify", "POST", "/identify", None, b"nothing to see here\n", False, 200),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_permission_matrix(
    rc: RoleClients, world: dict[str, str], role: Role, row: tuple[object, ...]
) -> None:
    name, method, path, body, content, scoped, ok = row
    assert isinstance(path, str) and isinstance(method, str) and isinstance(ok, int)
    with rc.client() as client:
        response = client.request(
            method,
            API_PREFIX + path.format(**world),
            json=body,
            content=content,  # type: ignore[arg-type]
            headers={**rc.headers(role), "Content-Type": "application/octet-stream"}
            if content
            else rc.headers(role),
        )
    expected = _expected(role, bool(scoped), ok)
    assert response.status_code == expected, f"{role.value} {name}: {response.text}"
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_copy_downloads_marked_and_identify_names_it(
    rc: RoleClients, world: dict[str, str]
) -> None:
    legal = rc.people[Role.LEGAL]
    ravi = rc.people[Role.SECURITY]
    h = rc.headers(Role.LEGAL)
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/documents/{world['doc']}/copies",
            headers=h,
            json={"purpose": "supplier audit", "recipient": ravi.email},
        )
        assert r.status_code == 201, r.text
        assert r.headers["content-type"] == "application/pdf"
        assert r.headers["x-copy-marked"] == "true"
        assert r.headers["content-disposition"] == (
            "attachment; filename=\"sheet.pdf\"; filename*=UTF-8''sheet.pdf"
        )
        assert r.headers["cache-control"] == "no-store"  # a secret's copy is never cached
        copy_id = r.headers["x-copy-id"]
        found = client.post(
            f"{API_PREFIX}/identify",
            headers={**h, "Content-Type": "application/octet-stream"},
            content=r.content,
        )
        assert found.status_code == 200, found.text
        verdict = found.json()
        assert verdict["verdict"] == "identified" and verdict["copy_id"] == copy_id
        assert verdict["record"]["recipient_name"] == ravi.full_name
        assert verdict["record"]["issued_by"].startswith("user:")
        listed = client.get(f"{API_PREFIX}/copies?secret={world['theirs']}", headers=h).json()
        assert [c["id"] for c in listed] == [copy_id]
        assert listed[0]["channel"] == "api" and listed[0]["purpose"] == "supplier audit"
        assert client.get(f"{API_PREFIX}/copies/{copy_id}", headers=h).json()["id"] == copy_id
        # the secret owner may not see the copy of someone else's secret
        so = rc.headers(Role.SECRET_OWNER)
        assert client.get(f"{API_PREFIX}/copies/{copy_id}", headers=so).status_code == 404
        assert client.get(f"{API_PREFIX}/copies", headers=so).json() == []
    assert legal.id != ravi.id


def test_a_copy_needs_a_purpose(rc: RoleClients, world: dict[str, str]) -> None:
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/documents/{world['doc']}/copies",
            headers=rc.headers(Role.ADMIN),
            json={"purpose": ""},
        )
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_a_denied_copy_is_403_with_every_reason(rc: RoleClients, world: dict[str, str]) -> None:
    admin = system_actor("test")
    with rc.app.state.db.unit_of_work() as session:
        stranger = make_person(session, admin, name="Sam Stranger")
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/documents/{world['doc']}/copies",
            headers=rc.headers(Role.LEGAL),
            json={"purpose": "supplier audit", "recipient": stranger.email},
        )
        assert r.status_code == 403, r.text
        problem = r.json()
        assert problem["reasons"] and all(x in problem["detail"] for x in problem["reasons"])
        assert "Sam Stranger may not download" in problem["detail"]
        listed = client.get(f"{API_PREFIX}/copies", headers=rc.headers(Role.LEGAL)).json()
        assert listed == []
    # the refusal is evidence: its ACCESS_DENIED outlived the refused request's rollback
    kept = refusals(rc.app.state.db, stranger.id)
    assert [(r["action"], r["document_id"]) for r in kept] == [("download", world["doc"])]


def test_identify_refuses_a_zip_bomb_docx(rc: RoleClients) -> None:
    """A found 'DOCX' that would expand to 64 MiB of XML is refused, not parsed."""
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/identify",
            headers={**rc.headers(Role.LEGAL), "Content-Type": "application/octet-stream"},
            content=docx_bomb(),
        )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "refused as a zip bomb" in r.json()["detail"]
