"""The report channel's API: the role matrix (case handlers 2xx; administrators, security and
every other role 403; a vendor user 403), a report worked over HTTP (reply, acknowledge,
assign, close, open a case), a handler the report names answered 404, and the approvals."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.incidents.reports import approvals
from crownjewels.incidents.reports.schemas import ApprovalDecision
from tests.api_support import (  # noqa: F401 - connection: the module's world
    RoleClients,
    Roles,
    connection,
)
from tests.incidents.reports.world import send, staff

R = f"{API_PREFIX}/reports"


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


@pytest.fixture
def ref(db: Database) -> str:
    with db.unit_of_work() as s:
        return send(s).ref


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_only_case_handlers_reach_reports(rc: RoleClients, ref: str, role: Role) -> None:
    client, headers = rc.client(), rc.headers(role)
    allowed = role == Role.CASE_HANDLER
    listed = client.get(R, headers=headers)
    assert listed.status_code == (200 if allowed else 403), listed.text
    shown = client.get(f"{R}/{ref}", headers=headers)
    assert shown.status_code == (200 if allowed else 403)
    replied = client.post(f"{R}/{ref}/messages", json={"body": "Thank you."}, headers=headers)
    assert replied.status_code == (200 if allowed else 403)
    if allowed:
        assert [r["ref"] for r in listed.json()] == [ref]
        assert shown.json()["body"].startswith("I saw the night-shift lead")
    else:
        assert "reports:handle" in listed.json()["detail"]


def test_a_report_is_worked_over_http(rc: RoleClients, db: Database, ref: str) -> None:
    client, h = rc.client(), rc.headers(Role.CASE_HANDLER)
    ack = client.post(f"{R}/{ref}/acknowledge", json={}, headers=h)
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = client.post(f"{R}/{ref}/acknowledge", json={}, headers=h)
    assert again.status_code == 409 and "was acknowledged" in again.json()["detail"]
    handler_email = rc.people[Role.CASE_HANDLER].email
    assigned = client.post(f"{R}/{ref}/assign", json={"handler": handler_email}, headers=h)
    assert assigned.status_code == 200 and assigned.json()["handler"] == "case-handler user"
    bad = client.post(f"{R}/{ref}/status", json={"status": "closed"}, headers=h)
    assert bad.status_code == 422 and bad.json()["field"] == "note"
    closed = client.post(
        f"{R}/{ref}/status", json={"status": "closed", "note": "Dealt with."}, headers=h
    )
    assert closed.status_code == 200 and closed.json()["deadlines"]["feedback_at"]
    case = client.post(
        f"{R}/{ref}/open-case", json={"title": "Binder taken", "kind": "theft"}, headers=h
    )
    assert case.status_code == 403 and "incidents:write" in case.json()["detail"]
    assert client.get(f"{R}/RP-9999", headers=h).status_code == 404
    assert client.get(f"{R}?status=closed", headers=h).json()[0]["ref"] == ref
    assert client.get(f"{R}?open=true", headers=h).json() == []


def test_a_handler_the_report_names_gets_404(rc: RoleClients, db: Database) -> None:
    with db.unit_of_work() as s:
        named = send(s, involved=rc.people[Role.CASE_HANDLER].full_name).ref
    client, h = rc.client(), rc.headers(Role.CASE_HANDLER)
    assert client.get(f"{R}/{named}", headers=h).status_code == 404
    assert client.post(f"{R}/{named}/messages", json={"body": "x"}, headers=h).status_code == 404
    assert named not in [r["ref"] for r in client.get(R, headers=h).json()]


def test_approvals_over_http(rc: RoleClients, db: Database) -> None:
    with db.unit_of_work() as s:
        dana = staff(s, "Dana Whitfield", Role.AUDITOR)
        send(s, reporter_name="Dana", reporter_contact=dana.email)
    client = rc.client()
    body = {"person": dana.email, "action": "end-sessions", "reason": "Shared password seen."}
    assert (
        client.post(f"{R}/approvals", json=body, headers=rc.headers(Role.VENDOR_USER)).status_code
        == 403
    )
    asked = client.post(f"{R}/approvals", json=body, headers=rc.headers(Role.SECURITY))
    assert asked.status_code == 201, asked.text
    ref = asked.json()["ref"]
    assert asked.json()["target"] == dana.email and asked.json()["status"] == "pending"
    decision = {"approve": True}
    refused = client.post(
        f"{R}/approvals/{ref}/decision", json=decision, headers=rc.headers(Role.SECURITY)
    )
    assert refused.status_code == 403
    decided = client.post(
        f"{R}/approvals/{ref}/decision", json=decision, headers=rc.headers(Role.CASE_HANDLER)
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved"
    own = client.get(f"{R}/approvals", headers=rc.headers(Role.SECURITY)).json()
    assert [a["ref"] for a in own] == [ref]
    assert client.get(f"{R}/approvals", headers=rc.headers(Role.AUDITOR)).status_code == 403


def test_a_protection_is_ended_over_http_once_approved(rc: RoleClients, db: Database) -> None:
    with db.unit_of_work() as s:
        dana = staff(s, "Dana Whitfield", Role.AUDITOR)
        ivo = staff(s, "Ivo Petrov", Role.CASE_HANDLER)
        ref = send(s, reporter_name="Dana", reporter_contact=dana.email).ref
    client, h = rc.client(), rc.headers(Role.CASE_HANDLER)
    lift, why = f"{R}/{ref}/lift-protection", {"reason": "The reporter is another Dana."}
    assert client.post(lift, json={"reason": "no"}, headers=h).status_code == 422
    assert client.post(lift, json=why, headers=rc.headers(Role.SECURITY)).status_code == 403
    refused = client.post(lift, json=why, headers=h)
    assert refused.status_code == 409 and "--action lift-protection" in refused.json()["detail"]
    body = {"person": dana.email, "action": "lift-protection", **why}
    by_security = client.post(f"{R}/approvals", json=body, headers=rc.headers(Role.SECURITY))
    assert by_security.status_code == 403 and "reports:handle" in by_security.json()["detail"]
    asked = client.post(f"{R}/approvals", json=body, headers=h)
    assert asked.status_code == 201 and asked.json()["target"] == dana.email
    with db.unit_of_work() as s:
        approvals.decide(
            s, actor=ivo.actor, ref=asked.json()["ref"], data=ApprovalDecision(approve=True)
        )
    lifted = client.post(lift, json=why, headers=h)
    assert lifted.status_code == 200 and lifted.json()["protected"] is None
    assert client.post(lift, json=why, headers=h).status_code == 409
