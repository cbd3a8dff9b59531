"""The agreements API: the role x action matrix (agreements:read / write / review, and the
vault's documents permissions for uploads and analysis), a streamed upload analysed end to end,
problem+json errors, and the analysis of a file alone."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection

from crownjewels.agreements import documents, service
from crownjewels.agreements.schemas import AgreementCreate
from crownjewels.app import API_PREFIX
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from tests.agreements.samples import NDA_TEXT, nda_pdf, scanned_pdf
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.core.archive_samples import docx_bomb
from tests.parties.factories import make_org

P = Permission
BASE = f"{API_PREFIX}/agreements"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TODAY = clock.today()


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The module's home: its vault key and the blobs of the world's documents (a blob a test
    writes stays behind, unreferenced, when the test's rows roll back)."""
    path = tmp_path_factory.mktemp("agreements-router")
    create_key_file(path / "vault.key")
    return path


@pytest.fixture
def rc(db: Database, roles: Roles, home: Path) -> RoleClients:
    return roles.clients(db, home)


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles, home: Path) -> dict[str, str]:
    """An NDA in force with an analysed text version, a draft, and a vendor."""
    admin = system_actor("test")
    vault_ = vault.open_vault(roles.clients(module_db, home).app.state.settings)
    with module_db.unit_of_work() as session:
        org = make_org(session, admin, name="Bayani Contact Solutions", country="PH")
        nda = service.create(
            session,
            actor=admin,
            data=AgreementCreate.model_validate(
                {
                    "kind": "nda",
                    "title": "NDA Bayani",
                    "status": "in_force",
                    "effective_on": TODAY - timedelta(days=10),
                    "expires_on": TODAY + timedelta(days=300),
                    "governing_law": "US",
                    "parties": [{"organisation": org.id}],
                }
            ),
        )
        draft = service.create(
            session,
            actor=admin,
            data=AgreementCreate.model_validate({"kind": "msa", "title": "MSA draft"}),
        )
        documents.upload_version(
            session,
            actor=admin,
            vault_=vault_,
            agreement_ref=nda.ref,
            upload=io.BytesIO(NDA_TEXT.encode()),
            filename="nda.txt",
        )
        detail = documents.analyse_version(
            session, actor=admin, vault_=vault_, agreement_ref=nda.ref
        )
    return {
        "ref": nda.ref,
        "draft": draft.ref,
        "org": org.id,
        "finding": detail.findings[0].id,
        "renew_to": str(TODAY + timedelta(days=800)),
    }


