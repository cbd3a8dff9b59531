"""The custody pages sign checkpoints and export evidence bundles that verify offline."""

from __future__ import annotations

import json
import re
import zipfile
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
        data={"csrf_token": csrf_of(log.text), "subject": secret.ref},  # the ref people read
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="custody-{secret.ref}.zip"'
    )
    assert response.headers["cache-control"] == "no-store"  # the evidence is never cached
    path = tmp_path / "bundle.zip"
    path.write_bytes(response.content)
    public = (settings.home / keys.PUBLIC_FILE).read_bytes()
    report = bundle.verify(path, trusted_key=public)
    assert report.ok, report.problems
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        events = json.loads(archive.read("events.json"))
    assert manifest["subject_name"] == f"{secret.ref} Sauce formula"
    assert events[0]["event"] == "Secret registered"
    assert events[0]["subject_name"] == manifest["subject_name"]


def test_signing_and_export_need_the_sign_permission_and_a_real_subject(
    client_for: ClientFor, settings: Settings
) -> None:
    keys.ensure_signing_key(settings.home)
    owner = client_for(Role.SECRET_OWNER)
    assert owner.get("/custody/checkpoints").status_code == 403
    # the auditor reads and verifies, but signing (and the export, which signs) is a write
    auditor = client_for(Role.AUDITOR)
    page = auditor.get("/custody/checkpoints")
    assert page.status_code == 200 and "checkpoint-button" not in page.text
    log = auditor.get("/custody")
    assert "verify-button" in log.text and "export-button" not in log.text
    token = csrf_of(log.text)
    signed = auditor.post("/custody/checkpoints", data={"csrf_token": token})
    assert signed.status_code == 403 and "custody:sign" in signed.text
    refused = auditor.post("/custody/export", data={"csrf_token": token, "subject": "secret:x"})
    assert refused.status_code == 403 and "custody:sign" in refused.text
    legal = client_for(Role.LEGAL)
    token = csrf_of(legal.get("/custody").text)
    missing = legal.post("/custody/export", data={"csrf_token": token, "subject": "secret:nope"})
    assert missing.status_code == 422 and "no custody events about" in missing.text
    bad = legal.post("/custody/export", data={"csrf_token": token, "subject": "TS-9999"})
    assert bad.status_code == 422
    assert "No secret, agreement or vendor is called TS-9999" in bad.text
    assert 'value="TS-9999"' in bad.text  # what was typed stays in the field
