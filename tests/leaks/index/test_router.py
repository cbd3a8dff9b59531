"""The fingerprint index API: who may read and index, a queued version indexed through it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from crownjewels.app import API_PREFIX
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.vault import service as vault_service
from crownjewels.vault.keys import create_key_file
from tests.api_support import RoleClients, Roles
from tests.api_support import connection as connection
from tests.inventory.factories import make_secret
from tests.leaks.fingerprint.samples import SAMPLES

BASE = f"{API_PREFIX}/leaks/index"


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


def test_status_sources_and_indexing(rc: RoleClients, db: Database) -> None:
    settings = rc.app.state.settings
    key = settings.resolved_vault_key_file()
    if not key.exists():
        create_key_file(key)
    admin = system_actor("test")
    db.on_commit.clear()  # this test's Database: nothing indexed promptly, the POST does it
    with db.unit_of_work() as s:
        secret = make_secret(s, admin, name="Brine recipe")
        vault_service.add_document(
            s,
            actor=admin,
            vault=vault_service.open_vault(settings),
            owner_type="secret",
            owner_ref=secret.ref,
            title="ingest.py",
            upload=io.BytesIO(SAMPLES["python"][1].encode()),
            filename="ingest.py",
        )
    client = rc.client()
    auditor = client.get(BASE, headers=rc.headers(Role.AUDITOR))
    assert auditor.status_code == 200 and auditor.json()["pending"] == 1
    before = client.get(f"/secrets/{secret.ref}", headers=rc.headers(Role.AUDITOR)).text
    assert f"No document of {secret.ref} is fingerprinted yet" in before
    assert "Scan something for leaks" not in before, "an auditor reads, never scans"
    refused = client.post(BASE, json={}, headers=rc.headers(Role.AUDITOR))
    assert refused.status_code == 403 and "leaks:manage" in refused.json()["detail"]
    done = client.post(BASE, json={}, headers=rc.headers(Role.SECURITY))
    assert done.status_code == 200, done.text
    assert done.json()["indexed"] == 1
    page = client.get(f"/secrets/{secret.ref}", headers=rc.headers(Role.SECURITY)).text
    assert f"1 document of {secret.ref} fingerprinted" in page, "the secret page's panel"
    listed = client.get(
        f"{BASE}/sources", params={"secret": secret.ref}, headers=rc.headers(Role.SECURITY)
    )
    assert [s["name"] for s in listed.json()["items"]] == ["ingest.py"]
    assert listed.json()["total"] == 1
    bad = client.post(BASE, json={"secret": "TS-0404"}, headers=rc.headers(Role.SECURITY))
    assert bad.status_code == 404 and "TS-0404" in bad.text
    assert (
        client.post(BASE, json={"limit": 0}, headers=rc.headers(Role.SECURITY)).status_code == 422
    )
