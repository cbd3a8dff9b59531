"""In Chromium against the real app: a vendor manager sends the questionnaire by one-time link;
the vendor (no account) answers part of it, saves, comes back with the same link, finishes and
submits; the link is then used up; the manager reviews answer by answer, completes, and reads
the explained inherent and residual risk on the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.inventory.schemas import Tier
from tests.parties.factories import PASSWORD, make_person, make_user
from tests.vendors.diligence_factories import import_builtin, make_contact, make_vendor
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser
SCREENSHOTS = Path("/tmp")

#: (question, how to answer it in the page)
YES = ["1.3", "2.1", "2.2", "3.1", "3.2", "4.1", "5.1", "7.1", "7.2", "7.3", "8.2", "9.1"]
NO = ["5.3", "6.1", "9.2"]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-diligence")


@pytest.fixture(scope="module")
def live(live_server: LiveServer, home: Path) -> Iterator[tuple[Live, str]]:
    with live_server.workspace(home, secret_key=BROWSER_KEY, tier=Tier.HIGHLY_SENSITIVE) as app:
        db = Database(app.url)
        with db.unit_of_work() as s:
            admin = system_actor("test")
            import_builtin(s, admin)
            vendor, _ = make_vendor(s, admin, name="Lotus Process", countries=("IN",))
            make_contact(s, vendor)
            manager = make_person(s, admin, name="Vera Manager")
            user = make_user(s, admin, Role.VENDOR_MANAGER, person=manager)
        db.dispose()
        yield app, user.username


def _log_in(page: Any, base: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#f-code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit]")
    expect(page).to_have_url(base + "/")


def _radio(page: Any, qid: str, value: str) -> None:
    page.check(f"#f-q-{qid.replace('.', '-')}-{value}")


def test_send_answer_resume_submit_review_and_read_the_explanation(
    live: tuple[Live, str], browser: object
) -> None:
    from playwright.sync_api import Browser, expect

    app, manager_login = live
    assert isinstance(browser, Browser)
    failed: list[str] = []

    # the vendor manager sends the questionnaire by one-time link
    manager = browser.new_context(viewport={"width": 1280, "height": 900})
    page = manager.new_page()
    page.on("response", lambda r: failed.append(r.url) if r.status >= 500 else None)
    _log_in(page, app.base, manager_login)
    page.goto(app.base + "/assessments")
    page.click("#send-link")
    for select, text in (("#f-vendor", "Lotus Process"), ("#f-secrets", "Glaze recipe")):
        value = page.locator(f"{select} option", has_text=text).get_attribute("value")
        assert value
        page.select_option(select, value)
    page.check("#f-channel-link")
    page.click("#send-form button[type=submit]")
    link = page.locator("#one-time-link").inner_text().strip()
    assert re.fullmatch(re.escape(app.base) + r"/a/[A-Za-z0-9_-]{40,}", link), link

    # the vendor, with no account: answers some, saves, leaves
    vendor = browser.new_context(viewport={"width": 1280, "height": 900})
    answer = vendor.new_page()
    answer.on("response", lambda r: failed.append(r.url) if r.status >= 500 else None)
    sent: list[tuple[str, str]] = []
    answer.on("request", lambda r: sent.append((r.url, r.headers.get("referer", ""))))
    answer.goto(link)
    expect(answer.locator("h1")).to_have_text("Vendor security and confidentiality")
    # the first load traded the token for a cookie: the address bar and every later request
    # (the page's scripts and styles, the save) carry no token, not even as a Referer
    expect(answer).to_have_url(app.base + "/a")
    token = link.rsplit("/", 1)[1]
    expect(answer.locator(".main-nav")).to_have_count(0)
    answer.check("input[name='q.1.1'][value='ISO/IEC 27001']")
    for qid in YES[:5]:
        _radio(answer, qid, "yes")
    answer.click("#save-draft")
    expect(answer.locator(".flash")).to_contain_text("Your answers are saved")
    assert sent[0][0] == link and len(sent) > 2
    assert not [r for r in sent[1:] if token in r[0] or token in r[1]], sent
    answer.close()

    # ... and comes back later with the same link: the draft is there
    answer = vendor.new_page()
    answer.goto(link)
    expect(answer.locator("#f-q-2-1-yes")).to_be_checked()
    expect(answer.locator("input[name='q.1.1'][value='ISO/IEC 27001']")).to_be_checked()
    # a conditional question appears when the answer it depends on is given
    expect(answer.locator("[id='question-4.2']")).to_be_hidden()
    for qid in YES[5:]:
        _radio(answer, qid, "yes")
    expect(answer.locator("[id='question-4.2']")).to_be_visible()
    _radio(answer, "5.3", "yes")
    expect(answer.locator("[id='question-5.4']")).to_be_visible()
    for qid in NO:
        _radio(answer, qid, "no")
    expect(answer.locator("[id='question-5.4']")).to_be_hidden()
    answer.select_option("#f-q-3-3", "Quarterly")
    answer.fill("#f-q-4-2", "400")
    answer.fill("#f-q-5-2", "48")
    answer.fill("#f-q-8-1", "India")
    answer.select_option("#f-q-8-3", "Encrypted portal or SFTP")
    answer.screenshot(path=str(SCREENSHOTS / "cj_diligence_answer.png"), full_page=True)
    answer.click("#submit-answers")
    expect(answer.locator("h1")).to_contain_text("is submitted")
    gone = answer.goto(link)
    assert gone is not None and gone.status == 410
    expect(answer.locator("body")).to_contain_text("works once")
    vendor.close()

    # the vendor manager reviews answer by answer: MFA rejected, the rest accepted
    page.goto(app.base + "/assessments")
    page.click("#assessments a")
    expect(page.locator("h1")).to_contain_text("Lotus Process")
    # .all() does not wait: read the radios only once the review page has loaded to its end
    expect(page.locator("#save-review")).to_be_visible()
    for radio in page.locator("input[type=radio][value=accepted]").all():
        radio.check()
    page.check("#d-3-2-rejected")
    page.fill("input[name='note.3.2']", "MFA covers administrators only")
    page.click("#save-review")
    expect(page.locator(".flash")).to_contain_text("answers saved")
    page.fill("#f-title", "MFA for all staff")
    page.select_option("#f-owner", label="Vera Manager")
    page.fill("#f-due_on", "2027-01-15")
    page.click("#add-remediation")
    expect(page.locator("#remediation")).to_contain_text("MFA for all staff")
    page.click("#complete")
    expect(page.locator(".flash")).to_contain_text("Assessment completed")

    # the score's explanation: levels with their factors in plain words
    inherent = page.locator("#inherent-risk")
    expect(inherent).to_contain_text("criticality high: +3")
    expect(inherent).to_contain_text("(highly sensitive): +4")
    expect(inherent).to_contain_text("India: USTR Priority Watch List 2025: +2")
    expect(inherent.locator(".badge")).to_have_text("Critical")
    residual = page.locator("#residual-risk")
    expect(residual).to_contain_text("encryption at rest in place (answer 2.1 accepted, weight 3)")
    expect(residual).to_contain_text("MFA for all staff answer 3.2 rejected: no reduction")
    expect(residual).to_contain_text("open remediation: MFA for all staff by 2027-01-15")
    expect(page.locator("#risk")).to_contain_text("Frozen when the assessment was completed")
    page.screenshot(path=str(SCREENSHOTS / "cj_diligence_review.png"), full_page=True)
    manager.close()
    assert failed == []
