"""What a vendor manager clicks to import vendors, in Chromium against the real app: upload a
spreadsheet, read the bad row, upload the fixed one, import it, find the vendor in the list."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from crownjewels.core import clock
from tests.parties.factories import PASSWORD
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser
HEADER = "Name,Home country,Services,Criticality,Countries\n"


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("browser-imports")
    with live_server.workspace(home, secret_key=BROWSER_KEY) as app:
        yield app


def test_import_vendors_from_a_spreadsheet(live: Live, browser: object, tmp_path: Path) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    bad, good = tmp_path / "bad" / "vendors.csv", tmp_path / "vendors.csv"
    bad.parent.mkdir()
    bad.write_text(HEADER + "Lotus Process,IN,Trials,urgent,IN\n", encoding="utf-8")
    good.write_text(HEADER + "Lotus Process,IN,Trials,high,IN; SG\n", encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    page.goto(live.base + "/login")
    page.fill("#f-username", live.username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#f-code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit]")

    page.goto(live.base + "/vendors")
    page.click("text=Import")
    page.set_input_files("#f-file", str(bad))
    page.click("text=Check the file")
    expect(page.locator("#import-problems")).to_contain_text(
        "vendors.csv:2the criticality 'urgent' is not one of critical, high, medium, low"
    )
    page.set_input_files("#f-file", str(good))
    page.click("text=Check the file")
    page.click("#import-confirm")
    expect(page.locator(".flash")).to_contain_text("Imported 1 row from vendors.csv (VN-0001)")
    expect(page.locator("#results")).to_contain_text("Lotus Process")
    context.close()
