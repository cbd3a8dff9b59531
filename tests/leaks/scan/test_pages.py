"""The scan pages: pasted text scanned from the form shows each match side by side with the
suspect's text that once; the match page shows the secret's passages from the vault and only
the suspect's line numbers afterwards; the overview, the watches page, the review forms, and
who sees what."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.models import CustodyEvent
from crownjewels.leaks.scan import pages
from crownjewels.settings import Settings
from tests.leaks.scan.world import World, excerpt, make_world, settings_for
from tests.web.conftest import Login, app, client_of, csrf_of, frozen, make_login  # noqa: F401


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return settings_for(tmp_path)


@pytest.fixture
def world(db: Database, settings: Settings) -> World:
    with db.unit_of_work() as session:
        return make_world(session, system_actor("test"), settings.home)


def _reads(db: Database) -> int:
    with db.unit_of_work(write=False) as s:
        found = s.scalar(select(func.count()).where(CustodyEvent.event_type == "DOCUMENT_READ"))
        return int(found or 0)


def test_pasted_text_from_the_page(
    db: Database,
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    client = client_of(make_login(Role.SECURITY))
    form = client.get("/leaks/scan")
    assert form.status_code == 200 and 'name="target"' in form.text
    r = client.post("/leaks/scan", data={"text": excerpt(), "csrf_token": csrf_of(form.text)})
    assert r.status_code == 201, r.text
    assert "LM-0001" in r.text and "identifiers renamed" in r.text
    assert "<mark>def compute_rate(" in r.text  # the suspect's text, this once
    assert "<mark>def feed_rate(" in r.text  # the secret's, from the vault
    before = _reads(db)
    page = client.get("/leaks/matches/LM-0001")
    assert page.status_code == 200 and "<mark>def feed_rate(" in page.text
    assert _reads(db) == before + 1, "showing the secret's passages is a recorded read"
    assert "compute_rate" not in page.text and "is not kept" in page.text
    done = client.post(
        "/leaks/matches/LM-0001/dismiss",
        data={"reason": "our own release", "csrf_token": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert "LM-0001 dismissed" in done.text
    overview = client.get("/leaks")
    assert overview.status_code == 200 and "LS-0001" in overview.text
    assert 'href="/leaks/tokens"' in overview.text and 'href="/leaks/watchlists"' in overview.text
    assert client.get("/leaks/watches").status_code == 200


def test_a_folder_of_copies_decrypts_the_document_once_and_shows_a_few_side_by_side(
    db: Database,
    world: World,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    monkeypatch.setattr(pages, "SIDE_BY_SIDE", 2)
    folder = tmp_path / "suspect"
    folder.mkdir()
    for n in range(3):
        (folder / f"copy{n}.py").write_text(excerpt() + f"\n# copy {n}\n")
    client = client_of(make_login(Role.SECURITY))
    form = client.get("/leaks/scan")
    before = _reads(db)
    r = client.post("/leaks/scan", data={"target": str(folder), "csrf_token": csrf_of(form.text)})
    assert r.status_code == 201, r.text
    assert r.text.count("<article>") == 2 and "LM-0003" in r.text
    assert "1 more match is not shown side by side" in r.text
    assert _reads(db) == before + 1, "one document matched three times is decrypted once"


def test_bad_input_and_who_sees_what(
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    client = client_of(make_login(Role.SECURITY))
    form = client.get("/leaks/scan")
    r = client.post(
        "/leaks/scan",
        data={"text": "x", "url": "http://example.com/", "csrf_token": csrf_of(form.text)},
    )
    assert r.status_code == 422 and "give one thing to scan" in r.text
    auditor = client_of(make_login(Role.AUDITOR))
    assert auditor.get("/leaks").status_code == 200
    assert auditor.get("/leaks/scan").status_code == 403
    compliance_less = client_of(make_login(Role.VENDOR_MANAGER))
    assert compliance_less.get("/leaks").status_code == 403


def test_a_file_uploaded_from_the_page_is_scanned(
    world: World,
    make_login: Callable[..., Login],  # noqa: F811
    client_of: Callable[[Login], TestClient],  # noqa: F811
) -> None:
    client = client_of(make_login(Role.SECURITY))
    form = client.get("/leaks/scan")
    r = client.post(
        "/leaks/scan",
        data={"csrf_token": csrf_of(form.text)},
        files={"file": ("found.py", excerpt().encode(), "text/x-python")},
    )
    assert r.status_code == 201, r.text
    assert "found.py" in r.text and "identifiers renamed" in r.text
