"""The evidence API: the role matrix (the incident team writes, compliance and auditors read,
a vendor user reaches nothing), an item registered, handed over and its form downloaded over
HTTP, the system's records preserved, and refusals in words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Connection

from crownjewels.app import API_PREFIX
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.incidents.evidence import service
from crownjewels.incidents.evidence.schemas import EvidenceRegister
from crownjewels.settings import Settings
from tests.api_support import TEST_SECRET_KEY, RoleClients, Roles, app_for
from tests.conftest import savepoint_per_test
from tests.incidents.evidence.world import World, make_world

SHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World, roles: Roles) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def rc(db: Database, roles: Roles, world: World) -> RoleClients:
    settings = Settings(home=world.home, secret_key=TEST_SECRET_KEY, company_name="Acme Foods")
    return RoleClients(app=app_for(settings, db), tokens=roles.tokens, people=roles.people)


def _body(**changes: object) -> dict[str, object]:
    at = clock.now() - timedelta(days=1)
    return {
        "description": "USB stick found in Alice's desk drawer (SanDisk 64 GB)",
        "sha256": SHA,
        "size": 64_000_000_000,
        "collected_by": "Kim Lee",
        "collected_at": at.isoformat(),
        "collected_where": "Berlin office",
        "stored_at": "Evidence safe 2",
        **changes,
    }


def _item(db: Database, world: World) -> str:
    with db.unit_of_work() as session:
        return service.register(
            session,
            actor=system_actor("test"),
            ref=world.case_ref,
            data=EvidenceRegister.model_validate(_body()),
        ).ref


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.SECURITY, 200, 201),
        (Role.LEGAL, 200, 201),
        (Role.COMPLIANCE, 200, 403),
        (Role.AUDITOR, 200, 403),
        (Role.VENDOR_USER, 403, 403),
    ],
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_permissions(
    rc: RoleClients, db: Database, world: World, role: Role, read: int, write: int
) -> None:
    item = _item(db, world)
    client, headers = rc.client(), rc.headers(role)
    base = f"{API_PREFIX}/incidents/{world.case_ref}/evidence"
    assert client.get(base, headers=headers).status_code == read
    assert client.get(f"{base}/{item}", headers=headers).status_code == read
    assert client.get(f"{base}/{item}/form", headers=headers).status_code == read
    missing = client.get(f"{base}/EV-9999", headers=headers).status_code
    assert missing == (404 if read == 200 else 403)
    assert client.post(base, json=_body(), headers=headers).status_code == write
    hand = {
        "from_custodian": "Kim Lee",
        "to_custodian": "Dana",
        "handed_at": clock.now().isoformat(),
    }
    done = client.post(f"{base}/{item}/handovers", json=hand, headers=headers).status_code
    assert done == (200 if write == 201 else write)
    kept = client.post(f"{base}/preserve", json={"kinds": ["ledger"]}, headers=headers)
    assert kept.status_code == write


def test_register_hand_over_and_download_the_form(rc: RoleClients, world: World) -> None:
    client, headers = rc.client(), rc.headers(Role.SECURITY)
    base = f"{API_PREFIX}/incidents/{world.case_ref}/evidence"
    made = client.post(base, json=_body(sha256=SHA.upper()), headers=headers)
    assert made.status_code == 201
    item = made.json()
    assert item["sha256"] == SHA and item["size"] == 64_000_000_000
    url = f"{base}/{item['ref']}"
    hand = {
        "from_custodian": "Kim Lee",
        "to_custodian": "Dana Whitfield",
        "handed_at": clock.now().isoformat(),
        "purpose": "analysis",
    }
    shown = client.post(f"{url}/handovers", json=hand, headers=headers).json()
    assert shown["custodian"] == "Dana Whitfield" and shown["handovers"][0]["custody_seq"]
    again = client.post(f"{url}/handovers", json=hand, headers=headers)
    assert again.status_code == 409
    assert "is held by Dana Whitfield, not Kim Lee" in again.json()["detail"]
    form = client.get(f"{url}/form", headers=headers)
    assert form.status_code == 200 and form.content.startswith(b"%PDF")
    assert form.headers["content-type"] == "application/pdf"
    assert f"chain-of-custody-{item['ref']}.pdf" in form.headers["content-disposition"]
    listed = client.get(base, headers=headers).json()
    assert [(i["ref"], i["handovers"], i["custodian"]) for i in listed] == [
        (item["ref"], 1, "Dana Whitfield")
    ]


def test_bad_input_is_refused_in_words(rc: RoleClients, world: World) -> None:
    client, headers = rc.client(), rc.headers(Role.LEGAL)
    base = f"{API_PREFIX}/incidents/{world.case_ref}/evidence"
    bad = client.post(base, json=_body(sha256="not-a-hash"), headers=headers)
    assert bad.status_code == 422 and "is not a SHA-256" in bad.text
    later = (clock.now() + timedelta(days=2)).isoformat()
    future = client.post(base, json=_body(collected_at=later), headers=headers)
    assert future.status_code == 422 and "cannot be in the future" in future.text
    findings = client.post(f"{base}/preserve", json={"kinds": ["findings"]}, headers=headers)
    assert findings.status_code == 403 and "needs the alerts:read permission" in findings.text
    none = client.post(f"{API_PREFIX}/incidents/IN-9999/evidence", json=_body(), headers=headers)
    assert none.status_code == 404


def test_preserving_over_http_answers_the_items(rc: RoleClients, world: World) -> None:
    client, headers = rc.client(), rc.headers(Role.SECURITY)
    base = f"{API_PREFIX}/incidents/{world.case_ref}/evidence"
    made = client.post(f"{base}/preserve", json={}, headers=headers)
    assert made.status_code == 201
    kinds = [(m["kind"], m["legal_hold"], bool(m["document_id"])) for m in made.json()]
    assert kinds == [("bundle", True, True), ("ledger", True, True), ("findings", True, True)]
