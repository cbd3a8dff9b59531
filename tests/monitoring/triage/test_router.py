"""The alerts API: the role x action matrix (allowed 2xx, forbidden 403, a secret owner's
view of another secret's alert 404), the queue's filters as query parameters, and a whole
triage through the API with its refusals in words."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.monitoring.triage.world import TriageWorld, make_triage_world

P = Permission
BASE = f"{API_PREFIX}/monitoring/alerts"
Check = Callable[[Role], bool]


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles) -> TriageWorld:
    """Rohan's alert on a secret the secret-owner user owns, and an unknown actor's alert."""
    with module_db.unit_of_work() as session:
        return make_triage_world(
            session, system_actor("test"), owner=roles.people[Role.SECRET_OWNER]
        )


@pytest.fixture
def connection(module_connection: Connection, module_world: TriageWorld) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def world(module_world: TriageWorld) -> TriageWorld:
    return module_world


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


def _any(*perms: Permission) -> Check:
    return lambda role: any(p in MATRIX[role] for p in perms)


READS = _any(P.ALERTS_READ, P.SECRETS_READ_OWN)
TRIAGES = _any(P.ALERTS_TRIAGE)
ROWS: list[tuple[str, str, str, object, Check, int]] = [
    ("queue", "GET", "", None, READS, 200),
    ("rules", "GET", "/rules", None, READS, 200),
    ("show", "GET", "/{alert}", None, READS, 200),
    ("events", "GET", "/{alert}/events", None, READS, 200),
    ("trail", "GET", "/{alert}/trail", None, READS, 200),
    ("activity", "GET", "/{alert}/activity", None, READS, 200),
    ("assign", "POST", "/{alert}/assign", {"assignee": "me"}, TRIAGES, 200),
    ("comment", "POST", "/{alert}/comments", {"body": "Asked his manager"}, TRIAGES, 200),
    ("dismiss", "POST", "/{alert}/dismiss", {"reason": "audit pull"}, TRIAGES, 200),
    ("confirm", "POST", "/{alert}/confirm", {"note": "copied to USB"}, TRIAGES, 200),
    ("escalate", "POST", "/{alert}/escalate", {"note": "legal hold"}, TRIAGES, 200),
    (
        "suspend",
        "POST",
        "/{alert}/suspend-grants",
        {"reason": "under review"},
        _any(P.ALERTS_TRIAGE),
        200,
    ),
    ("other's alert", "GET", "/{quiet}", None, READS, 200),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_role_matrix(
    rc: RoleClients,
    world: TriageWorld,
    role: Role,
    row: tuple[str, str, str, object, Check, int],
) -> None:
    name, method, path, body, allowed, ok = row
    url = BASE + path.format(alert=world.alert, quiet=world.quiet)
    with rc.client() as client:
        r = client.request(method, url, headers=rc.headers(role), json=body)
    expected = ok if allowed(role) else 403
    if name == "other's alert" and role == Role.SECRET_OWNER:
        expected = 404  # not their secret: its alert does not exist for them
    assert r.status_code == expected, f"{role.value} {name}: {r.text}"


def test_a_secret_owner_sees_only_their_secrets_alerts(rc: RoleClients, world: TriageWorld) -> None:
    with rc.client() as client:
        mine = client.get(BASE, headers=rc.headers(Role.SECRET_OWNER)).json()
        everyone = client.get(BASE, headers=rc.headers(Role.SECURITY)).json()
    assert [a["ref"] for a in mine["alerts"]] == [world.alert]
    assert [a["ref"] for a in everyone["alerts"]] == [world.alert, world.quiet]
    assert everyone["counts"]["by_severity"] == {"high": 1, "low": 1}


def test_filters_and_a_whole_triage_through_the_api(rc: RoleClients, world: TriageWorld) -> None:
    h = rc.headers(Role.SECURITY)
    with rc.client() as client:
        found = client.get(BASE, params={"person": world.rohan_email}, headers=h).json()
        assert [a["ref"] for a in found["alerts"]] == [world.alert]
        low = client.get(BASE, params={"severity": "low", "status": "all"}, headers=h).json()
        assert [a["ref"] for a in low["alerts"]] == [world.quiet]
        bad = client.get(BASE, params={"secret": "TS-9999"}, headers=h)
        assert bad.status_code == 422 and "TS-0001" in bad.text
        events = client.get(f"{BASE}/{world.alert}/events", headers=h).json()
        assert events["total"] == 8 and len(events["events"]) == 8
        activity = client.get(f"{BASE}/{world.alert}/activity", headers=h).json()
        assert activity["days"][-1]["flagged"] and activity["median"] == 2
        empty = client.post(f"{BASE}/{world.alert}/dismiss", json={"reason": "  "}, headers=h)
        assert empty.status_code == 422 and "say why" in empty.text
        done = client.post(
            f"{BASE}/{world.alert}/suspend-grants", json={"reason": "hold"}, headers=h
        )
        assert done.json()["grants"] == [world.grant]
        dismissed = client.post(
            f"{BASE}/{world.alert}/dismiss", json={"reason": "audit pull"}, headers=h
        ).json()
        assert dismissed["status"] == "dismissed"
        again = client.post(f"{BASE}/{world.alert}/dismiss", json={"reason": "again"}, headers=h)
        assert again.status_code == 409 and "already dismissed" in again.text
        escalated = client.post(
            f"{BASE}/{world.quiet}/escalate", json={"note": "shared key"}, headers=h
        ).json()
        assert escalated["case"] == "IN-0001" and "escalated to IN-0001" in escalated["message"]
        trail = client.get(f"{BASE}/{world.alert}/trail", headers=h).json()
        assert [n["kind"] for n in trail] == ["grants-suspended", "dismissed"]
        rules = client.get(f"{BASE}/rules", headers=h).json()
        assert {r["rule_id"]: r["dismissed"] for r in rules} == {
            "bulk-download": 1,
            "off-hours": 0,
        }
