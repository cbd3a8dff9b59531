"""The access API: the role x route matrix (2xx when the role holds the permission, 403 when
not, 404 for a grant outside what the caller may see), request -> approve -> check -> suspend
-> resume -> revoke through the HTTP client, and problem+json errors naming the fix."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crownjewels.app import API_PREFIX
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.inventory.schemas import Tier
from tests.access.conftest import World, make_world
from tests.api_support import RoleClients, Roles, connection  # noqa: F401
from tests.disclosure.portal.world import BINDER, request
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user

P = Permission
BASE = f"{API_PREFIX}/access"
VIEW = {P.GRANTS_READ, P.GRANTS_REQUEST, P.GRANTS_DECIDE, P.GRANTS_MANAGE}


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


@pytest.fixture
def world(db: Database, rc: RoleClients) -> World:
    with db.unit_of_work() as session:
        return make_world(session, system_actor("test"), owner=rc.people[Role.SECRET_OWNER])


def _expires(days: int = 30) -> str:
    return (clock.now() + timedelta(days=days)).isoformat()


def _request(client: TestClient, rc: RoleClients, world: World, role: Role) -> dict[str, object]:
    body = {
        "person": world.grantee.id,
        "secret": world.secret.ref,
        "level": "download",
        "purpose": "reformulation trial with the plant",
        "expires_at": _expires(),
    }
    response = client.post(f"{BASE}/grants", json=body, headers=rc.headers(role))
    assert response.status_code == 201, response.text
    out: dict[str, object] = response.json()
    return out


def _allowed(role: Role, needs: set[Permission]) -> bool:
    return bool(MATRIX[role] & needs)


@pytest.mark.parametrize("role", list(Role))
def test_role_by_route_matrix(rc: RoleClients, world: World, role: Role) -> None:
    with rc.client() as client:
        grant = _request(client, rc, world, Role.ADMIN)
        h = rc.headers(role)
        q = f"person={world.grantee.id}&secret={world.secret.ref}"
        reads = {
            f"{BASE}/grants": VIEW,
            f"{BASE}/grants/{grant['ref']}": VIEW,
            f"{BASE}/check?{q}&action=view": {P.GRANTS_READ},
            f"{BASE}/who-can?secret={world.secret.ref}": {P.GRANTS_READ},
            f"{BASE}/what-can?person={world.grantee.id}": {P.GRANTS_READ},
        }
        for url, needs in reads.items():
            got = client.get(url, headers=h).status_code
            assert got == (200 if _allowed(role, needs) else 403), (role, url, got)
        body = {
            "person": world.grantee.id,
            "secret": world.secret.ref,
            "purpose": "a matrix probe",
            "expires_at": _expires(),
        }
        got = client.post(f"{BASE}/grants", json=body, headers=h).status_code
        assert got == (201 if _allowed(role, {P.GRANTS_REQUEST}) else 403), (role, got)
        for action in ("approve", "deny", "suspend", "revoke"):
            data = {"reason": "matrix probe"} if action != "approve" else {}
            got = client.post(
                f"{BASE}/grants/{grant['ref']}/{action}", json=data, headers=h
            ).status_code
            needs = (
                {P.GRANTS_DECIDE}
                if action in ("approve", "deny")
                else {
                    P.GRANTS_MANAGE,
                    P.GRANTS_DECIDE,
                }
            )
            if not _allowed(role, needs):
                assert got == 403, (role, action, got)


def test_a_grant_outside_the_callers_scope_is_404(
    db: Database, rc: RoleClients, world: World
) -> None:
    with db.unit_of_work() as session:
        other = make_secret(session, system_actor("test"), name="Someone else's")
    with rc.client() as client:
        body = {
            "person": world.grantee.id,
            "secret": other.ref,
            "purpose": "out of the owner's scope",
            "expires_at": _expires(),
        }
        made = client.post(f"{BASE}/grants", json=body, headers=rc.headers(Role.ADMIN))
        assert made.status_code == 201, made.text
        ref = made.json()["ref"]
        owner = rc.headers(Role.SECRET_OWNER)
        assert client.get(f"{BASE}/grants/{ref}", headers=owner).status_code == 404
        assert (
            client.post(f"{BASE}/grants/{ref}/approve", json={}, headers=owner).status_code == 404
        )
        listed = client.get(f"{BASE}/grants", headers=owner).json()
        assert ref not in {g["ref"] for g in listed}
        assert (
            client.get(f"{BASE}/grants/{ref}", headers=rc.headers(Role.AUDITOR)).status_code == 200
        )


def test_request_approve_check_and_lifecycle(rc: RoleClients, world: World) -> None:
    with rc.client() as client:
        check = f"{BASE}/check?person={world.grantee.id}&secret={world.secret.ref}&action=download"
        admin, owner = rc.headers(Role.ADMIN), rc.headers(Role.SECRET_OWNER)
        before = client.get(check, headers=admin).json()
        assert before["allowed"] is False
        assert [r["rule"] for r in before["reasons"]] == ["need-to-know"]

        grant = _request(client, rc, world, Role.VENDOR_MANAGER)
        assert grant["status"] == "requested" and grant["approvals_needed"] == 1
        url = f"{BASE}/grants/{grant['ref']}"
        first = client.post(f"{url}/approve", json={}, headers=admin)
        assert first.status_code == 403
        assert first.headers["content-type"].startswith("application/problem+json")
        assert "secret owner" in first.json()["detail"]

        approved = client.post(f"{url}/approve", json={"note": "ok for the trial"}, headers=owner)
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "active"
        assert approved.json()["approvals"][0]["note"] == "ok for the trial"

        after = client.get(check, headers=admin).json()
        assert after["allowed"] is True and after["grant_refs"] == [grant["ref"]]
        who = client.get(f"{BASE}/who-can?secret={world.secret.ref}", headers=admin).json()
        assert {d["person_id"]: d["allowed"] for d in who}[world.grantee.id] is True
        what = client.get(f"{BASE}/what-can?person={world.grantee.id}", headers=admin).json()
        assert [d["secret_ref"] for d in what] == [world.secret.ref]

        reason = {"reason": "audit under way"}
        assert client.post(f"{url}/suspend", json=reason, headers=admin).json()["status"] == (
            "suspended"
        )
        assert client.get(check, headers=admin).json()["allowed"] is False
        who = client.get(f"{BASE}/who-can?secret={world.secret.ref}", headers=admin).json()
        held = {d["person_id"]: d for d in who}[world.grantee.id]  # a suspended grant is live
        assert held["allowed"] is False
        assert [r["rule"] for r in held["reasons"]] == ["need-to-know"]
        assert client.post(f"{url}/resume", json=reason, headers=owner).json()["status"] == (
            "active"
        )
        revoked = client.post(f"{url}/revoke", json=reason, headers=admin)
        assert revoked.json()["status"] == "revoked"
        again = client.post(f"{url}/resume", json=reason, headers=admin)
        assert again.status_code == 409
        listed = client.get(f"{BASE}/grants?status=revoked", headers=admin).json()
        assert [g["ref"] for g in listed] == [grant["ref"]]


def test_approval_refused_when_a_rule_fails(rc: RoleClients, world: World) -> None:
    with rc.client() as client:
        body = {
            "person": world.stranger.id,
            "secret": world.secret.ref,
            "purpose": "no agreement binds this person",
            "expires_at": _expires(),
        }
        grant = client.post(f"{BASE}/grants", json=body, headers=rc.headers(Role.ADMIN)).json()
        refused = client.post(
            f"{BASE}/grants/{grant['ref']}/approve", json={}, headers=rc.headers(Role.SECRET_OWNER)
        )
        assert refused.status_code == 403
        assert "Sam Stranger" in refused.json()["detail"]


def test_bad_requests_are_problems_naming_the_fix(rc: RoleClients, world: World) -> None:
    with rc.client() as client:
        admin = rc.headers(Role.ADMIN)
        body = {
            "person": world.grantee.id,
            "secret": world.secret.ref,
            "purpose": "too long a grant",
            "expires_at": _expires(400),
        }
        long = client.post(f"{BASE}/grants", json=body, headers=admin)
        assert long.status_code == 422
        assert long.headers["content-type"].startswith("application/problem+json")
        assert "at most 180 days" in long.json()["detail"]
        missing = client.get(f"{BASE}/grants/GR-999999", headers=admin)
        assert missing.status_code == 404 and "access grants" in missing.json()["detail"]
        no_reason = client.post(f"{BASE}/grants/GR-999999/deny", json={}, headers=admin)
        assert no_reason.status_code == 422


def test_approval_refused_for_a_vendor_user_without_mfa(db: Database, rc: RoleClients) -> None:
    with db.unit_of_work() as session:
        vendor, org = make_vendor(session, BINDER, name="Lotus Ltd")
        make_contact(session, vendor)
        person, _ = make_vendor_user(session, BINDER, org)
        secret = make_secret(
            session,
            BINDER,
            owner=rc.people[Role.SECRET_OWNER],
            name="Glaze",
            tier=Tier.HIGHLY_SENSITIVE,
            allowed_regions=["IN", "US"],
        )
        grant = request(session, person_id=person.id, secret_id=secret.id, purpose="glaze trial")
    url = f"{BASE}/grants/{grant.ref}/approve"
    with rc.client() as client:
        first = client.post(url, json={}, headers=rc.headers(Role.SECRET_OWNER))
        assert first.status_code == 200 and first.json()["status"] == "requested"
        refused = client.post(url, json={}, headers=rc.headers(Role.SECURITY))
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        f"{grant.ref} cannot be approved: {person.full_name} has not set up two-factor sign-in; "
        "highly sensitive secrets need it: ask them to sign in once to enrol"
    )
