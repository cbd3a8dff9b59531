"""The letters and legal steps API: the role matrix (security and legal draft and record,
compliance reads but may not draft, a vendor user finds no case), a cease-and-desist letter
downloaded as DOCX naming its recipient, the text preview as JSON with its notes, and
refusals in words."""

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
from crownjewels.core.text import docx_text
from tests.api_support import RoleClients, Roles, app_for
from tests.conftest import savepoint_per_test
from tests.incidents.legal.world import World, make_world, settings_for

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World, roles: Roles) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def rc(db: Database, roles: Roles, world: World) -> RoleClients:
    app = app_for(settings_for(world.home), db)
    return RoleClients(app=app, tokens=roles.tokens, people=roles.people)


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        (Role.SECURITY, 200, 200),
        (Role.LEGAL, 200, 200),
        (Role.COMPLIANCE, 200, 403),
        (Role.VENDOR_USER, 404, 404),
    ],
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_permissions(rc: RoleClients, world: World, role: Role, read: int, write: int) -> None:
    client, headers = rc.client(), rc.headers(role)
    base = f"{API_PREFIX}/incidents/{world.case_ref}"
    assert client.get(f"{base}/letters", headers=headers).status_code == read
    assert client.get(f"{base}/legal-steps", headers=headers).status_code == read
    drafted = client.get(f"{base}/letters/internal-briefing?format=text", headers=headers)
    assert drafted.status_code == write
    step = {"kind": "counsel-engaged", "note": "Hale & Co LLP"}
    recorded = client.post(f"{base}/legal-steps", json=step, headers=headers)
    assert recorded.status_code == (201 if write == 200 else write)


def test_a_letter_downloaded_and_previewed(rc: RoleClients, world: World) -> None:
    client, headers = rc.client(), rc.headers(Role.LEGAL)
    base = f"{API_PREFIX}/incidents/{world.case_ref}/letters"
    listed = client.get(base, headers=headers).json()
    assert [t["key"] for t in listed] == ["cease-and-desist", "internal-briefing"]
    assert len(client.get(f"{base}?all=true", headers=headers).json()) == 11
    got = client.get(
        f"{base}/cease-and-desist",
        params={"recipient": world.jonas_email, "agreement": world.agreement_ref},
        headers=headers,
    )
    assert got.status_code == 200 and got.headers["content-type"] == DOCX
    name = f"{world.case_ref}-cease-and-desist-jonas-berg.docx"
    assert f'filename="{name}"' in got.headers["content-disposition"]
    words = docx_text(got.content, name)
    assert "Jonas Berg" in words and world.agreement_ref in words and world.copy_id in words
    pdf = client.get(
        f"{base}/cease-and-desist",
        params={"recipient": "Jonas Berg", "format": "pdf"},
        headers=headers,
    )
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    shown = client.get(f"{base}/regulator-gdpr", params={"format": "text"}, headers=headers).json()
    assert shown["key"] == "regulator-gdpr" and world.case_ref in shown["text"]
    assert any("No deadline" in n for n in shown["notes"])


def test_refusals_in_words(rc: RoleClients, world: World) -> None:
    client, headers = rc.client(), rc.headers(Role.SECURITY)
    base = f"{API_PREFIX}/incidents/{world.case_ref}"
    missing = client.get(f"{base}/letters/cease-and-desist", headers=headers)
    assert missing.status_code == 422 and "choose its recipient" in missing.text
    stranger = client.get(
        f"{base}/letters/cease-and-desist", params={"recipient": "Nobody"}, headers=headers
    )
    assert stranger.status_code == 422 and "Nobody is not a person or organisation" in stranger.text
    assert client.get(f"{base}/letters/apology", headers=headers).status_code == 404
    assert client.get(f"{API_PREFIX}/incidents/IN-9999/letters", headers=headers).status_code == 404
    future = {"kind": "settlement", "taken_at": (clock.now() + timedelta(days=1)).isoformat()}
    late = client.post(f"{base}/legal-steps", json=future, headers=headers)
    assert late.status_code == 422 and "cannot be taken in the future" in late.text
    other = client.post(f"{base}/legal-steps", json={"kind": "other"}, headers=headers)
    assert other.status_code == 422
