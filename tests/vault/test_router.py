"""The documents API: the role x action matrix, streamed upload and download, audited reads,
damage that aborts a download, destruction with its certificate."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.vault import service
from crownjewels.vault.blobs import LocalBlobStore
from crownjewels.vault.errors import CorruptContent
from crownjewels.vault.keys import create_key_file
from tests.api_support import RoleClients, Roles, connection  # noqa: F401
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person
from tests.vault import samples

P = Permission
DOCS = f"{API_PREFIX}/documents"


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    create_key_file(tmp_path / "vault.key")
    return roles.clients(db, tmp_path)


@pytest.fixture
def world(db: Database, rc: RoleClients, tmp_path: Path) -> dict[str, str]:
    """A secret of somebody else's with a document, and one of the secret-owner user's."""
    admin = system_actor("test")
    vault = service.open_vault(rc.app.state.settings)  # the app's: blobs under tmp_path
    with db.unit_of_work() as session:
        theirs = make_secret(session, admin, owner=make_person(session, admin), name="Theirs")
        mine = make_secret(session, admin, owner=rc.people[Role.SECRET_OWNER], name="Mine")
        doc = service.add_document(
            session,
            actor=admin,
            vault=vault,
            owner_type="secret",
            owner_ref=theirs.ref,
            title="Their drawing",
            upload=io.BytesIO(samples.text()),
        )
    return {"theirs": theirs.ref, "mine": mine.ref, "doc": doc.id}


#: roles without documents:read that read the documents of some owner kind of their own
#: roles that read other owners' documents without documents:read (certificates and agreements;
#: a case handler the report channel's attachments), so a secret's document is not found
OTHER_READERS = {Role.VENDOR_MANAGER, Role.VENDOR_USER, Role.CASE_HANDLER}


def _expected(name: str, role: Role, perm: Permission, scoped: bool, ok: int) -> int:
    granted = MATRIX[role]
    if name in ("show", "download") and perm not in granted and role in OTHER_READERS:
        return 404  # they read other owners' documents (certificates, agreements), not secrets'
    if perm not in granted:
        return 403
    if scoped and P.SECRETS_READ_ALL not in granted:
        return 404
    if perm is P.DOCUMENTS_WRITE and P.SECRETS_WRITE_ALL not in granted:
        # documents:write alone (a vendor manager: certificates, agreements) reaches no one
        # else's secret: the secret is refused, a document it cannot read is not found
        unseen = name in ("new version", "personal data") and P.DOCUMENTS_READ not in granted
        return 404 if unseen else 403
    return ok


ROWS = [
    ("list", "GET", "", None, P.DOCUMENTS_READ, False, 200),
    (
        "upload",
        "POST",
        "?owner_type=secret&owner={theirs}&title=x",
        b"hello",
        P.DOCUMENTS_WRITE,
        True,
        201,
    ),
    ("show", "GET", "/{doc}", None, P.DOCUMENTS_READ, True, 200),
    ("download", "GET", "/{doc}/content", None, P.DOCUMENTS_READ, True, 200),
    ("new version", "POST", "/{doc}/versions", b"v2", P.DOCUMENTS_WRITE, True, 201),
    (
        "personal data",
        "PUT",
        "/{doc}/personal-data",
        {"personal_data": True, "data_subject_regions": ["de"]},
        P.DOCUMENTS_WRITE,
        True,
        200,
    ),
    ("hold", "POST", "/{doc}/hold", {"reason": "litigation"}, P.DOCUMENTS_DESTROY, True, 200),
    ("destroy", "POST", "/{doc}/destroy", {"reason": "expired"}, P.DOCUMENTS_DESTROY, True, 200),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_permission_matrix(
    rc: RoleClients, world: dict[str, str], role: Role, row: tuple[object, ...]
) -> None:
    name, method, path, body, perm, scoped, ok = row
    assert isinstance(path, str) and isinstance(method, str) and isinstance(perm, Permission)
    url = DOCS + path.format(**world)
    kwargs = {"json": body} if isinstance(body, dict) else {"content": body}
    with rc.client() as client:
        r = client.request(method, url, headers=rc.headers(role), **kwargs)  # type: ignore[arg-type]
    expected = _expected(str(name), role, perm, bool(scoped), int(ok))  # type: ignore[call-overload]
    assert r.status_code == expected, f"{role.value} {name}: {r.text}"


def _chunks(data: bytes, size: int = 65536) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def test_owner_uploads_streamed_and_reads_back(rc: RoleClients, world: dict[str, str]) -> None:
    data = samples.docx() + b""  # a DOCX, typed by content
    big = samples.binary() * 700  # about 3.5 MB: several segments, sent in chunks
    h = rc.headers(Role.SECRET_OWNER)
    with rc.client() as client:
        r = client.post(
            f"{DOCS}?owner_type=secret&owner={world['mine']}&title=Spec",
            content=_chunks(data),
            headers={**h, "X-Filename": "spec.bin"},
        )
        assert r.status_code == 201, r.text
        doc = r.json()
        assert doc["versions"][0]["media_type"].endswith("wordprocessingml.document")
        assert doc["versions"][0]["filename"] == "spec.bin"
        r = client.post(f"{DOCS}/{doc['id']}/versions", content=_chunks(big), headers=h)
        assert r.status_code == 201 and r.json()["current_version"] == 2
        got = client.get(f"{DOCS}/{doc['id']}/content", headers=h)
        assert got.status_code == 200 and got.content == big
        assert got.headers["x-content-sha256"] == r.json()["versions"][1]["sha256"]
        old = client.get(f"{DOCS}/{doc['id']}/content?version=1", headers=h)
        assert old.content == data
        # a download under its own name, never kept in a cache
        assert old.headers["content-disposition"].startswith('attachment; filename="spec.bin"')
        assert old.headers["cache-control"] == "no-store"
        listed = client.get(f"{DOCS}?owner_type=secret&owner={world['mine']}", headers=h).json()
        assert [d["id"] for d in listed] == [doc["id"]]
        events = client.get(
            f"{API_PREFIX}/custody/events?subject=document:{doc['id']}",
            headers=rc.headers(Role.LEGAL),
        ).json()["items"]
        assert [e["event_type"] for e in events] == [
            "DOCUMENT_READ",
            "DOCUMENT_READ",
            "DOCUMENT_VERSION_ADDED",
            "DOCUMENT_ADDED",
        ]


def test_refused_upload_is_a_clear_problem(rc: RoleClients, world: dict[str, str]) -> None:
    with rc.client() as client:
        r = client.post(
            f"{DOCS}?owner_type=secret&owner={world['mine']}",
            content=samples.malformed_pdf(),
            headers=rc.headers(Role.SECRET_OWNER),
        )
    assert r.status_code == 422 and "not a valid PDF" in r.json()["detail"]


def _damage(tmp_path: Path, version_id: str, offset: int) -> None:
    blob = LocalBlobStore(tmp_path / "blobs").path(version_id)
    damaged = bytearray(blob.read_bytes())
    damaged[offset] ^= 0xFF
    blob.write_bytes(bytes(damaged))


def test_damaged_first_segment_is_a_clear_error(
    rc: RoleClients, world: dict[str, str], tmp_path: Path
) -> None:
    h = rc.headers(Role.LEGAL)
    with rc.client() as client:
        doc = client.get(f"{DOCS}/{world['doc']}", headers=h).json()
        _damage(tmp_path, doc["versions"][0]["id"], -5)
        r = client.get(f"{DOCS}/{world['doc']}/content", headers=h)
    assert r.status_code == 500 and "failed authentication" in r.json()["detail"]
    assert samples.MARKER not in r.content


def test_damage_in_a_later_segment_aborts_the_transfer(
    rc: RoleClients, world: dict[str, str], tmp_path: Path
) -> None:
    h = rc.headers(Role.LEGAL)
    big = bytes(3 << 20)  # three 1 MiB segments and one empty final one
    with rc.client() as client:
        doc = client.post(f"{DOCS}/{world['doc']}/versions", content=big, headers=h).json()
        _damage(tmp_path, doc["versions"][-1]["id"], -(1 << 20))
        with pytest.raises(RuntimeError, match="response already started") as caught:
            client.get(f"{DOCS}/{world['doc']}/content", headers=h)
    assert isinstance(caught.value.__cause__, CorruptContent)


def test_destroy_then_read_is_gone_with_a_certificate(
    rc: RoleClients, world: dict[str, str]
) -> None:
    h = rc.headers(Role.LEGAL)
    with rc.client() as client:
        assert (
            client.post(
                f"{DOCS}/{world['doc']}/hold", headers=h, json={"reason": "case 9"}
            ).status_code
            == 200
        )
        r = client.post(f"{DOCS}/{world['doc']}/destroy", headers=h, json={"reason": "done"})
        assert r.status_code == 409 and "legal hold" in r.json()["detail"]
        assert client.delete(f"{DOCS}/{world['doc']}/hold", headers=h).status_code == 200
        r = client.post(f"{DOCS}/{world['doc']}/destroy", headers=h, json={"reason": "done"})
        assert r.status_code == 200, r.text
        cert = r.json()
        assert (
            cert["versions"][0]["sha256"] and cert["inclusion_proof"]["seq"] == cert["custody_seq"]
        )
        gone = client.get(f"{DOCS}/{world['doc']}/content", headers=h)
        assert gone.status_code == 410 and "destroyed" in gone.json()["detail"]
        again = client.get(f"{DOCS}/{world['doc']}/certificate", headers=h).json()
        assert again["id"] == cert["id"]
