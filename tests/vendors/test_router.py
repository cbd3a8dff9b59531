"""The vendors API: the role x action matrix (allowed 2xx, forbidden 403, a vendor that does not
exist 404), bad input as problem+json with nothing written, the certificate into the vault."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.parties.schemas import OrgKind
from crownjewels.vault.keys import create_key_file
from crownjewels.vendors import certifications, contacts, service
from crownjewels.vendors.schemas import CertificationCreate, ContactCreate, SubcontractorAdd
from crownjewels.vendors.transfers import service as transfers
from crownjewels.vendors.transfers.schemas import MechanismCreate, TiaCreate
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.parties.factories import make_org
from tests.vault import samples
from tests.vendors.factories import make_vendor

P = Permission
V = f"{API_PREFIX}/vendors"


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    create_key_file(tmp_path / "vault.key")
    return roles.clients(db, tmp_path)


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles) -> dict[str, str]:
    """Two vendor profiles (B subcontracts for A), a certification, a contact, a bare vendor
    organisation without a profile."""
    admin = system_actor("test")
    with module_db.unit_of_work() as session:
        a = make_vendor(session, admin, name="Alpha Services", countries=["IN"])
        b = make_vendor(session, admin, name="Beta Hosting", countries=["SG"])
        service.add_subcontractor(
            session, actor=admin, vendor_ref=a.ref,
            data=SubcontractorAdd(subcontractor=b.ref, service="hosting"),
        )  # fmt: skip
        cert = certifications.add_certification(
            session, actor=admin, vendor_ref=a.ref,
            data=CertificationCreate(standard="iso-27001", issuer="BSI"),  # type: ignore[arg-type]
        )  # fmt: skip
        contact = contacts.add_contact(
            session, actor=admin, vendor_ref=a.ref,
            data=ContactCreate(name="Arjun", email="arjun@alpha.example"),
        )  # fmt: skip
        org = make_org(session, admin, name="Gamma Cartridges", kind=OrgKind.VENDOR, country="VN")
        bcr = transfers.record_mechanism(
            session, actor=admin, vendor_ref=a.ref,
            data=MechanismCreate(kind="bcr", regime="GDPR"),  # type: ignore[arg-type]
        )  # fmt: skip
        tia = transfers.record_assessment(
            session, actor=admin, vendor_ref=a.ref,
            data=TiaCreate.model_validate(
                {"regime": "GDPR", "country": "IN", "assessed_on": "2026-01-05",
                 "outcome": "proceed"}
            ),
        )  # fmt: skip
    return {
        "a": a.ref, "b": b.ref, "cert": cert.id, "contact": contact.id, "org": org.id,
        "mechanism": bcr.id, "assessment": tia.id,
    }  # fmt: skip


@pytest.fixture
def connection(module_connection: Connection, module_world: dict[str, str]) -> Iterator[Connection]:
    """Each test in a savepoint over the module's roles and world, made once."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def world(module_world: dict[str, str]) -> dict[str, str]:
    return module_world


