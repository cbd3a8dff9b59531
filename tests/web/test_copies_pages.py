"""A secret's documents page: upload, "Download my copy" returns the watermarked file and the
copy is listed with who holds it; /identify names the recipient of a downloaded copy."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.settings import Settings
from crownjewels.vault.keys import create_key_file
from tests.access.factories import bind_for_access
from tests.access.refusals import refusals
from tests.disclosure.helpers import prose
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person
from tests.web.conftest import Login, csrf_of

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def test_upload_download_a_marked_copy_and_identify_it(
    settings: Settings, db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    create_key_file(Path(settings.home) / "vault.key")
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Glaze recipe")
    login = make_login(Role.LEGAL)
    with db.unit_of_work() as s:  # a secret's copy asks access first
        bind_for_access(s, person_id=login.person.id, secret_id=secret.id)
    client = client_of(login)
    page = client.get(f"/secrets/{secret.ref}")
    assert f'href="/secrets/{secret.ref}/documents"' in page.text
    page = client.get(f"/secrets/{secret.ref}/documents")
    assert page.status_code == 200 and "No documents yet" in page.text
    r = client.post(
        f"/secrets/{secret.ref}/documents",
        data={"csrf_token": csrf_of(page.text), "title": "Glaze sheet"},
        files={"file": ("glaze.txt", prose(3).encode(), "text/plain")},
    )
    assert r.status_code == 200 and "is in the vault" in r.text, r.text
    doc_id = re.search(r'data-document="([0-9A-Z]{26})"', r.text)
    assert doc_id
    refused = client.post(
        f"/secrets/{secret.ref}/documents/{doc_id.group(1)}/copy",
        data={"csrf_token": csrf_of(r.text), "purpose": ""},
    )
    assert refused.status_code == 422 and "purpose" in refused.text
    unknown = client.post(
        f"/secrets/{secret.ref}/documents/{doc_id.group(1)}/copy",
        data={"csrf_token": csrf_of(r.text), "purpose": "trial", "recipient": "nobody@x.example"},
    )
    assert unknown.status_code == 422 and "no person" in unknown.text
    with db.unit_of_work() as s:
        stranger = make_person(s, system_actor(), name="Sam Stranger")
    denied = client.post(
        f"/secrets/{secret.ref}/documents/{doc_id.group(1)}/copy",
        data={"csrf_token": csrf_of(r.text), "purpose": "trial", "recipient": stranger.email},
    )
    assert denied.status_code == 403 and "Sam Stranger may not download" in denied.text
    assert "need-to-know" in denied.text or "grant" in denied.text
    # the page discarded the refused form, not the refusal: its ACCESS_DENIED is kept
    kept = refusals(db, stranger.id)
    assert [(r["action"], r["document_id"]) for r in kept] == [("download", doc_id.group(1))]
    got = client.post(
        f"/secrets/{secret.ref}/documents/{doc_id.group(1)}/copy",
        data={"csrf_token": csrf_of(r.text), "purpose": "plant trial"},
    )
    assert got.status_code == 200
    assert got.headers["content-disposition"].startswith('attachment; filename="glaze.txt"')
    assert got.headers["cache-control"] == "no-store"
    copy_id = got.headers["x-copy-id"]
    assert got.content != prose(3).encode() and got.headers["x-copy-marked"] == "true"
    page = client.get(f"/secrets/{secret.ref}/documents")
    assert f'data-copy="{copy_id}"' in page.text and login.person.full_name in page.text
    form = client.get("/identify")
    found = client.post(
        "/identify",
        data={"csrf_token": csrf_of(form.text)},
        files={"file": ("found.txt", got.content, "text/plain")},
    )
    assert found.status_code == 200
    assert copy_id in found.text and login.person.full_name in found.text
    assert "plant trial" in found.text
    nothing = client.post(
        "/identify",
        data={"csrf_token": csrf_of(form.text)},
        files={"file": ("plain.txt", b"just words\n", "text/plain")},
    )
    assert "no mark survives" in nothing.text
    original = client.post(
        "/identify",
        data={"csrf_token": csrf_of(form.text)},
        files={"file": ("glaze.txt", prose(3).encode(), "text/plain")},
    )
    assert f"This is the original of “Glaze sheet” v1 of {secret.ref}" in original.text
    assert "not a registered copy" in original.text and 'id="original"' in original.text


def test_roles_without_documents_read_see_no_documents(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor(), name="Hidden")
    client = client_of(make_login(Role.AUDITOR))
    assert "documents-link" not in client.get(f"/secrets/{secret.ref}").text
    assert client.get(f"/secrets/{secret.ref}/documents").status_code == 403
    assert client.get("/identify").status_code == 403
