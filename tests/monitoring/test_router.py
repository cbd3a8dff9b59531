"""POST /api/v1/monitoring/events through the HTTP client: NDJSON or a JSON array, each bad
line named, the good ones kept, 413 beyond 10,000, 422 when nothing is kept; only a token with
the ingest scope (of a role holding activity:ingest) may send. The identities endpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.monitoring.models import ActivityEvent
from crownjewels.parties import tokens as api_tokens
from crownjewels.parties.schemas import TokenCreate
from tests.api_support import RoleClients, Roles, connection  # noqa: F401
from tests.inventory.factories import make_secret
from tests.parties.factories import make_user

BASE = f"{API_PREFIX}/monitoring"
EVENT = {
    "time": "2026-12-01T03:12:00Z",
    "actor": "a@example.com",
    "action": "view",
    "resource": "/x",
}


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


def _token(db: Database, role: Role, scopes: list[str]) -> dict[str, str]:
    with db.unit_of_work() as session:
        admin = system_actor("test")
        user = make_user(session, admin, role)
        issued = api_tokens.create_token(
            session, actor=admin, user_id=user.id, data=TokenCreate(name="siem", scopes=scopes)
        )
    return {"Authorization": f"Bearer {issued.token}"}


def _stored(db: Database) -> int:
    with db.unit_of_work(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(ActivityEvent)) or 0)


def test_ndjson_keeps_good_lines_and_names_bad_ones(db: Database, rc: RoleClients) -> None:
    headers = {**_token(db, Role.SECURITY, ["ingest"]), "Content-Type": "application/x-ndjson"}
    body = "\n".join([json.dumps(EVENT), "{oops", json.dumps({**EVENT, "action": "steal"}), ""])
    response = rc.client().post(f"{BASE}/events", content=body, headers=headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["accepted"] == 1 and out["unknown_actors"] == 1
    assert [r["line"] for r in out["rejected"]] == [2, 3]
    assert "not JSON" in out["rejected"][0]["reason"]
    assert _stored(db) == 1


def test_a_json_array_and_the_limits(db: Database, rc: RoleClients) -> None:
    headers = _token(db, Role.SECURITY, ["ingest"])
    client = rc.client()
    response = client.post(f"{BASE}/events", json=[EVENT, EVENT, [1]], headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 2
    assert response.json()["rejected"][0]["line"] == 3

    too_many = client.post(f"{BASE}/events", json=[EVENT] * 10_001, headers=headers)
    assert too_many.status_code == 413, too_many.text
    assert "at most 10,000" in too_many.text
    ndjson = "\n".join([json.dumps(EVENT)] * 10_001)
    assert client.post(f"{BASE}/events", content=ndjson, headers=headers).status_code == 413

    nothing = client.post(f"{BASE}/events", json=[{**EVENT, "time": "soon"}], headers=headers)
    assert nothing.status_code == 422
    assert nothing.json()["accepted"] == 0 and nothing.json()["rejected"][0]["line"] == 1
    assert _stored(db) == 2


@pytest.mark.parametrize(
    ("role", "scopes", "code"),
    [
        (Role.SECURITY, ["ingest"], 200),
        (Role.ADMIN, ["ingest"], 200),
        (Role.SECURITY, ["read", "write"], 403),  # no ingest scope
        (Role.AUDITOR, ["ingest"], 403),  # the role does not send activity
    ],
)
def test_only_an_ingest_token_of_an_allowed_role_sends(
    db: Database, rc: RoleClients, role: Role, scopes: list[str], code: int
) -> None:
    headers = _token(db, role, scopes)
    response = rc.client().post(f"{BASE}/events", json=[EVENT], headers=headers)
    assert response.status_code == code, response.text


def test_an_ingest_token_reads_nothing_else(db: Database, rc: RoleClients) -> None:
    headers = _token(db, Role.ADMIN, ["ingest"])
    response = rc.client().get(f"{API_PREFIX}/people", headers=headers)
    assert response.status_code == 403


def test_identities_are_linked_listed_and_unlinked(db: Database, rc: RoleClients) -> None:
    client = rc.client()
    person = rc.people[Role.VENDOR_USER]
    body = {"person": person.email, "kind": "username", "value": "VendorBob"}
    refused = client.post(f"{BASE}/identities", json=body, headers=rc.headers(Role.AUDITOR))
    assert refused.status_code == 403
    created = client.post(f"{BASE}/identities", json=body, headers=rc.headers(Role.SECURITY))
    assert created.status_code == 201, created.text
    assert created.json()["value"] == "vendorbob"
    listed = client.get(
        f"{BASE}/identities", params={"person": person.email}, headers=rc.headers(Role.AUDITOR)
    )
    assert [i["value"] for i in listed.json()] == ["vendorbob"]
    again = client.post(f"{BASE}/identities", json=body, headers=rc.headers(Role.SECURITY))
    assert again.status_code == 409
    gone = client.delete(
        f"{BASE}/identities/{created.json()['id']}", headers=rc.headers(Role.SECURITY)
    )
    assert gone.status_code == 200
    assert client.get(f"{BASE}/identities", headers=rc.headers(Role.ADMIN)).json() == []


def test_patterns_set_through_the_api_classify_activity(db: Database, rc: RoleClients) -> None:
    client = rc.client()
    with db.unit_of_work() as session:
        secret = make_secret(session, system_actor("test"), name="Brine")
    added = client.post(
        f"{API_PREFIX}/secrets/{secret.ref}/locations",
        json={"kind": "system", "name": "SFTP"},
        headers=rc.headers(Role.ADMIN),
    )
    assert added.status_code == 201, added.text
    location = added.json()["locations"][0]["id"]
    put = client.put(
        f"{API_PREFIX}/secrets/{secret.ref}/locations/{location}/patterns",
        json={"patterns": ["/srv/sftp/brine/**"]},
        headers=rc.headers(Role.ADMIN),
    )
    assert put.status_code == 200, put.text
    sent = client.post(
        f"{BASE}/events",
        json=[{**EVENT, "resource": "/srv/sftp/brine/cure.xlsx"}, EVENT],
        headers=_token(db, Role.SECURITY, ["ingest"]),
    )
    assert sent.json()["unclassified"] == 1
    with db.unit_of_work(write=False) as session:
        secrets = set(session.scalars(select(ActivityEvent.secret_id)))
    assert secrets == {secret.id, None}