R, W = P.VENDORS_READ, P.VENDORS_WRITE
#: (name, method, path, body, permissions needed, success status); "{a}" etc. from `world`
ROWS: list[tuple[str, str, str, Any, tuple[Permission, ...], int]] = [
    ("list", "GET", "", None, (R,), 200),
    ("risk", "GET", "/risk", None, (R,), 200),
    ("show", "GET", "/{a}", None, (R,), 200),
    ("jurisdictions", "GET", "/{a}/jurisdictions", None, (R,), 200),
    ("create", "POST", "", {"organisation_id": "{org}", "services": "moulding",
                            "criticality": "high", "countries": ["VN"]}, (W,), 201),
    ("update", "PATCH", "/{a}", {"notes": "renewal in Q3"}, (W,), 200),
    ("status", "POST", "/{a}/status", {"status": "onboarding", "reason": "NDA signed"}, (W,), 200),
    ("review", "POST", "/{a}/reviews", {"notes": "all fine"}, (W,), 201),
    ("add country", "POST", "/{a}/countries", {"country": "PH"}, (W,), 201),
    ("remove country", "DELETE", "/{a}/countries/IN", None, (W,), 200),
    ("remove subcontractor", "DELETE", "/{a}/subcontractors/{b}", None, (W,), 200),
    ("add subcontractor", "POST", "/{b}/subcontractors",
     {"subcontractor": "{org_ref}", "service": "x"}, (W,), 201),
    ("add certification", "POST", "/{a}/certifications",
     {"standard": "soc2-type2", "issuer": "EY", "expires_on": "2030-01-01"}, (W,), 201),
    ("upload certificate", "POST", "/{a}/certifications/{cert}/certificate", b"PDF",
     (W, P.DOCUMENTS_WRITE), 201),
    ("remove certification", "DELETE", "/{a}/certifications/{cert}", None, (W,), 200),
    ("add contact", "POST", "/{a}/contacts", {"name": "Kavya", "email": "k@alpha.example"},
     (W,), 201),
    ("update contact", "PATCH", "/{a}/contacts/{contact}", {"is_primary": True}, (W,), 200),
    ("remove contact", "DELETE", "/{a}/contacts/{contact}", None, (W,), 200),
    ("transfers", "GET", "/{a}/transfers", None, (R,), 200),
    ("record mechanism", "POST", "/{a}/transfers/mechanisms",
     {"kind": "scc", "regime": "GDPR", "module": "C2P", "countries": ["IN"]}, (W,), 201),
    ("revoke mechanism", "POST", "/{a}/transfers/mechanisms/{mechanism}/revoke",
     {"reason": "terminated"}, (W,), 200),
    ("record assessment", "POST", "/{a}/transfers/assessments",
     {"regime": "GDPR", "country": "IN", "assessed_on": "2026-02-01", "outcome": "proceed"},
     (W,), 201),
    ("revoke assessment", "POST", "/{a}/transfers/assessments/{assessment}/revoke",
     {"reason": "superseded"}, (W,), 200),
    ("transfers missing", "GET", "/VN-9999/transfers", None, (R,), 404),
    ("show missing", "GET", "/VN-9999", None, (R,), 404),
    ("update missing", "PATCH", "/VN-9999", {"notes": "x"}, (W,), 404),
]  # fmt: skip


