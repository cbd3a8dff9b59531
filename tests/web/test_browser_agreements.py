"""In Chromium: log in, record an NDA with a vendor, upload it as a PDF, analyse it, and read
the clause table: clicking a finding scrolls its highlighted evidence into view in the text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from crownjewels.core import clock
from tests.agreements.samples import nda_pdf
from tests.parties.factories import PASSWORD
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("browser-agreements")
    with live_server.workspace(home, secret_key=BROWSER_KEY) as app:
        yield app


def test_upload_an_nda_and_see_its_clause_table_with_highlighted_evidence(
    live: Live, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context()
    page = context.new_page()
    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 500 else None)

    page.goto(live.base + "/")
    page.fill("#f-username", live.username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    page.fill(
        "#f-code", pyotp.TOTP(page.locator("#totp-secret").inner_text().strip()).at(clock.now())
    )
    page.click("button[type=submit]")
    expect(page).to_have_url(live.base + "/")

    # record the NDA from the listing; a refused form shows its message next to the field
    page.click("nav >> text=Agreements")
    expect(page.locator("h1")).to_have_text("Agreements")
    page.click("#new-agreement")
    today = clock.today()
    page.fill("#f-title", "Mutual NDA with Acme Foods Inc")
    page.select_option("#f-status", "in_force")
    page.select_option("#f-organisations", label="Acme Foods Inc (vendor, IN)")
    page.fill("#f-effective_on", str(today - timedelta(days=3)))
    page.fill("#f-expires_on", str(today - timedelta(days=10)))
    page.fill("#f-governing_law", "US")
    page.click("#save-agreement")
    expect(page.locator("#expires_on-error")).to_contain_text("is before the effective date")
    page.fill("#f-expires_on", str(today + timedelta(days=365)))
    page.click("#save-agreement")
    expect(page.locator(".flash")).to_contain_text("is recorded")
    expect(page.locator("#standing")).to_contain_text("is in force today")

    # upload the signed PDF and analyse it
    source = tmp_path / "nda-signed.pdf"
    source.write_bytes(nda_pdf())
    page.set_input_files("#f-file", str(source))
    page.click("#upload-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("Version 1 is in the vault")
    page.click("#analyse-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("is analysed")

    # the clause table, with a status badge per requirement
    table = page.locator("table.clauses")
    expect(table).to_be_visible()
    limited = page.locator('tr.finding[data-requirement="limited_use"]')
    expect(limited).to_have_attribute("data-status", "satisfied")
    breach = page.locator('tr.finding[data-requirement="breach_notification"]')
    expect(breach).to_have_attribute("data-status", "contradicted")
    expect(breach.locator(".badge").first).to_contain_text("Contradicted")
    expect(page.locator('tr.finding[data-requirement="audit_right"]')).to_have_attribute(
        "data-status", "not_mentioned"
    )

    # clicking a finding scrolls to its evidence, highlighted in the document text
    marks = page.locator("#agreement-text mark")
    assert marks.count() >= 5
    breach.locator("a.evidence-link").click()
    current = page.locator("#agreement-text mark.current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("shall not be required to notify")
    expect(current).to_be_in_viewport()
    background = current.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")

    limited.locator("a.evidence-link").click()
    expect(page.locator("#agreement-text mark.current")).to_contain_text("solely for the Purpose")
    expect(page.locator("#agreement-text mark.current")).to_be_in_viewport()

    # the address names that evidence: opened from elsewhere (a link sent on, or a click made
    # before the page's script ran), the page marks it and scrolls to it
    assert re.search(r"#ev-\d+$", page.url)
    shared = page.url
    page.goto(live.base + "/agreements")
    page.goto(shared)
    expect(page.locator("#agreement-text mark.current")).to_contain_text("solely for the Purpose")
    expect(page.locator("#agreement-text mark.current")).to_be_in_viewport()

    # the summary counts what to decide; contradictions come first
    expect(page.locator("#count-contradicted")).to_contain_text("contradicted")
    assert page.locator("tr.finding").first.get_attribute("data-status") == "contradicted"

    # an override without a reason comes back open at its finding, the choice kept
    breach.locator("details.review summary").click()
    form = breach.locator("form.review-form")
    form.locator("select[name=decision]").select_option("overridden")
    form.locator("select[name=status]").select_option("satisfied")
    form.locator("button[type=submit]").click()
    reason = breach.locator("input[name=reason]")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_be_in_viewport()
    expect(breach.locator(".field-error")).to_contain_text("needs a reason")
    expect(form.locator("select[name=decision]")).to_have_value("overridden")
    expect(form.locator("select[name=status]")).to_have_value("satisfied")

    # legal overrides the breach-notification finding with a reason
    form.locator("input[name=reason]").fill("Schedule 2 sets a 48-hour notice")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("is overridden")
    expect(page.locator('tr.finding[data-requirement="breach_notification"]')).to_have_attribute(
        "data-status", "satisfied"
    )

    # every satisfied finding not yet reviewed is accepted in one action
    page.click("#accept-satisfied-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("satisfied findings are accepted")
    expect(page.locator("#accept-satisfied-form")).to_have_count(0)
    assert failed == []
    context.close()
