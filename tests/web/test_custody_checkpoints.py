"""The custody pages sign checkpoints and export evidence bundles that verify offline."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody import bundle, keys
from crownjewels.settings import Settings
from tests.inventory.factories import make_secret
from tests.web.conftest import csrf_of

ClientFor = Callable[..., TestClient]


def test_sign_a_checkpoint_and_export_a_bundle(
    client_for: ClientFor, db: Database, settings: Settings, tmp_path: Path
) -> None:
    keys.ensure_signing_key(settings.home)
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Sauce formula")
    client = client_for(Role.SECURITY)
    page = client.get("/custody/checkpoints")
    assert page.status_code == 200 and "No checkpoint has been signed yet" in page.text
    signed = client.post("/custody/checkpoints", data={"csrf_token": csrf_of(page.text)})
    assert signed.status_code == 200  # followed the redirect
    assert re.search(r"Checkpoint signed over \d+ events", signed.text)
    log = client.get("/custody")
    response = client.post(
        "/custody/export",
        data={"csrf_token": csrf_of(log.text), "subject": f"secret:{secret.id}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert f"custody-secret-{secret.id}.zip" in response.headers["content-disposition"]
    path = tmp_path / "bundle.zip"
    path.write_bytes(response.content)
    public = (settings.home / keys.PUBLIC_FILE).read_bytes()
    report = bundle.verify(path, trusted_key=public)
    assert report.ok, report.problems


def test_export_needs_verify_permission_and_a_real_subject(
    client_for: ClientFor, settings: Settings
) -> None:
    keys.ensure_signing_key(settings.home)
    owner = client_for(Role.SECRET_OWNER)
    assert owner.get("/custody/checkpoints").status_code == 403
    auditor = client_for(Role.AUDITOR)
    token = csrf_of(auditor.get("/custody").text)
    missing = auditor.post("/custody/export", data={"csrf_token": token, "subject": "secret:nope"})
    assert missing.status_code == 404
    bad = auditor.post("/custody/export", data={"csrf_token": token, "subject": "nocolon"})
    assert bad.status_code == 422 and "TYPE:ID" in bad.text