def _fill(value: Any, world: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_permission_matrix(
    db: Database, rc: RoleClients, world: dict[str, str], role: Role, row: tuple[Any, ...]
) -> None:
    name, method, path, body, needs, ok = row
    if name == "add subcontractor":  # a third profile to link: made now, as a plain fixture
        with db.unit_of_work() as session:
            world = {**world, "org_ref": make_vendor(session, system_actor("t")).ref}
    kwargs: dict[str, Any] = {}
    if isinstance(body, bytes):
        kwargs["content"] = samples.pdf()
    elif body is not None:
        kwargs["json"] = _fill(body, world)
    with rc.client() as client:
        r = client.request(method, V + _fill(path, world), headers=rc.headers(role), **kwargs)
    # the route's own permission decides first; the vault's documents:write comes after
    expected = ok if all(p in MATRIX[role] for p in needs) else 403
    assert r.status_code == expected, f"{role.value} {name}: {r.text}"
    if expected >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")


def _count(rc: RoleClients, query: str = "") -> int:
    with rc.client() as client:
        got = client.get(f"{V}{query}", headers=rc.headers(Role.AUDITOR))
    assert got.status_code == 200, got.text
    total: int = got.json()["total"]
    return total


@pytest.mark.parametrize(
    ("body", "status", "needle"),
    [
        ({"criticality": "extreme"}, 422, "criticality"),
        ({"countries": ["ZZ"]}, 422, "not an ISO 3166 country code"),
        ({"organisation_id": "Alpha Services"}, 409, "already has the vendor profile"),
        ({"organisation_id": "Nowhere Ltd"}, 404, "Nowhere Ltd"),
    ],
)
def test_bad_create_is_a_problem_and_writes_nothing(
    rc: RoleClients, world: dict[str, str], body: dict[str, Any], status: int, needle: str
) -> None:
    payload = {"organisation_id": world["org"], "services": "x", "criticality": "low", **body}
    before = _count(rc)
    with rc.client() as client:
        r = client.post(V, json=payload, headers=rc.headers(Role.VENDOR_MANAGER))
    assert r.status_code == status and needle in r.json()["detail"], r.text
    assert _count(rc) == before


def test_non_vendor_organisation_and_cycle_are_refused(
    db: Database, rc: RoleClients, world: dict[str, str]
) -> None:
    with db.unit_of_work() as session:
        own = make_org(session, system_actor("t"), name="Us Inc", kind=OrgKind.OWN, country="US")
    h = rc.headers(Role.VENDOR_MANAGER)
    with rc.client() as client:
        r = client.post(
            V, json={"organisation_id": own.id, "services": "x", "criticality": "low"}, headers=h
        )
        assert r.status_code == 422 and "not vendor" in r.json()["detail"]
        r = client.post(
            f"{V}/{world['b']}/subcontractors",
            json={"subcontractor": world["a"], "service": "back"},
            headers=h,
        )
        assert r.status_code == 422, r.text
        assert f"cycle {world['b']} -> {world['a']} -> {world['b']}" in r.json()["detail"]
        shown = client.get(f"{V}/{world['b']}", headers=h).json()
        assert shown["subcontractors"] == []
        r = client.post(
            f"{V}/{world['a']}/certifications",
            json={"standard": "tisax", "issuer": "x", "issued_on": "2026-05-01",
                  "expires_on": "2026-04-01"},
            headers=h,
        )  # fmt: skip
        assert r.status_code == 422 and "before the issue date" in r.json()["detail"]
        assert len(client.get(f"{V}/{world['a']}", headers=h).json()["certifications"]) == 1


def test_filters_and_risk_view(rc: RoleClients, world: dict[str, str]) -> None:
    assert _count(rc) == 2
    assert _count(rc, "?country=SG") == 2  # Alpha's subcontractor processes in SG
    assert _count(rc, "?country=IN") == 1
    assert _count(rc, "?criticality=low") == 0
    assert _count(rc, "?q=alpha") == 1
    with rc.client() as client:
        bad = client.get(f"{V}?country=ZZ", headers=rc.headers(Role.AUDITOR))
        assert bad.status_code == 422 and "ISO 3166" in bad.json()["detail"]
        matrix = client.get(f"{V}/risk", headers=rc.headers(Role.AUDITOR)).json()
        panels = client.get(f"{V}/{world['a']}/jurisdictions", headers=rc.headers(Role.AUDITOR))
    rows = {r["country"]: r["counts"]["high"] for r in matrix["rows"]}
    assert rows == {"IN": 1, "SG": 2}
    by_code = {p["code"]: p for p in panels.json()}
    assert list(by_code) == ["IN", "SG"] and by_code["IN"]["own"] and not by_code["SG"]["own"]
    india = by_code["IN"]
    assert india["profile"]["ustr_special_301"]["list"] == "PWL"
    assert any(src["url"].startswith("https://") for src in india["sources"])
    assert india["notes"] and india["stale"]


def test_certificate_upload_lands_in_the_vault(rc: RoleClients, world: dict[str, str]) -> None:
    pdf = samples.pdf()
    h = rc.headers(Role.ADMIN)
    with rc.client() as client:
        r = client.post(
            f"{V}/{world['a']}/certifications/{world['cert']}/certificate",
            content=pdf,
            headers={**h, "X-Filename": "iso27001.pdf"},
        )
        assert r.status_code == 201, r.text
        doc_id = r.json()["document_id"]
        got = client.get(f"{API_PREFIX}/documents/{doc_id}/content", headers=h)
        assert got.status_code == 200 and got.content == pdf
        doc = client.get(f"{API_PREFIX}/documents/{doc_id}", headers=h).json()
        assert (doc["owner_type"], doc["owner_label"]) == ("vendor", world["a"])
        empty = client.post(
            f"{V}/{world['a']}/certifications/{world['cert']}/certificate", content=b"", headers=h
        )
        assert empty.status_code == 422 and "empty" in empty.json()["detail"]


def test_eu_sccs_for_uk_data_are_refused_in_words(rc: RoleClients, world: dict[str, str]) -> None:
    with rc.client() as client:
        r = client.post(
            f"{V}/{world['a']}/transfers/mechanisms",
            json={"kind": "scc", "regime": "UK", "module": "C2P"},
            headers=rc.headers(Role.VENDOR_MANAGER),
        )
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "the EU SCCs alone are not a UK mechanism" in r.text
        listed = client.get(f"{V}/{world['a']}/transfers", headers=rc.headers(Role.AUDITOR))
    assert [m["kind"] for m in listed.json()["mechanisms"]] == ["bcr"]
