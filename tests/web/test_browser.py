"""What a person clicks, in Chromium against the real app served by uvicorn: log in with a
password, enrol TOTP, register a secret, find it with the live search, read its custody history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest

from crownjewels.core import clock
from crownjewels.inventory.schemas import Tier
from tests.parties.factories import PASSWORD
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server.workspace(
        tmp_path_factory.mktemp("browser"),
        secret_key=BROWSER_KEY,
        tier=Tier.CONFIDENTIAL,
    ) as app:
        yield app


def test_log_in_enrol_register_search_and_read_the_history(live: Live, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, reduced_motion="reduce")
    page = context.new_page()
    foreign: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live.base) else foreign.append(r.url))
    failed: list[str] = []
    # a live search cut short by the next keystroke or by leaving the page is aborted: fine
    page.on(
        "requestfailed",
        lambda r: (
            None if r.failure == "net::ERR_ABORTED" else failed.append(f"{r.url} {r.failure}")
        ),
    )
    page.on("response", lambda r: failed.append(r.url) if r.status >= 500 else None)

    # password, then TOTP enrolment from the key shown on the page
    page.goto(live.base + "/")
    expect(page).to_have_url(re.compile(r"/login\?next=/$"))
    page.fill("#f-username", live.username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    expect(page.locator("figure.qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#f-code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit]")
    expect(page).to_have_url(live.base + "/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.locator(".user-menu summary")).to_have_text("Ada Admin")

    # register a secret with the form
    page.click("a[href='/secrets']")
    page.click("text=Register a secret")
    page.fill("#f-name", "Brine curing process")
    page.fill("#f-description", "Time, temperature and salinity of the brine cure, step by step.")
    page.select_option("#f-category", "process")
    page.select_option("#f-tier", "highly-sensitive")
    owner = page.locator("#f-owner_id option", has_text="Ada Admin").get_attribute("value")
    assert owner
    page.select_option("#f-owner_id", owner)
    page.fill("#f-allowed_regions", "US, DE")
    page.select_option("#f-factor-measures-score", "4")
    page.fill("#f-loc-0-name", "git.acme.example/rnd/brine")
    page.click("#secret-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/secrets/TS-\d{4}$"))
    expect(page.locator(".flash")).to_contain_text("is registered")

    # find it in the register with the live search (htmx swaps the results in place)
    page.click("a[href='/secrets']")
    results = page.locator("#results")
    expect(results).to_contain_text("Glaze recipe")
    page.fill("#q-input", "brine")
    expect(results).not_to_contain_text("Glaze recipe")
    expect(results).to_contain_text("Brine curing process")
    expect(page).to_have_url(re.compile(r"/secrets\?.*q=brine"))

    # open it: every field and its custody history
    page.click("#results a.secret-name")
    expect(page.locator("h1")).to_have_text("Brine curing process")
    expect(page.locator("#legend")).to_contain_text("HIGHLY SENSITIVE - TRADE SECRET OF ACME FOODS")
    expect(page.locator("#description-sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(page.locator("#custody-history")).to_contain_text("Secret registered")
    expect(page.locator("#custody-history")).to_contain_text("Secret location added")
    page.screenshot(path=str(SCREENSHOTS / "cj_secret.png"), full_page=True)

    # verify the chain with the htmx button (a GET carrying the CSRF header)
    page.click("details.more-menu summary")  # the custody log is under More
    page.click("a[href='/custody']")
    page.fill("form.filters input[name=subject]", "brine curing process")  # as a person knows it
    page.click("form.filters button[type=submit]")
    expect(page.locator("table.events td.subject").first).to_contain_text("Brine curing process")
    expect(page.locator("table.events")).not_to_contain_text("secret:")
    page.screenshot(path=str(SCREENSHOTS / "cj_custody.png"), full_page=True)
    page.click("table.events td a[href^='/custody/']")
    expect(page.locator("h1")).to_contain_text("Secret location added")
    page.screenshot(path=str(SCREENSHOTS / "cj_custody_event.png"), full_page=True)
    page.go_back()
    page.click("#verify-button")
    expect(page.locator("#verify-outcome")).to_contain_text("Chain intact")

    page.click("a.brand")
    expect(page.locator("#posture-chart")).to_be_visible()
    expect(page.locator("#overdue")).to_contain_text("No review is overdue")
    page.screenshot(path=str(SCREENSHOTS / "cj_dashboard.png"), full_page=True)

    page.click(".user-menu summary")
    page.click("text=Log out")
    expect(page).to_have_url(re.compile(r"/login$"))

    assert foreign == [], "pages must load nothing from other hosts"
    assert failed == []
    context.close()


def test_the_api_docs_render_from_our_own_copy_of_swagger_ui(live: Live, browser: object) -> None:
    """Swagger UI draws every operation from the vendored files: nothing from another host, no
    script refused by the content security policy."""
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    foreign: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live.base) else foreign.append(r.url))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(live.base + "/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    # a large document is drawn as a virtual list (only what is on screen): scroll to the end,
    # collecting the operations drawn on the way, until the last one stays the last
    drawn: set[str] = set()
    unchanged = 0
    while unchanged < 5 and len(drawn) < 1000:
        summaries = page.locator(".opblock-summary")
        before = len(drawn)
        drawn.update(summaries.all_inner_texts())
        unchanged = unchanged + 1 if len(drawn) == before else 0
        summaries.last.scroll_into_view_if_needed()
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(50)
    assert len(drawn) > 150, "every operation is drawn as the reader scrolls"
    page.mouse.wheel(0, -100_000)
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Crown Jewels")
    page.screenshot(path=str(SCREENSHOTS / "cj_api_docs.png"))

    assert foreign == [], "the API docs must load nothing from other hosts"
    assert errors == [], "no script error and no content-security-policy violation"
    context.close()
