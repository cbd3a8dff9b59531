"""In Chromium: find a secret from the header's search box, then open Settings from the user
menu and change the password there (the page says the other sessions were signed out)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from crownjewels.core import clock
from tests.parties.factories import PASSWORD
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server.workspace(
        tmp_path_factory.mktemp("browser-settings"), secret_key=BROWSER_KEY
    ) as app:
        yield app


def test_search_from_the_header_then_change_the_password(
    live: Live, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 500 else None)
    page.goto(live.base + "/")
    page.fill("#f-username", live.username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.fill(
        "#f-code", pyotp.TOTP(page.locator("#totp-secret").inner_text().strip()).at(clock.now())
    )
    page.click("button[type=submit]")
    expect(page).to_have_url(live.base + "/")

    box = page.get_by_role("searchbox", name="Search")
    box.fill("glaze")
    box.press("Enter")
    expect(page.locator("#results-secrets")).to_contain_text("Glaze recipe")
    page.screenshot(path=str(tmp_path / "search-1440.png"), full_page=True)
    page.get_by_role("searchbox", name="Search").first.fill("ts-0001")
    page.get_by_role("searchbox", name="Search").first.press("Enter")
    expect(page).to_have_url(live.base + "/secrets/TS-0001")

    page.click(".user-menu summary")
    page.click("#settings-link")
    expect(page.locator("h1")).to_have_text("Your settings")
    page.fill("#f-current", PASSWORD)
    page.fill("#f-password", "a-new-password-2026")
    page.fill("#f-repeat", "a-different-one-2026")
    page.click("#password-form button[type=submit]")
    expect(page.locator("#repeat-error")).to_contain_text("two new passwords differ")
    page.fill("#f-current", PASSWORD)
    page.fill("#f-password", "a-new-password-2026")
    page.fill("#f-repeat", "a-new-password-2026")
    page.click("#password-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Your password is changed")
    page.screenshot(path=str(tmp_path / "settings-1440.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(tmp_path / "settings-390.png"), full_page=True)
    assert failed == []
    context.close()
