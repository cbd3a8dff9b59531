"""In Chromium, the whole need-to-know path: a vendor manager requests a grant for a vendor's
analyst, the secret's owner finds it under My tasks and approves it, the analyst enrols TOTP at
their first login, acknowledges the notice in the portal and downloads a watermarked copy, and
the ledger shows the disclosure under its agreement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pyotp
import pytest
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.permissions import Role
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.watermark.engine import describe, read_marks
from crownjewels.inventory.schemas import SecretRead
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from tests.access.factories import _agreement, _vendor_ready
from tests.parties.factories import PASSWORD, make_person, make_user
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser
SEEDED: dict[str, str] = {}
SHEET = b"Glaze recipe: frit 62, kaolin 18, silica 12, whiting 8; fire to cone 6, hold 10 min.\n"


def _seed(session: Session, settings: Settings, secret: SecretRead) -> None:
    actor = system_actor("browser-test")
    vendor, org = make_vendor(session, actor, name="Lotus Process Services")
    make_contact(session, vendor)
    analyst, _ = make_vendor_user(session, actor, org)
    _agreement(session, analyst.id, secret.id)
    _vendor_ready(session, org.id)
    vic = make_person(session, actor, name="Vic Manager")
    manager = make_user(session, actor, Role.VENDOR_MANAGER, person=vic)
    vault.add_document(
        session,
        actor=actor,
        vault=vault.open_vault(settings),
        owner_type="secret",
        owner_ref=secret.id,
        title="Glaze sheet",
        upload=BytesIO(SHEET),
        filename="glaze.txt",
    )
    SEEDED.update(
        analyst=analyst.email,
        analyst_name=analyst.full_name,
        manager=manager.username,
        secret=secret.ref,
    )


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server.workspace(
        tmp_path_factory.mktemp("browser-access"), secret_key=BROWSER_KEY, seed=_seed
    ) as app:
        yield app


def _log_in(browser: Any, live: Live, username: str) -> Any:
    """A first login through the forms: password, then TOTP enrolment."""
    from playwright.sync_api import expect

    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(live.base + "/")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    page.fill(
        "#f-code", pyotp.TOTP(page.locator("#totp-secret").inner_text().strip()).at(clock.now())
    )
    page.click("button[type=submit]")
    return page


def test_request_approve_acknowledge_download_and_see_it_in_the_ledger(
    live: Live, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    # the vendor manager asks for a download grant for the analyst
    manager = _log_in(browser, live, SEEDED["manager"])
    manager.goto(live.base + f"/access/grants/new?secret={SEEDED['secret']}")
    manager.select_option("#f-person", label=f"{SEEDED['analyst_name']} ({SEEDED['analyst']})")
    manager.select_option("#f-level", "download")
    manager.fill("#f-purpose", "Glaze trials at the Pune plant")
    manager.click("#grant-form button[type=submit]")
    expect(manager.locator("h1")).to_contain_text("GR-")
    ref = re.search(r"GR-\d+", manager.locator("h1").inner_text())
    assert ref is not None
    grant = ref.group(0)
    expect(manager.locator("body")).to_contain_text(re.compile("requested", re.I))

    # the secret's owner finds it under My tasks (the header counts it) and approves it
    owner = _log_in(browser, live, live.username)
    expect(owner.locator(".tasks-link .task-count")).to_have_text("1")
    owner.click(".tasks-link")
    expect(owner.locator("h1")).to_have_text("My tasks")
    owner.screenshot(path="/tmp/cj_tasks.png", full_page=True)
    owner.click(f"a:has-text('Approve or deny {grant}')")
    expect(owner).to_have_url(live.base + f"/access/grants/{grant}")
    owner.fill("#approve-form input[name=note]", "trials confirmed with the plant")
    owner.click("#approve-button")
    expect(owner.locator("body")).to_contain_text(re.compile("active", re.I))

    # the analyst enrols TOTP at their first login, like staff, and lands in the portal; there
    # they acknowledge the notice, then download a marked copy
    analyst = _log_in(browser, live, SEEDED["analyst"])
    expect(analyst).to_have_url(live.base + "/portal")
    analyst.click(f"text={grant}")
    expect(analyst.locator("#acknowledge-first")).to_be_visible()
    analyst.click("#acknowledge-form button[type=submit]")
    expect(analyst.locator("#acknowledged")).to_be_visible()
    with analyst.expect_download() as info:
        analyst.locator("#documents form button[type=submit]").first.click()
    copy = tmp_path / "copy.txt"
    info.value.save_as(copy)
    data = copy.read_bytes()
    assert data != SHEET
    verdict = describe(read_marks(data, "text/plain", key=disclosure.watermark_key(BROWSER_KEY)))
    assert verdict.copy_id

    # the ledger shows the disclosure, its channel, its agreement and its approver
    owner.goto(live.base + f"/disclosures?secret={SEEDED['secret']}")
    ledger = owner.locator("#ledger tbody")
    expect(ledger).to_contain_text(SEEDED["analyst_name"])
    expect(ledger).to_contain_text("portal")
    expect(ledger).to_contain_text("AG-")
    for page in (manager, owner, analyst):
        page.context.close()
