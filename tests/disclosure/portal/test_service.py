"""The vendor portal through the HTTP client: a vendor user lands on /portal and sees only their
own grants; acknowledging the notice records an attestation of its exact text; a download before
that is refused with a clear message; after, a watermarked copy comes back and is registered."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from crownjewels.core.db import Database
from crownjewels.disclosure.models import DisclosureCopy, DisclosureEntry
from crownjewels.disclosure.service import watermark_key
from crownjewels.disclosure.watermark import engine as watermark
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretUpdate
from crownjewels.settings import Settings
from crownjewels.training.models import Attestation
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from tests.access.refusals import refusals
from tests.disclosure.portal.world import (
    BINDER,
    SHEET,
    World,
    add_document,
    approve,
    make_world,
    request,
)
from tests.inventory.factories import make_secret
from tests.web.conftest import Login, csrf_of

ClientOf = Callable[[Login], TestClient]
NOTICE = re.compile(r'<pre id="notice-text"[^>]*>(.*?)</pre>', re.S)


@pytest.fixture
def world(settings: Settings, db: Database) -> World:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        return make_world(s, vault.open_vault(settings))


def _login(world: World, side: str = "a") -> Login:
    s = getattr(world, side)
    return Login(person=s.person, user=s.user)


def test_landing_lists_own_grants_only(world: World, client_of: ClientOf) -> None:
    client = client_of(_login(world))
    home = client.get("/")
    assert home.url.path == "/portal" and home.status_code == 200
    assert world.a.grant.ref in home.text and world.a.secret.name in home.text
    assert world.a.grant.purpose in home.text
    for hidden in (world.b.grant.ref, world.b.secret.name, world.b.secret.ref, world.internal.name):
        assert hidden not in home.text
    # internal navigation is not offered, and internal pages refuse the vendor user
    for link in ('href="/secrets"', 'href="/people"', 'href="/custody"', 'href="/agreements"'):
        assert link not in home.text
    assert client.get("/secrets").status_code == 403


def test_acknowledge_then_download_a_marked_registered_copy(
    world: World, client_of: ClientOf, db: Database, settings: Settings
) -> None:
    client = client_of(_login(world))
    url = f"/portal/grants/{world.a.grant.ref}"
    page = client.get(url)
    assert page.status_code == 200 and world.a.document.title in page.text
    found = NOTICE.search(page.text)
    assert found
    notice = html.unescape(found.group(1))
    assert world.a.secret.ref in notice and world.a.grant.purpose in notice
    assert world.a.secret.legend.strip() in notice
    download = f"{url}/documents/{world.a.document.id}/download"
    refused = client.post(download, data={"csrf_token": csrf_of(page.text)})
    assert refused.status_code == 403
    assert "acknowledge the confidentiality notice" in refused.text
    with db.unit_of_work() as s:
        assert s.scalar(select(DisclosureCopy)) is None
    acked = client.post(f"{url}/acknowledge", data={"csrf_token": csrf_of(page.text)})
    assert acked.status_code == 200 and 'id="acknowledged"' in acked.text
    with db.unit_of_work() as s:
        rows = s.scalars(
            select(Attestation).where(
                Attestation.person_id == world.a.person.id, Attestation.channel == "portal"
            )
        ).all()
    assert len(rows) == 1 and rows[0].secret_id == world.a.secret.id
    assert rows[0].text == notice
    assert rows[0].text_sha256 == hashlib.sha256(notice.encode("utf-8")).hexdigest()
    got = client.post(download, data={"csrf_token": csrf_of(acked.text)})
    assert got.status_code == 200, got.text
    assert got.headers["content-disposition"].startswith("attachment; filename=")
    assert got.headers["cache-control"] == "no-store"
    assert got.headers["x-copy-marked"] == "true" and got.content != SHEET
    marks = watermark.read_marks(
        got.content, "text/plain", key=watermark_key(settings.resolved_secret_key())
    )
    assert watermark.describe(marks).copy_id == got.headers["x-copy-id"]
    with db.unit_of_work() as s:
        copy = s.get(DisclosureCopy, got.headers["x-copy-id"])
        entry = (
            s.scalar(select(DisclosureEntry).where(DisclosureEntry.copy_id == copy.id))
            if copy
            else None
        )
    assert copy is not None and copy.recipient_person_id == world.a.person.id
    assert copy.channel == "portal" and copy.purpose == world.a.grant.purpose
    # the ledger names the disclosure, its channel and the agreement it was made under
    assert entry is not None and entry.channel == "portal" and entry.agreement_ref


def test_another_vendors_grant_and_document_are_not_found(
    world: World, client_of: ClientOf
) -> None:
    client = client_of(_login(world))
    page = client.get(f"/portal/grants/{world.a.grant.ref}")
    token = csrf_of(page.text)
    assert client.get(f"/portal/grants/{world.b.grant.ref}").status_code == 404
    assert (
        client.post(
            f"/portal/grants/{world.b.grant.ref}/acknowledge", data={"csrf_token": token}
        ).status_code
        == 404
    )
    for doc in (world.b.document.id, world.internal_document.id):
        r = client.post(
            f"/portal/grants/{world.a.grant.ref}/documents/{doc}/download",
            data={"csrf_token": token},
        )
        assert r.status_code == 404


def test_a_requested_grant_shows_its_notice_and_no_documents_until_approved(
    world: World, client_of: ClientOf, db: Database, settings: Settings
) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, BINDER, name="Charlie glaze", allowed_regions=["IN"])
        doc = add_document(s, vault.open_vault(settings), secret, "Charlie sheet")
        grant = request(s, person_id=world.a.person.id, secret_id=secret.id, purpose="kiln test")
    client = client_of(_login(world))
    url = f"/portal/grants/{grant.ref}"
    page = client.get(url)
    assert page.status_code == 200 and "requested" in page.text and doc.title not in page.text
    assert 'id="notice-text"' in page.text and 'id="acknowledge-form"' not in page.text
    token = csrf_of(page.text)
    refused = client.post(f"{url}/documents/{doc.id}/download", data={"csrf_token": token})
    assert refused.status_code == 403 and "approved or active grant" in refused.text
    assert [r["action"] for r in refusals(db, world.a.person.id)] == ["download"]
    # the notice of a grant that is only requested cannot be acknowledged yet
    early = client.post(f"{url}/acknowledge", data={"csrf_token": token})
    assert early.status_code == 409 and "once the grant is approved" in early.text
    with db.unit_of_work() as s:
        assert s.scalar(select(Attestation).where(Attestation.secret_id == secret.id)) is None
    with db.unit_of_work() as s:
        approve(s, grant)
    page = client.get(url)
    assert doc.title in page.text and 'id="acknowledge-form"' in page.text
    acked = client.post(f"{url}/acknowledge", data={"csrf_token": token})
    assert 'id="acknowledged"' in acked.text
    got = client.post(f"{url}/documents/{doc.id}/download", data={"csrf_token": token})
    assert got.status_code == 200 and got.headers["x-copy-marked"] == "true"


def test_a_download_the_access_rules_refuse_keeps_its_access_denied(
    world: World, client_of: ClientOf, db: Database
) -> None:
    with db.unit_of_work() as s:
        # the secret may no longer go to India, where the vendor user works
        inventory.update(
            s,
            actor=BINDER,
            secret_ref=world.a.secret.id,
            changes=SecretUpdate(allowed_regions=["US"]),
            company="Northwind",
        )
    client = client_of(_login(world))
    url = f"/portal/grants/{world.a.grant.ref}"
    page = client.get(url)
    acked = client.post(f"{url}/acknowledge", data={"csrf_token": csrf_of(page.text)})
    assert refusals(db, world.a.person.id) == []
    refused = client.post(
        f"{url}/documents/{world.a.document.id}/download", data={"csrf_token": csrf_of(acked.text)}
    )
    assert refused.status_code == 403 and "allowed regions" in refused.text
    kept = refusals(db, world.a.person.id)
    assert [(r["action"], r["document_id"]) for r in kept] == [("download", world.a.document.id)]
    assert [r["rule"] for r in kept[0]["reasons"]] == ["region:countries"]
    with db.unit_of_work() as s:
        assert s.scalar(select(DisclosureCopy)) is None
