"""What a vendor manager clicks, in Chromium against the real app: open a vendor file with the
form, add a processing country and a subcontractor, read the jurisdiction panel with its sources
and the chain, and find the vendor in the risk view."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.parties.schemas import OrgKind
from tests.parties.factories import PASSWORD, make_org
from tests.vendors.factories import make_vendor
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("browser-vendors")
    with live_server.workspace(home, secret_key=BROWSER_KEY) as app:
        db = Database(app.url)
        with db.unit_of_work() as s:
            admin = system_actor("test")
            make_org(s, admin, name="Lotus Process Services", kind=OrgKind.VENDOR, country="IN")
            make_vendor(s, admin, name="Bayani Contact", country="PH")
        db.dispose()
        yield app


def test_open_a_vendor_file_and_read_its_jurisdictions(live: Live, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 500 else None)

    page.goto(live.base + "/login")
    page.fill("#f-username", live.username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#f-code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit]")
    expect(page).to_have_url(live.base + "/")

    # open the vendor file with the form; a missing criticality is shown next to its field
    page.click("a[href='/vendors']")
    page.click("text=Add a vendor")
    org = page.locator("#f-organisation_id option", has_text="Lotus Process Services")
    page.select_option("#f-organisation_id", org.get_attribute("value"))
    page.fill("#f-services", "Payer claims processing")
    page.fill("#f-countries", "in")
    page.click("#vendor-form button[type=submit]")
    expect(page.locator("#criticality-error")).to_have_text("Choose a criticality")
    page.select_option("#f-criticality", "critical")
    page.click("#vendor-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/vendors/VN-\d{4}$"))
    expect(page.locator(".flash")).to_contain_text("is added")

    # its subcontractor, and the Philippines reached through it
    page.click("#chain summary")
    sub = page.locator("#f-subcontractor option", has_text="Bayani Contact").get_attribute("value")
    page.select_option("#f-subcontractor", sub)
    page.fill("#subcontractor-form #f-service", "overflow calls")
    page.click("#subcontractor-form button[type=submit]")
    expect(page.locator("#chain")).to_contain_text("Bayani Contact")
    india = page.locator("#jurisdiction-IN")
    expect(india).to_contain_text("Priority Watch List")
    india.locator("details.sources summary").click()
    expect(india.locator("details.sources a").first).to_have_attribute(
        "href", re.compile(r"^https://")
    )
    expect(page.locator("#jurisdiction-PH")).to_contain_text("through a subcontractor")
    expect(page.locator("#custody-history")).to_contain_text("Vendor subcontractor added")
    page.screenshot(path=str(Path("/tmp") / "cj_vendor.png"), full_page=True)

    # the risk view counts the critical vendor in India and, through Bayani, the Philippines
    page.click("a[href='/vendors']")
    expect(page.locator('tr[data-country="IN"] td[data-criticality="critical"]')).to_have_text("1")
    expect(page.locator('tr[data-country="PH"] td[data-criticality="critical"]')).to_have_text("1")
    page.locator('tr[data-country="PH"] td[data-criticality="critical"] a').click()
    expect(page.locator("#results table.vendors")).to_contain_text("Lotus Process Services")
    expect(page.locator("#results table.vendors")).not_to_contain_text("Bayani Contact")

    assert failed == []
    context.close()