@pytest.fixture
def connection(module_connection: Connection, module_world: dict[str, str]) -> Iterator[Connection]:
    """Each test in a savepoint over the module's roles and world, made once."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def world(module_world: dict[str, str]) -> dict[str, str]:
    return module_world


W, R, RV = P.AGREEMENTS_WRITE, P.AGREEMENTS_READ, P.AGREEMENTS_REVIEW
ROWS: list[tuple[str, str, str, object, tuple[Permission, ...], int]] = [
    ("list", "GET", "?status=in_force", None, (R,), 200),
    ("create", "POST", "", {"kind": "dpa", "title": "DPA"}, (W,), 201),
    ("show", "GET", "/{ref}", None, (R,), 200),
    ("update", "PATCH", "/{ref}", {"forum": "SIAC"}, (W,), 200),
    ("activate", "POST", "/{draft}/activate", {}, (W,), 200),
    ("terminate", "POST", "/{ref}/terminate", {"reason": "offboarded"}, (W,), 200),
    ("renew", "POST", "/{ref}/renew", {"expires_on": "{renew_to}"}, (W,), 200),
    ("add party", "POST", "/{draft}/parties", {"organisation": "{org}"}, (W,), 201),
    ("add signatory", "POST", "/{ref}/signatories", {"name": "Maria Santos"}, (W,), 201),
    ("versions", "GET", "/{ref}/versions", None, (R,), 200),
    ("upload", "POST", "/{ref}/versions", NDA_TEXT.encode(), (W, P.DOCUMENTS_WRITE), 201),
    ("analyse", "POST", "/{ref}/analyse", None, (W,), 200),  # W reads agreements' documents
    ("findings", "GET", "/{ref}/findings", None, (R,), 200),
    ("review", "POST", "/{ref}/findings/{finding}/review", {"decision": "accepted"}, (RV,), 200),
    ("analyse a file", "POST", "/analyse?jurisdiction=US", NDA_TEXT.encode(), (R,), 200),
]


def _fill(value: object, world: dict[str, str]) -> object:
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_permission_matrix(
    rc: RoleClients,
    world: dict[str, str],
    role: Role,
    row: tuple[str, str, str, object, tuple[Permission, ...], int],
) -> None:
    name, method, path, body, needs, ok = row
    url = BASE + path.format(**world)
    kwargs = {"json": _fill(body, world)} if isinstance(body, dict) else {"content": body}
    with rc.client() as client:
        r = client.request(method, url, headers=rc.headers(role), **kwargs)  # type: ignore[arg-type]
    expected = ok if all(p in MATRIX[role] for p in needs) else 403
    assert r.status_code == expected, f"{role.value} {name}: {r.text}"
    if expected == 403:
        assert r.headers["content-type"].startswith("application/problem+json")


def _chunks(data: bytes, size: int = 4096) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


def test_streamed_pdf_upload_analysed_and_reviewed(rc: RoleClients, world: dict[str, str]) -> None:
    legal = rc.headers(Role.LEGAL)
    with rc.client() as client:
        r = client.post(
            f"{BASE}/{world['ref']}/versions",
            content=_chunks(nda_pdf()),
            headers={**legal, "X-Filename": "nda-signed.pdf"},
        )
        assert r.status_code == 201, r.text
        assert (r.json()["number"], r.json()["media_type"]) == (2, "application/pdf")
        r = client.post(f"{BASE}/{world['ref']}/analyse", headers=legal)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["findings_version"] == 2
        statuses = {f["requirement"]: f["status"] for f in body["findings"]}
        assert statuses["limited_use"] == "satisfied"
        assert statuses["breach_notification"] == "contradicted"
        target = next(f for f in body["findings"] if f["requirement"] == "breach_notification")
        r = client.post(
            f"{BASE}/{world['ref']}/findings/{target['id']}/review",
            json={"decision": "overridden", "status": "satisfied", "reason": "see schedule 2"},
            headers=legal,
        )
        assert r.status_code == 200 and r.json()["review_status"] == "satisfied"
        found = client.get(f"{BASE}/{world['ref']}/findings?version=2", headers=legal).json()
        shown = next(f for f in found if f["id"] == target["id"])
        assert shown["review"] == "overridden"
        assert shown["evidence"] and all(e["text"] is None for e in shown["evidence"])
        url = f"{BASE}/{world['ref']}/findings?version=2&quote=true"
        quoted = next(f for f in client.get(url, headers=legal).json() if f["id"] == target["id"])
        assert "shall not be required to notify" in quoted["evidence"][0]["text"]
        assert [e["start"] for e in quoted["evidence"]] == [e["start"] for e in shown["evidence"]]
        auditor = rc.headers(Role.AUDITOR)  # reads agreements, not their documents
        assert client.get(url.replace("&quote=true", ""), headers=auditor).status_code == 200
        assert client.get(url, headers=auditor).status_code == 403
        events = client.get(
            f"{API_PREFIX}/custody/events?subject=agreement:{body['id']}", headers=legal
        ).json()["items"]
        assert [e["event_type"] for e in events][:3] == [
            "AGREEMENT_FINDING_REVIEWED",
            "AGREEMENT_ANALYSED",
            "AGREEMENT_VERSION_UPLOADED",
        ]


def test_errors_are_problem_json(rc: RoleClients, world: dict[str, str]) -> None:
    admin = rc.headers(Role.ADMIN)
    with rc.client() as client:
        r = client.get(f"{BASE}/AG-1999-999", headers=admin)
        assert r.status_code == 404 and "agreements list" in r.json()["detail"]
        assert r.headers["content-type"].startswith("application/problem+json")
        r = client.post(
            BASE,
            json={
                "kind": "nda",
                "title": "x",
                "effective_on": "2026-02-01",
                "expires_on": "2026-01-01",
            },
            headers=admin,
        )
        assert r.status_code == 422 and "is before the effective date" in r.text
        r = client.post(BASE, json={"kind": "pact", "effective_on": "soon"}, headers=admin)
        errors = {e["field"]: e["message"] for e in r.json()["errors"]}
        assert r.status_code == 422 and errors["title"] == "Enter the title"
        assert errors["kind"] == "Choose the kind from the list"
        assert errors["effective_on"].startswith("Enter the effective date as YYYY-MM-DD")
        assert "Input should be" not in r.text and "Field required" not in r.text
        r = client.post(
            f"{BASE}/{world['ref']}/renew", json={"expires_on": "2000-01-01"}, headers=admin
        )
        assert r.status_code == 422 and "is not after the current one" in r.json()["detail"]
        r = client.post(
            f"{BASE}/{world['ref']}/findings/{world['finding']}/review",
            json={"decision": "overridden", "status": "satisfied"},
            headers=admin,
        )
        assert r.status_code == 422 and "needs a reason saying why" in r.text
        # a scanned PDF uploads (it is a valid PDF) but cannot be analysed; nothing changes
        r = client.post(f"{BASE}/{world['ref']}/versions", content=scanned_pdf(), headers=admin)
        assert r.status_code == 201
        r = client.post(f"{BASE}/{world['ref']}/analyse", headers=admin)
        assert r.status_code == 422
        assert "no text layer: run OCR first" in r.json()["detail"]
        shown = client.get(f"{BASE}/{world['ref']}", headers=admin).json()
        assert shown["findings_version"] == 1 and shown["versions"][1]["analysed_at"] is None
        r = client.post(f"{BASE}/analyse?jurisdiction=ZZ", content=NDA_TEXT.encode(), headers=admin)
        assert r.status_code == 422 and "'ZZ' is not an ISO 3166 country" in r.json()["detail"]
        # a real country without a profile: analysed under the fallback, which is named
        r = client.post(f"{BASE}/analyse?jurisdiction=ZA", content=NDA_TEXT.encode(), headers=admin)
        assert r.status_code == 200 and r.json()["profile"] == "nda/generic"
        assert "no requirement profile for jurisdiction ZA" in r.json()["fallback"]
        r = client.post(f"{BASE}/analyse?jurisdiction=IN", content=NDA_TEXT.encode(), headers=admin)
        assert r.status_code == 200 and r.json()["profile"] == "nda/IN"
        assert r.json()["fallback"] is None


def test_analyse_a_file_alone_records_nothing(rc: RoleClients, world: dict[str, str]) -> None:
    h = rc.headers(Role.AUDITOR)
    with rc.client() as client:
        before = client.get(f"{API_PREFIX}/custody/events", headers=h).json()["total"]
        r = client.post(
            f"{BASE}/analyse?kind=nda&jurisdiction=US",
            content=nda_pdf(),
            headers={**h, "Content-Type": "application/pdf", "X-Filename": "nda.pdf"},
        )
        assert r.status_code == 200, r.text
        findings = r.json()["findings"]
        assert {f["status"] for f in findings} <= {"satisfied", "contradicted", "not_mentioned"}
        assert all(
            {"requirement", "status", "evidence", "explanation"} <= f.keys() for f in findings
        )
        after = client.get(f"{API_PREFIX}/custody/events", headers=h).json()["total"]
    assert after == before


def test_list_filters_by_party_and_kind(rc: RoleClients, world: dict[str, str]) -> None:
    h = rc.headers(Role.VENDOR_MANAGER)
    with rc.client() as client:
        by_party = client.get(f"{BASE}?party=Bayani Contact Solutions", headers=h).json()
        assert [a["ref"] for a in by_party["items"]] == [world["ref"]]
        by_kind = client.get(f"{BASE}?kind=msa", headers=h).json()
        assert [a["ref"] for a in by_kind["items"]] == [world["draft"]]
        r = client.get(f"{BASE}?party=Nobody", headers=h)
        assert r.status_code == 404 and "no organisation 'Nobody'" in r.json()["detail"]


def test_a_zip_bomb_docx_is_refused_before_it_is_parsed(rc: RoleClients) -> None:
    """~70 KB that would expand to 64 MiB of XML: refused from its central directory."""
    h = rc.headers(Role.AUDITOR)
    with rc.client() as client:
        r = client.post(
            f"{BASE}/analyse?kind=nda&jurisdiction=US",
            content=docx_bomb(),
            headers={**h, "Content-Type": DOCX, "X-Filename": "nda.docx"},
        )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"].startswith("nda.docx: the ZIP archive would expand")
    assert "refused as a zip bomb" in r.json()["detail"]
