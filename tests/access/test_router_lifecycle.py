"""The lifecycle API: who may start, decide and close reviews and offboard (the role x action
matrix), and that the exports are CSV and JSON."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection

from crownjewels.access.offboarding import service as offboarding
from crownjewels.access.reviews import service as reviews
from crownjewels.app import API_PREFIX
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.inventory.factories import make_secret

P = Permission
BASE = f"{API_PREFIX}/access"
Check = Callable[[Role], bool]


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles) -> dict[str, str]:
    """A grant on a secret the secret-owner user owns, an open review of it, an offboarding."""
    admin = system_actor("test")
    with module_db.unit_of_work() as session:
        org = partner(session, admin)
        nda(session, admin, org=org)
        secret = make_secret(
            session, admin, name="Brine recipe", owner=roles.people[Role.SECRET_OWNER]
        )
        granted(session, admin, person=bound_person(session, admin, org=org), secret=secret)
        leaver = bound_person(session, admin, org=org)
        campaign = reviews.start(
            session, actor=admin, name="Q4 review", due_on=clock.today() + timedelta(days=7)
        )
        record = offboarding.offboard(session, actor=admin, person=leaver.id)
        other = bound_person(session, admin, org=org)
    return {
        "ref": campaign.ref,
        "item": campaign.items[0].id,
        "off": record.ref,
        "other": other.id,
        "due": str(clock.today() + timedelta(days=7)),
    }


@pytest.fixture
def connection(module_connection: Connection, module_world: dict[str, str]) -> Iterator[Connection]:
    """Each test in a savepoint over the module's roles and world, made once."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def world(module_world: dict[str, str]) -> dict[str, str]:
    return module_world


def _has(*perms: Permission) -> Check:
    return lambda role: all(p in MATRIX[role] for p in perms)


def _any(*perms: Permission) -> Check:
    return lambda role: any(p in MATRIX[role] for p in perms)


ROWS: list[tuple[str, str, str, object, Check, int]] = [
    (
        "start review",
        "POST",
        "/reviews",
        {"name": "Another", "due_on": "{due}"},
        _has(P.GRANTS_MANAGE),
        201,
    ),
    ("list reviews", "GET", "/reviews", None, _any(P.GRANTS_READ, P.GRANTS_DECIDE), 200),
    ("show review", "GET", "/reviews/{ref}", None, _any(P.GRANTS_READ, P.GRANTS_DECIDE), 200),
    ("export", "GET", "/reviews/{ref}/export.csv", None, _any(P.GRANTS_READ, P.GRANTS_DECIDE), 200),
    ("overdue", "GET", "/reviews/overdue", None, _any(P.GRANTS_READ, P.GRANTS_DECIDE), 200),
    # only the item's reviewer: the owner of the secret (the secret-owner user here)
    (
        "decide",
        "POST",
        "/reviews/items/{item}",
        {"decision": "confirm"},
        lambda role: role == Role.SECRET_OWNER,
        200,
    ),
    ("close", "POST", "/reviews/{ref}/close", None, _has(P.GRANTS_MANAGE), 200),
    ("offboard", "POST", "/offboardings", {"person": "{other}"}, _has(P.GRANTS_MANAGE), 201),
    ("list offboardings", "GET", "/offboardings", None, _has(P.GRANTS_READ), 200),
    ("show offboarding", "GET", "/offboardings/{off}", None, _has(P.GRANTS_READ), 200),
    ("report", "GET", "/offboardings/{off}/report?format=csv", None, _has(P.GRANTS_READ), 200),
    (
        "certify",
        "POST",
        "/offboardings/{off}/certificate",
        {"statement": "Every copy was returned and the notes shredded."},
        _has(P.GRANTS_MANAGE),
        200,
    ),
]


def _fill(value: object, world: dict[str, str]) -> object:
    if isinstance(value, str):
        return value.format(**world)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_role_matrix(
    rc: RoleClients,
    world: dict[str, str],
    role: Role,
    row: tuple[str, str, str, object, Check, int],
) -> None:
    name, method, path, body, allowed, ok = row
    url = BASE + str(_fill(path, world))
    with rc.client() as client:
        r = client.request(method, url, headers=rc.headers(role), json=_fill(body, world))
    expected = ok if allowed(role) else 403
    assert r.status_code == expected, f"{role.value} {name}: {r.text}"


def test_the_report_is_json_and_csv(rc: RoleClients, world: dict[str, str]) -> None:
    with rc.client() as client:
        as_json = client.get(
            f"{BASE}/offboardings/{world['off']}/report", headers=rc.headers(Role.ADMIN)
        )
        as_csv = client.get(
            f"{BASE}/offboardings/{world['off']}/report?format=csv", headers=rc.headers(Role.ADMIN)
        )
    assert as_json.json()["entries"] == []
    assert as_csv.text.startswith("at,event_type,person_name")
    assert as_csv.headers["content-disposition"].startswith(
        f'attachment; filename="{world["off"]}-report.csv"'
    )
    assert as_csv.headers["cache-control"] == "no-store"


def test_the_review_export_is_a_csv_download(rc: RoleClients, world: dict[str, str]) -> None:
    with rc.client() as client:
        got = client.get(
            f"{BASE}/reviews/{world['ref']}/export.csv", headers=rc.headers(Role.ADMIN)
        )
    assert got.status_code == 200
    assert got.headers["content-disposition"] == (
        f"attachment; filename=\"{world['ref']}.csv\"; filename*=UTF-8''{world['ref']}.csv"
    )
    assert got.headers["cache-control"] == "no-store"
