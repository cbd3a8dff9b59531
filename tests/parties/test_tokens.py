"""An API token's last use is kept whatever the request does: a GET (a read-only unit of work)
and a refused request both roll back, and the last use must survive them."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from crownjewels.app import API_PREFIX
from crownjewels.core import clock
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.parties.models import ApiToken, User
from tests.api_support import RoleClients, Roles, connection  # noqa: F401


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tokens")


@pytest.fixture
def rc(db: Database, roles: Roles, home: Path) -> RoleClients:
    return roles.clients(db, home)


def _last_used(db: Database, rc: RoleClients, role: Role) -> datetime | None:
    with db.unit_of_work(write=False) as session:
        used: datetime | None = session.scalar(
            select(ApiToken.last_used_at)
            .join(User, User.id == ApiToken.user_id)
            .where(User.person_id == rc.people[role].id)
        )
    return used


def _at(moment: datetime) -> None:
    clock.set_clock(lambda: moment)


def test_a_get_keeps_the_tokens_last_use(db: Database, rc: RoleClients) -> None:
    assert _last_used(db, rc, Role.AUDITOR) is None
    _at(first := clock.now())
    with rc.client() as client:
        assert client.get(f"{API_PREFIX}/secrets", headers=rc.headers(Role.AUDITOR)).is_success
    assert _last_used(db, rc, Role.AUDITOR) == first


def test_a_refused_request_keeps_the_tokens_last_use(db: Database, rc: RoleClients) -> None:
    _at(first := clock.now())
    with rc.client() as client:
        refused = client.get(f"{API_PREFIX}/custody/events", headers=rc.headers(Role.VENDOR_USER))
    assert refused.status_code == 403
    assert _last_used(db, rc, Role.VENDOR_USER) == first
    # within five minutes the last use is not written again; after, it is
    _at(first + timedelta(minutes=3))
    with rc.client() as client:
        client.get(f"{API_PREFIX}/custody/events", headers=rc.headers(Role.VENDOR_USER))
    assert _last_used(db, rc, Role.VENDOR_USER) == first
    _at(first + timedelta(minutes=6))
    with rc.client() as client:
        client.get(f"{API_PREFIX}/custody/events", headers=rc.headers(Role.VENDOR_USER))
    assert _last_used(db, rc, Role.VENDOR_USER) == first + timedelta(minutes=6)
