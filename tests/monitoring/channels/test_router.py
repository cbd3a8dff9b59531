"""The alert channels API: the role x route matrix (only channels:manage configures), a
webhook added over the API whose key signs a test the receiver verifies, bad input in words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import MATRIX, Permission, Role
from crownjewels.monitoring.channels import service
from crownjewels.monitoring.channels.schemas import ChannelCreate
from crownjewels.monitoring.models import Delivery
from crownjewels.settings import Settings
from tests.api_support import TEST_SECRET_KEY, RoleClients, Roles
from tests.conftest import savepoint_per_test
from tests.monitoring.channels.factories import make_alert
from tests.monitoring.channels.receivers import webhook_receiver
from tests.smtp_server import free_port

C = f"{API_PREFIX}/monitoring"


@pytest.fixture(scope="module")
def module_world(module_db: Database, roles: Roles) -> dict[str, str]:
    """A syslog channel whose receiver is down, and one delivery to it waiting; a webhook for
    critical alerts only."""
    admin = system_actor("test")
    sealer = service.sealer_for(Settings(secret_key=TEST_SECRET_KEY))
    with module_db.unit_of_work() as session:
        for fields in (
            {"name": "SIEM", "kind": "syslog", "target": f"tcp://127.0.0.1:{free_port()}"},
            {
                "name": "Hook",
                "kind": "webhook",
                "target": "https://hook.example.com/x",
                "min_severity": "critical",
            },
        ):
            data = ChannelCreate.model_validate(fields)
            service.add_channel(session, actor=admin, data=data, sealer=sealer)
        service.dispatch(session, alert=make_alert(session, severity="high"), new=True)
        delivery = session.query(Delivery).one()
        return {"delivery": delivery.id}


@pytest.fixture
def connection(module_connection: Connection, module_world: dict[str, str]) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


WEBHOOK = {"name": "SOC", "kind": "webhook", "target": "https://soc.example.com/hook"}
ROWS = [
    ("list", "GET", "/channels", None, 200),
    ("add", "POST", "/channels", WEBHOOK, 201),
    ("show", "GET", "/channels/SIEM", None, 200),
    ("change", "PATCH", "/channels/SIEM", {"min_severity": "high"}, 200),
    ("remove", "DELETE", "/channels/SIEM", None, 200),
    ("new key", "POST", "/channels/Hook/key", None, 200),
    ("test", "POST", "/channels/SIEM/test", None, 200),
    ("deliveries", "GET", "/deliveries?unsent=true", None, 200),
    ("retry", "POST", "/deliveries/{delivery}/retry", None, 200),
]


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r[0])
def test_permission_matrix(
    rc: RoleClients, module_world: dict[str, str], role: Role, row: tuple[Any, ...]
) -> None:
    name, method, path, body, ok = row
    with rc.client() as client:
        r = client.request(
            method, C + path.format(**module_world), headers=rc.headers(role), json=body
        )
    expected = ok if Permission.CHANNELS_MANAGE in MATRIX[role] else 403
    assert r.status_code == expected, f"{role.value} {name}: {r.text}"
    if expected >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")


def test_a_webhook_added_over_the_api_signs_its_test_with_the_key_shown_once(
    rc: RoleClients,
) -> None:
    admin = rc.headers(Role.ADMIN)
    with webhook_receiver() as hook, rc.client() as client:
        r = client.post(f"{C}/channels", headers=admin, json={**WEBHOOK, "target": hook.url})
        assert r.status_code == 201, r.text
        hook.key = r.json()["signing_key"]
        assert hook.key and r.json()["signed"]
        shown = client.get(f"{C}/channels/soc", headers=admin).json()
        assert "signing_key" not in shown
        tested = client.post(f"{C}/channels/SOC/test", headers=admin)
        assert tested.json() == {
            "channel": "SOC",
            "ok": True,
            "detail": f"the test message reached http://127.0.0.1:{hook.port}/…",
        }
        assert hook.wait().verified


def test_a_failing_test_and_the_deliveries_say_why(
    rc: RoleClients, module_world: dict[str, str]
) -> None:
    admin = rc.headers(Role.ADMIN)
    with rc.client() as client:
        tested = client.post(f"{C}/channels/SIEM/test", headers=admin).json()
        assert not tested["ok"] and "could not be reached" in tested["detail"]
        page = client.get(f"{C}/deliveries", headers=admin, params={"channel": "SIEM"}).json()
        assert page["total"] == 1 and page["items"][0]["channel"] == "SIEM"
        assert page["items"][0]["alert_ref"].startswith("AL-")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({**WEBHOOK, "target": "soc.example.com"}, "is not a webhook URL"),
        ({**WEBHOOK, "kind": "pager"}, "kind"),
        ({**WEBHOOK, "name": "a/b"}, "cannot hold a slash"),
        ({**WEBHOOK, "name": "siem"}, "named 'siem' already"),
        ({**WEBHOOK, "min_severity": "urgent"}, "min_severity"),
    ],
)
def test_bad_input_is_refused_in_words(rc: RoleClients, body: dict[str, Any], needle: str) -> None:
    with rc.client() as client:
        r = client.post(f"{C}/channels", headers=rc.headers(Role.ADMIN), json=body)
    assert r.status_code in (409, 422)
    assert needle in r.text
    with rc.client() as client:
        names = [
            c["name"] for c in client.get(f"{C}/channels", headers=rc.headers(Role.ADMIN)).json()
        ]
    assert names == ["Hook", "SIEM"]


def test_an_unknown_channel_is_404(rc: RoleClients) -> None:
    with rc.client() as client:
        r = client.get(f"{C}/channels/nope", headers=rc.headers(Role.ADMIN))
    assert r.status_code == 404 and "no alert channel 'nope'" in r.json()["detail"]
