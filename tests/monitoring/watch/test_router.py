"""The departure and log review API: the role x action matrix, a notice through the API opens
a watch whose report comes back as JSON, bad input named, and the owner's sign-off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.monitoring.watch import service
from tests.api_support import RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person

P = Permission
BASE = f"{API_PREFIX}/monitoring"
Check = Callable[[Role], bool]


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles) -> dict[str, str]:
    """A secret of the secret-owner user with its review asked, a watched leaver, a person
    to give notice."""
    admin = system_actor("test")
    with module_db.unit_of_work() as session:
        make_secret(session, admin, name="Brine recipe", owner=roles.people[Role.SECRET_OWNER])
        (review,) = [
            r
            for r in service.create_due(session, actor=admin)
            if r.reviewer_person_id == roles.people[Role.SECRET_OWNER].id
        ]
        leaver = make_person(session, admin, name="Lea Leaver")
        watch = service.give_notice(
            session,
            actor=admin,
            person_ref=leaver.id,
            notice_on=clock.today(),
            last_day=clock.today() + timedelta(days=20),
        )
        other = make_person(session, admin, name="Otto Other")
    return {
        "review": review.ref,
        "watch": watch.ref,
        "other": other.email,
        "today": str(clock.today()),
        "later": str(clock.today() + timedelta(days=10)),
    }


@pytest.fixture
def connection(module_connection: Connection, module_world: dict[str, str]) -> Iterator[Connection]:
    """Each test in a savepoint over the module's roles and world, made once."""
    yield from savepoint_per_test(module_connection)


def _has(*perms: Permission) -> Check:
    return lambda role: all(p in MATRIX[role] for p in perms)


ANYONE: Check = lambda role: True  # noqa: E731

ROWS: list[tuple[str, str, str, object, Check, int]] = [
    (
        "give notice",
        "POST",
        "/departures",
        {"person": "{other}", "notice_on": "{today}", "last_day": "{later}"},
        _has(P.PARTIES_WRITE),
        201,
    ),
    ("list watches", "GET", "/departures", None, _has(P.CUSTODY_READ), 200),
    ("show watch", "GET", "/departures/{watch}", None, _has(P.CUSTODY_READ), 200),
    ("report", "GET", "/departures/{watch}/report", None, _has(P.CUSTODY_READ), 200),
    (
        "close watch",
        "POST",
        "/departures/{watch}/close",
        {"reason": "all clear"},
        _has(P.GRANTS_MANAGE),
        200,
    ),
    ("ask reviews", "POST", "/reviews", {}, _has(P.GRANTS_MANAGE), 201),
    ("list reviews", "GET", "/reviews", None, ANYONE, 200),
    ("overdue reviews", "GET", "/reviews?overdue=true", None, ANYONE, 200),
    # the owner, or a reader of the custody log; anyone else: not found
    (
        "show review",
        "GET",
        "/reviews/{review}",
        None,
        lambda r: r == Role.SECRET_OWNER or P.CUSTODY_READ in MATRIX[r],
        200,
    ),
    ("sign off", "POST", "/reviews/{review}/sign-off", {}, lambda r: r == Role.SECRET_OWNER, 200),
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
    if allowed(role):
        assert r.status_code == ok, f"{role.value} {name}: {r.text}"
    else:
        assert r.status_code in (403, 404), f"{role.value} {name}: {r.text}"


@pytest.fixture
def world(module_world: dict[str, str]) -> dict[str, str]:
    return module_world


def test_a_notice_through_the_api_opens_a_watch_and_its_report(
    rc: RoleClients, world: dict[str, str]
) -> None:
    admin = rc.headers(Role.ADMIN)
    with rc.client() as client:
        body = {"person": world["other"], "notice_on": world["today"], "last_day": world["later"]}
        made = client.post(f"{BASE}/departures", headers=admin, json=body)
        assert made.status_code == 201, made.text
        watch = made.json()
        assert watch["ref"].startswith("DW-") and watch["heightened"] is True
        assert watch["lookback"]["summary"].startswith("Otto Other")
        report = client.get(f"{BASE}/departures/{watch['ref']}/report", headers=admin).json()
        assert report["watch"]["person_email"] == world["other"]
        assert report["exit_obligations_attested"] is False
        person = client.get(f"{API_PREFIX}/people/{world['other']}", headers=admin).json()
        assert person["notice_on"] == world["today"] and person["status"] == "departing"


def test_a_notice_after_the_last_day_is_refused_in_words(
    rc: RoleClients, world: dict[str, str]
) -> None:
    with rc.client() as client:
        r = client.post(
            f"{API_PREFIX}/people/{world['other']}/departure",
            headers=rc.headers(Role.ADMIN),
            json={"on": world["today"], "notice_on": world["later"]},
        )
    assert r.status_code == 422 and "notice comes first" in r.text


def test_a_concern_through_the_api(rc: RoleClients, world: dict[str, str]) -> None:
    owner = rc.headers(Role.SECRET_OWNER)
    url = f"{BASE}/reviews/{world['review']}/concern"
    with rc.client() as client:
        short = client.post(url, headers=owner, json={"comment": "hm"})
        assert short.status_code == 422 and "say what concerns you" in short.text
        done = client.post(url, headers=owner, json={"comment": "an unknown key read it at 3am"})
        assert done.status_code == 200 and done.json()["status"] == "concern"
        again = client.post(f"{BASE}/reviews/{world['review']}/sign-off", headers=owner, json={})
        assert again.status_code == 409
