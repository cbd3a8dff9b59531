"""Every operation of the OpenAPI document, fuzzed in-process by schemathesis as an admin in a
seeded world: whatever it sends (huge integers, long strings, NUL characters, wrong types), the
answer is never a 5xx. The budget is fixed and the generation derandomized, so the run is
the same every time and bounded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Connection

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody import keys
from crownjewels.settings import Settings
from crownjewels.vault.keys import create_key_file
from tests.api_support import TEST_SECRET_KEY, Roles, app_for
from tests.conftest import savepoint_per_test
from tests.inventory.factories import make_secret
from tests.parties.factories import make_org, make_person
from tests.vendors.factories import make_vendor

#: examples per operation: about 130 operations, so the whole run stays well under a minute
EXAMPLES = 8
BASE_URL = "http://testserver"


@pytest.fixture(scope="module")
def world(module_db: Database, roles: Roles) -> None:
    """A secret, an organisation, a vendor and a person, so that lookups find something."""
    with module_db.unit_of_work() as session:
        admin = system_actor("test")
        owner = make_person(session, admin, name="Dana Whitfield")
        make_secret(session, admin, owner=owner, name="Sauce formula")
        make_org(session, admin, name="Acme Offshore")
        make_vendor(session, admin, name="Lotus Outsourcing")


@pytest.fixture
def connection(module_connection: Connection, roles: Roles, world: None) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installation's home, as `crownjewels init` leaves it: a vault key and a signing key."""
    path = tmp_path_factory.mktemp("home")
    create_key_file(path / "vault.key")
    keys.ensure_signing_key(path)
    return path


@pytest.fixture
def app(db: Database, roles: Roles, home: Path) -> FastAPI:
    """The process's API app over the test's database."""
    return roles.clients(db, home).app


@pytest.fixture
def admin_headers(roles: Roles) -> dict[str, str]:
    return {"Authorization": f"Bearer {roles.tokens[Role.ADMIN]}"}


def _document() -> dict[str, Any]:
    """The OpenAPI document the app serves (it does not depend on the database): built by the
    process's app, which the tests then point at their database."""
    settings = Settings(home=Path("/nonexistent"), secret_key=TEST_SECRET_KEY)
    return app_for(settings, Database("sqlite://")).openapi()


CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"generation": {"mode": "positive"}, "unexpected-methods": []}}}
)
schema = schemathesis.openapi.from_dict(_document(), config=CONFIG)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_input_answers_a_server_error(
    case: Case, app: FastAPI, admin_headers: dict[str, str]
) -> None:
    case.call_and_validate(
        app=app, base_url=BASE_URL, headers=admin_headers, checks=[not_a_server_error]
    )
