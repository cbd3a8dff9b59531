"""The evidence pages: an item registered from the form with its hash computed from the uploaded
file, handed over, its chain shown with the custody event of each row and its form downloaded;
the ledger preserved and downloaded from the vault (a recorded read); a refusal flashed in
words; readers see no forms; a vendor user sees nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.models import CustodyEvent
from crownjewels.settings import Settings
from tests.conftest import savepoint_per_test
from tests.incidents.evidence.world import World, make_world
from tests.web.conftest import Login, app, client_of, csrf_of, frozen, make_login  # noqa: F401

MAILBOX = b"From: alice@example.com\nSubject: feed schedule\n\nSee attached.\n" * 500


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def settings(world: World) -> Settings:
    return Settings(
        home=world.home,
        database_url="sqlite://",
        secret_key="web-test-secret-key-0123456789abcdef",
        company_name="Acme Foods",
    )


def _reads(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        found = s.scalar(select(func.count()).where(CustodyEvent.event_type == "DOCUMENT_READ"))
        return int(found or 0)


def _stamp(days: float = 0) -> str:
    return (clock.now() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def test_register_hand_over_and_preserve_from_the_pages(
    db: Database,
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    client = client_of(make_login(Role.SECURITY))
    base = f"/incidents/{world.case_ref}/evidence"
    page = client.get(base)
    assert page.status_code == 200 and 'id="register-form"' in page.text
    assert 'id="preserve-form"' in page.text and "No evidence yet" in page.text
    form = {
        "description": "Export of Alice's mailbox (mbox)",
        "collected_by": "Kim Lee",
        "collected_at": _stamp(days=1),
        "collected_where": "Berlin office",
        "stored_at": "Evidence safe 2",
        "csrf_token": csrf_of(page.text),
    }
    files = {"file": ("alice.mbox", MAILBOX, "application/mbox")}
    done = client.post(base, data=form, files=files, follow_redirects=True)
    digest = hashlib.sha256(MAILBOX).hexdigest()
    assert f"EV-0001 is registered with SHA-256 {digest} (computed from the file)" in done.text
    item = client.get(f"{base}/EV-0001")
    assert item.status_code == 200 and digest in item.text and 'id="handover-form"' in item.text
    handed = client.post(
        f"{base}/EV-0001/handovers",
        data={
            "from_custodian": "Kim Lee",
            "to_custodian": "Dana Whitfield",
            "handed_at": _stamp(),
            "purpose": "analysis",
            "csrf_token": csrf_of(item.text),
        },
        follow_redirects=True,
    )
    assert "EV-0001 passed to Dana Whitfield; it is kept at Evidence safe 2." in handed.text
    assert 'id="handover-1"' in handed.text and 'href="/custody/' in handed.text
    refused = client.post(
        f"{base}/EV-0001/handovers",
        data={
            "from_custodian": "Kim Lee",
            "to_custodian": "Bo Chen",
            "handed_at": _stamp(),
            "csrf_token": csrf_of(item.text),
        },
        follow_redirects=True,
    )
    assert "EV-0001 is held by Dana Whitfield, not Kim Lee" in refused.text
    pdf = client.get(f"{base}/EV-0001/form")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    kept = client.post(
        f"{base}/preserve",
        data={"kinds": "ledger", "note": "before the letter", "csrf_token": csrf_of(item.text)},
        follow_redirects=True,
    )
    assert (
        "Preserved EV-0002 (disclosure ledger snapshot): kept in the vault under legal hold."
        in (kept.text)
    )
    before = _reads(db)
    got = client.get(f"{base}/EV-0002/download")
    assert got.status_code == 200 and got.content.startswith(b"PK")
    assert got.headers["x-content-sha256"] == hashlib.sha256(got.content).hexdigest()
    assert _reads(db) == before + 1, "downloading a preserved artefact is a recorded read"
    assert client.get(f"{base}/EV-0001/download").status_code == 422


def test_readers_see_no_forms_and_vendor_users_nothing(
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    base = f"/incidents/{world.case_ref}/evidence"
    reader = client_of(make_login(Role.AUDITOR))
    page = reader.get(base)
    assert page.status_code == 200 and "register-form" not in page.text
    refused = reader.post(base, data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403
    vendor = client_of(make_login(Role.VENDOR_USER))
    assert vendor.get(base).status_code in (403, 404)
    assert vendor.get(f"{base}/EV-0001/form").status_code in (403, 404)


def test_the_page_refuses_a_form_without_a_hash_in_words(
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
    tmp_path: Path,
) -> None:
    client = client_of(make_login(Role.LEGAL))
    base = f"/incidents/{world.case_ref}/evidence"
    page = client.get(base)
    form = {
        "description": "A USB stick",
        "collected_by": "Kim Lee",
        "collected_at": _stamp(days=1),
        "stored_at": "Safe 2",
        "csrf_token": csrf_of(page.text),
    }
    done = client.post(base, data=form, follow_redirects=True)
    assert "give the item&#39;s SHA-256" in done.text and "No evidence yet" in done.text
    nothing = client.post(f"{base}/preserve", data={"csrf_token": csrf_of(page.text)},
                          follow_redirects=True)  # fmt: skip
    assert "tick what to preserve" in nothing.text
