"""The cases API: who may list, open, read and change (a role table), a case worked over HTTP
from opening to closing, and bad input answered in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.api_support import (  # noqa: F401 - connection: the module world
    RoleClients,
    Roles,
    connection,
)
from tests.inventory.factories import make_secret

CASES = f"{API_PREFIX}/incidents"


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


def _body(secret: str = "") -> dict[str, object]:
    return {
        "title": "Customer list on a USB stick",
        "kind": "disclosure",
        "secrets": [secret] if secret else [],
        "facts": {"personal_data": True, "data_subject_countries": ["DE"]},
    }


@pytest.mark.parametrize(
    ("role", "listing", "opening"),
    [
        (Role.SECURITY, 200, 201),
        (Role.LEGAL, 200, 201),
        (Role.COMPLIANCE, 200, 403),
        (Role.AUDITOR, 200, 403),
        (Role.VENDOR_MANAGER, 403, 403),
        (Role.SECRET_OWNER, 403, 403),
        (Role.CASE_HANDLER, 403, 403),
        (Role.VENDOR_USER, 403, 403),
    ],
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_permissions(rc: RoleClients, role: Role, listing: int, opening: int) -> None:
    client, headers = rc.client(), rc.headers(role)
    assert client.get(CASES, headers=headers).status_code == listing
    assert client.post(CASES, json=_body(), headers=headers).status_code == opening


def test_a_case_outside_the_team_is_not_found(rc: RoleClients) -> None:
    client = rc.client()
    opened = client.post(CASES, json=_body(), headers=rc.headers(Role.SECURITY)).json()
    for role in (Role.SECRET_OWNER, Role.VENDOR_USER, Role.CASE_HANDLER):
        got = client.get(f"{CASES}/{opened['ref']}", headers=rc.headers(role))
        assert got.status_code == 404, role


def test_a_case_from_opening_to_closing(db: Database, rc: RoleClients) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor("test"), name="Key accounts")
    client, sec = rc.client(), rc.headers(Role.SECURITY)
    case = client.post(CASES, json=_body(secret.ref), headers=sec).json()
    ref = case["ref"]
    assert case["status"] == "reported" and case["tasks"]
    assert case["subjects"][0]["ref"] == secret.ref
    clocks = client.get(f"{CASES}/{ref}/clocks", headers=sec).json()
    gdpr = next(c for c in clocks if "33" in c["citation"])
    assert gdpr["status"] == "running"
    noted = client.post(f"{CASES}/{ref}/notices", json={"clock": gdpr["key"]}, headers=sec)
    assert noted.status_code == 200
    legal_email = rc.people[Role.LEGAL].email
    seated = client.post(
        f"{CASES}/{ref}/team", json={"user": legal_email, "role": "legal"}, headers=sec
    )
    assert [m["role"] for m in seated.json()["team"]] == ["lead", "legal"]
    assert (
        client.post(f"{CASES}/{ref}/notes", json={"body": "Stick found"}, headers=sec).status_code
        == 200
    )
    lines = client.get(f"{CASES}/{ref}/timeline", headers=sec).json()
    assert any(line["source"] == "note" for line in lines)
    refused = client.post(f"{CASES}/{ref}/status", json={"status": "closed"}, headers=sec)
    assert refused.status_code == 409 and "review" in refused.json()["detail"]
    review = {
        "what_happened": "A sales rep copied the list to a USB stick.",
        "root_cause": "USB storage allowed on sales laptops.",
        "failed_measures": "Device control; the export was not logged.",
        "changes": "Block USB storage; log CRM exports.",
    }
    assert client.put(f"{CASES}/{ref}/review", json=review, headers=sec).status_code == 200
    closed = client.post(f"{CASES}/{ref}/status", json={"status": "closed"}, headers=sec)
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    listed = client.get(CASES, params={"status": "closed"}, headers=sec).json()
    assert [c["ref"] for c in listed["items"]] == [ref]


def test_bad_input_is_answered_in_words(rc: RoleClients) -> None:
    client, sec = rc.client(), rc.headers(Role.SECURITY)
    unknown = client.post(CASES, json=_body("TS-9999"), headers=sec)
    assert unknown.status_code == 422 and "No secret is called TS-9999" in unknown.text
    wrong_kind = client.post(CASES, json={**_body(), "kind": "burglary"}, headers=sec)
    assert wrong_kind.status_code == 422 and "Traceback" not in wrong_kind.text
    missing = client.get(f"{CASES}/IN-9999", headers=sec)
    assert missing.status_code == 404 and "IN-9999" in missing.text
