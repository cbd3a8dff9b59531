"""The due-diligence API through the HTTP client: the role x action matrix, vendor isolation
(a vendor user of vendor A cannot read vendor B's assessment: 404), and the full flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.inventory.schemas import Tier
from crownjewels.parties import tokens
from crownjewels.parties.schemas import TokenCreate
from crownjewels.vendors.diligence import loader, service
from crownjewels.vendors.diligence.schemas import AssessmentSend, Channel
from tests.api_support import RoleClients, Roles, connection  # noqa: F401
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import (
    full_answers,
    import_builtin,
    make_contact,
    make_vendor,
    make_vendor_user,
)

P = Permission


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


def _token(session: Any, user_id: str) -> str:
    return tokens.create_token(
        session,
        actor=system_actor("test"),
        user_id=user_id,
        data=TokenCreate(name="t", scopes=["read", "write"]),
    ).token


@pytest.fixture
def world(db: Database, rc: RoleClients) -> dict[str, Any]:
    """Vendors A and B, each with a vendor user and an assessment sent to that user."""
    with db.unit_of_work() as session:
        admin = system_actor("test")
        import_builtin(session, admin)
        secret = make_secret(session, admin, name="Glaze", tier=Tier.HIGHLY_SENSITIVE)
        out: dict[str, Any] = {"secret": secret.ref, "people": {}}
        for key in ("a", "b"):
            vendor, org = make_vendor(session, admin, name=f"Vendor {key.upper()}")
            make_contact(session, vendor)
            person, vendor_actor = make_vendor_user(session, admin, org)
            sent = service.send(
                session,
                actor=admin,
                data=AssessmentSend(
                    vendor=vendor.ref,
                    channel=Channel.ACCOUNT,
                    recipient=person.email,
                    secrets=[secret.ref],
                ),
            )
            user_id = vendor_actor.id
            out[key] = {
                "vendor": vendor.ref,
                "assessment": sent.id,
                "token": _token(session, user_id),
            }
            out["people"][key] = person.email
    return out


def _h(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _allowed(role: Role, *perms: Permission) -> bool:
    return any(p in MATRIX[role] for p in perms)


@pytest.mark.parametrize("role", list(Role))
def test_role_matrix(rc: RoleClients, world: dict[str, Any], role: Role) -> None:
    a = world["a"]["assessment"]
    h = rc.headers(role)
    with rc.client() as client:
        api = API_PREFIX

        def status(method: str, path: str, body: dict[str, Any] | None = None) -> int:
            return client.request(method, api + path, headers=h, json=body).status_code

        can_read, can_write = _allowed(role, P.VENDORS_READ), _allowed(role, P.VENDORS_WRITE)
        answers = _allowed(role, P.ASSESSMENTS_ANSWER)
        assert status("GET", "/questionnaires") == (200 if can_read else 403)
        assert status("GET", "/reassessments") == (200 if can_read else 403)
        send = {"vendor": world["b"]["vendor"], "channel": "link"}
        assert status("POST", "/assessments", send) == (201 if can_write else 403)
        # the role clients' vendor user works for another organisation: out of scope, 404
        expected_get = 200 if can_read else (404 if answers else 403)
        assert status("GET", f"/assessments/{a}") == expected_get
        assert status("GET", "/assessments") == (200 if can_read or answers else 403)
        assert status("GET", f"/assessments/{a}/risk") == (200 if can_read else 403)
        expected_answer = (200 if can_read else 404) if answers else 403
        assert status("PUT", f"/assessments/{a}/answers", {"answers": {"2.1": "yes"}}) == (
            expected_answer
        )
        # a sent assessment is not ready for review: the permission passed, the state refused
        assert status("POST", f"/assessments/{a}/review", {"decisions": []}) == (
            409 if can_write else 403
        )
        owner = rc.people[Role.ADMIN].id
        item = {"title": "Encrypt backups", "owner": owner, "due_on": "2027-03-01"}
        assert status("POST", f"/assessments/{a}/remediation", item) == (201 if can_write else 403)


def test_vendor_user_sees_only_its_own_organisation(rc: RoleClients, world: dict[str, Any]) -> None:
    a, b = world["a"], world["b"]
    with rc.client() as client:
        mine = client.get(f"{API_PREFIX}/assessments/{a['assessment']}", headers=_h(a["token"]))
        assert mine.status_code == 200 and mine.json()["risk"] is None
        theirs = client.get(f"{API_PREFIX}/assessments/{b['assessment']}", headers=_h(a["token"]))
        assert theirs.status_code == 404
        assert theirs.headers["content-type"] == "application/problem+json"
        put = client.put(
            f"{API_PREFIX}/assessments/{b['assessment']}/answers",
            headers=_h(a["token"]),
            json={"answers": {"2.1": "yes"}},
        )
        assert put.status_code == 404
        listed = client.get(f"{API_PREFIX}/assessments", headers=_h(a["token"])).json()
        assert [i["id"] for i in listed["items"]] == [a["assessment"]]
        assert client.get(f"{API_PREFIX}/questionnaires", headers=_h(a["token"])).status_code == 403


def test_the_whole_flow_over_the_api(rc: RoleClients, world: dict[str, Any]) -> None:
    a = world["a"]
    manager = rc.headers(Role.VENDOR_MANAGER)
    vendor = _h(a["token"])
    url = f"{API_PREFIX}/assessments/{a['assessment']}"
    with rc.client() as client:
        bad = client.put(f"{url}/answers", headers=vendor, json={"answers": {"4.2": "a year"}})
        assert bad.status_code == 422 and bad.json()["field"] == "4.2"
        assert "enter a number" in bad.json()["detail"]
        early = client.post(f"{url}/submit", headers=vendor)
        assert early.status_code == 422 and "still open" in early.json()["detail"]
        saved = client.put(f"{url}/answers", headers=vendor, json={"answers": full_answers()})
        assert saved.status_code == 200
        assert client.post(f"{url}/submit", headers=vendor).json()["status"] == "submitted"
        decisions = [{"question_id": q, "decision": "accepted"} for q in full_answers()]
        reviewed = client.post(f"{url}/review", headers=manager, json={"decisions": decisions})
        assert reviewed.status_code == 200
        done = client.post(f"{url}/complete", headers=manager)
        assert done.status_code == 200, done.text
        risk = client.get(f"{url}/risk", headers=manager).json()
        assert risk["frozen"] is True
        assert risk["inherent"]["factors"][0]["text"] == "criticality high: +3"
        assert risk["residual"]["level"] in ("low", "medium")


def test_import_over_the_api_names_file_and_line(rc: RoleClients, world: dict[str, Any]) -> None:
    text = (loader.BUILT_IN / "vendor-security.yaml").read_text()
    with rc.client() as client:
        h = rc.headers(Role.VENDOR_MANAGER)
        same = client.post(
            f"{API_PREFIX}/questionnaires", headers=h, json={"source": text, "filename": "v.yaml"}
        )
        assert same.status_code == 201 and same.json()["unchanged"] is True
        broken = text.replace("version: 2", "version: one", 1)
        bad = client.post(
            f"{API_PREFIX}/questionnaires", headers=h, json={"source": broken, "filename": "v.yaml"}
        )
        assert bad.status_code == 422 and bad.json()["detail"].startswith("v.yaml:7:")
