"""The containment API: the role matrix (security previews, runs and reverses; legal and
compliance read the runs only; a vendor user finds no case at all), a run given its preview's
digest, and a stale digest refused with 409 in words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.incidents.containment.world import World

CASES = f"{API_PREFIX}/incidents"


@pytest.fixture
def connection(module_connection: Connection, roles: Roles, world: World) -> Iterator[Connection]:
    """Each test in a savepoint over the module's roles and world."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


@pytest.mark.parametrize(
    ("role", "preview", "contain", "reverse", "history"),
    [
        (Role.SECURITY, 200, 201, 200, 200),
        (Role.LEGAL, 403, 403, 403, 200),
        (Role.COMPLIANCE, 403, 403, 403, 200),
        (Role.VENDOR_USER, 404, 404, 404, 404),
    ],
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_permissions(
    rc: RoleClients,
    world: World,
    role: Role,
    preview: int,
    contain: int,
    reverse: int,
    history: int,
) -> None:
    client, headers = rc.client(), rc.headers(role)
    base = f"{CASES}/{world.case}/containment"
    got = client.get(f"{base}/preview", headers=headers)
    assert got.status_code == preview, got.text
    body = {"expected": got.json()["digest"]} if got.is_success else {}
    assert client.post(base, json=body, headers=headers).status_code == contain
    why = {"reason": "a false alarm"}
    assert client.post(f"{base}/reverse", json=why, headers=headers).status_code == reverse
    assert client.get(base, headers=headers).status_code == history


def test_run_and_reverse_over_http(rc: RoleClients, world: World) -> None:
    client, headers = rc.client(), rc.headers(Role.SECURITY)
    base = f"{CASES}/{world.case}/containment"
    assert client.get(f"{CASES}/IN-9999/containment/preview", headers=headers).status_code == 404
    plan = client.get(f"{base}/preview", headers=headers).json()
    assert plan["summary"].startswith("6 grants of 3 people at Lotus Process Services")
    stale = client.post(base, json={"expected": "0" * 20}, headers=headers)
    assert stale.status_code == 409 and "preview again" in stale.json()["detail"]
    bad = client.post(base, json={"skip": ["everything"]}, headers=headers)
    assert bad.status_code == 422
    ran = client.post(
        base, json={"expected": plan["digest"], "skip": ["monitoring"]}, headers=headers
    )
    assert ran.status_code == 201, ran.text
    assert ran.json()["skipped"] == ["monitoring"] and ran.json()["status"] == "contained"
    [run] = client.get(base, headers=headers).json()
    assert run["number"] == 1 and "heightened" not in run["summary"]
    short = client.post(f"{base}/reverse", json={"reason": "x"}, headers=headers)
    assert short.status_code == 422
    undone = client.post(f"{base}/reverse", json={"reason": "a false alarm"}, headers=headers)
    assert undone.status_code == 200 and undone.json()["summary"].startswith("12 changes undone")
