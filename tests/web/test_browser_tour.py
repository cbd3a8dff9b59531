"""The README's five-minute tour, walked in Chromium step by step as written, on the demo
company made the way `make run` makes it (`crownjewels init`, `crownjewels demo`). The command
line steps run through the CLI on the same installation. Only step 2 and step 14 log in through
the forms (they are about logging in); every other step starts from a session cookie."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crownjewels.core.db import Database
from crownjewels.demo import agreements as demo_agreements
from crownjewels.settings import Settings
from crownjewels.web.auth import SESSION_COOKIE, login_cookie
from tests.cli_helpers import Cli
from tests.web.live import Live, LiveServer
from tests.web.test_browser_diligence import NO, YES

pytestmark = pytest.mark.browser
SCREENSHOTS = Path("/tmp")
COMPANY = "Northwind Biologics"
ADMIN = "dana.whitfield@northwind.example"
OWNER = "elena.vasquez@northwind.example"
MANAGER = "tomas.alvarez@northwind.example"
LEGAL = "rachel.okafor@northwind.example"
SECURITY = "marcus.chen@northwind.example"
ARJUN = "arjun.mehta@lotus-process.example"


@dataclass
class Tour:
    """The served demo installation and the CLI on it."""

    live: Live
    cli: Cli
    printed: str
    settings: Settings


@pytest.fixture(scope="module")
def tour(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tour]:
    home = tmp_path_factory.mktemp("tour")
    cli = Cli(home, live_server.fresh_home(home))
    # step 1: `make run` initialises, seeds the demo company and prints the demo logins
    cli.ok("init", CROWNJEWELS_COMPANY_NAME=COMPANY)
    printed = cli.ok("demo", CROWNJEWELS_COMPANY_NAME=COMPANY).out
    with live_server.installation(home, company_name=COMPANY) as live:
        yield Tour(live, cli, printed, Settings(home=home, company_name=COMPANY))


def _password(printed: str) -> str:
    found = re.search(r"password\s+(\S+)", printed)
    assert found, printed
    return found.group(1)


def _as(browser: Any, tour: Tour, email: str) -> Any:
    """A page logged in as a demo user through the session cookie a completed login leaves."""
    [(user_id,)] = tour.cli.sql("SELECT id FROM app_user WHERE username = :u", u=email)
    db = Database(tour.live.url)
    try:
        with db.unit_of_work() as session:
            cookie = login_cookie(session, tour.settings, user_id=user_id, mfa=True)
    finally:
        db.dispose()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": tour.live.base}])
    return _watched(context.new_page())


FAILED: list[str] = []


def _watched(page: Any) -> Any:
    page.on("response", lambda r: FAILED.append(r.url) if r.status >= 500 else None)
    return page


def _log_in_with_forms(browser: Any, tour: Tour, email: str) -> Any:
    """Email, password, then the 6-digit code `crownjewels demo code EMAIL` prints."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = _watched(context.new_page())
    page.goto(tour.live.base + "/")
    page.fill("#f-username", email)
    page.fill("#f-password", _password(tour.printed))
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/mfa$"))
    page.fill("#f-code", tour.cli.ok("demo", "code", email).out.strip())
    page.click("button[type=submit]")
    return page


def test_the_readme_tour_as_written(tour: Tour, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base = tour.live.base
    # 1. the printed logins: one per role, one password, each one's TOTP key
    for role in ("admin", "legal", "security", "compliance", "vendor-manager", "secret-owner"):
        assert re.search(rf"^  {role} +\S+@\S+ +TOTP key [A-Z2-7]+$", tour.printed, re.M), role
    assert re.fullmatch(r"\d{6}", tour.cli.ok("demo", "code", "admin").out.strip())

    # 2. log in as the admin: email, password, then the 6-digit code
    page = _log_in_with_forms(browser, tour, ADMIN)
    expect(page).to_have_url(base + "/")

    # 3. the dashboard
    expect(page.locator("h1")).to_have_text("Dashboard")

    # 4. the register: filter, search (enzyme, TS-0003), open a secret
    page.click("a[href='/secrets']")
    results = page.locator("#results")
    page.fill("#q-input", "enzyme")
    expect(results).to_contain_text("NWB-17 enzyme stabiliser formulation")
    page.fill("#q-input", "TS-0003")
    expect(results).to_contain_text("TS-0003")
    page.goto(base + "/secrets?tier=highly-sensitive")
    expect(results).to_contain_text("TS-")
    page.goto(base + "/secrets/TS-0001")
    for shown in ("#legend", "#locations", "#reviews", "#custody-history"):
        expect(page.locator(shown)).to_be_visible()
    expect(page.locator("body")).to_contain_text(re.compile(r"[0-9a-f]{64}"))

    # 5. a new secret: the validation messages, then saved and found in the register
    page.goto(base + "/secrets/new")
    page.click("#secret-form button[type=submit]")
    expect(page.locator("#name-error")).to_be_visible()
    page.fill("#f-name", "Tour fermentation schedule")
    page.fill("#f-description", "Day-by-day temperature and feed schedule of the NWB fermenter.")
    page.select_option("#f-category", "process")
    page.select_option("#f-tier", "confidential")
    dana = page.locator("#f-owner_id option", has_text="Dana Whitfield").get_attribute("value")
    assert dana
    page.select_option("#f-owner_id", dana)
    page.click("#secret-form button[type=submit]")
    expect(page).to_have_url(re.compile(r"/secrets/TS-\d{4}$"))
    ref = page.url.rsplit("/", 1)[1]
    history = page.locator("#custody-history")
    expect(history).to_contain_text(re.compile("SECRET_REGISTERED|secret registered", re.I))

    # 6. edit it and record a review: the history shows each change
    page.goto(f"{base}/secrets/{ref}/edit")
    page.fill("#f-description", "Hour-by-hour temperature and feed schedule of the NWB fermenter.")
    page.click("#secret-form button[type=submit]")
    expect(history).to_contain_text(re.compile("SECRET_UPDATED|secret updated", re.I))
    page.click("#reviews summary")
    page.click("#review-form button[type=submit]")
    expect(history).to_contain_text(re.compile("SECRET_REVIEWED|secret reviewed", re.I))

    # 7. documents: upload, download my copy with a purpose, identify the copy
    page.click("#documents-link")
    source = tmp_path / "schedule.txt"
    source.write_text("Day 1: 30 C, feed 2 g/L.\nDay 2: 31 C, feed 3 g/L.\n")
    page.click("text=Upload a document")
    page.set_input_files("#f-file", str(source))
    page.click("#upload-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("is in the vault")
    form = page.locator("form.copy-form").first
    expect(form.locator("button[type=submit]")).to_have_text("Download my copy")
    form.locator("input[name=purpose]").fill("fermenter audit")
    with page.expect_download() as info:
        form.locator("button[type=submit]").click()
    copy = tmp_path / "schedule-copy.txt"
    info.value.save_as(copy)
    page.goto(base + "/identify")
    page.set_input_files("#f-file", str(copy))
    page.click("#identify-form button[type=submit]")
    expect(page.locator("#recipient")).to_contain_text("Dana Whitfield")

    # 8. the custody log: filter, verify, sign a checkpoint, export a bundle and verify it
    [(secret_id,)] = tour.cli.sql("SELECT id FROM trade_secret WHERE ref = :r", r=ref)
    page.goto(base + "/custody?type=SECRET_UPDATED")
    # the subject as a person reads it (its ref), or as the log names it (type:id)
    expect(page.locator("main")).to_contain_text(re.compile(f"{ref}|{secret_id}"))
    page.click("#verify-button")
    expect(page.locator("#verify-outcome")).to_contain_text("Chain intact")
    page.goto(base + "/custody/checkpoints")
    page.click("#checkpoint-button")
    expect(page.locator(".flash")).to_contain_text("Checkpoint signed")
    page.goto(base + "/custody")
    page.click("details.export summary")
    page.fill("details.export input[name=subject]", f"secret:{secret_id}")
    with page.expect_download() as info:
        page.click("#export-button")
    bundle = tmp_path / "bundle.zip"
    info.value.save_as(bundle)
    tour.cli.ok("custody", "verify-bundle", str(bundle))

    # 9. the same data from the command line
    cli = tour.cli
    assert "TS-" in cli.ok("secrets", "list", "--tier", "highly-sensitive").out
    assert cli.ok("secrets", "show", "TS-0001", "--json").json()["ref"] == "TS-0001"
    assert cli.ok("custody", "verify").out.startswith("chain intact")
    assert re.search(f"{ref}|{secret_id}", cli.ok("custody", "log", "--type", "SECRET_UPDATED").out)
    cli.ok("vault", "list", "--secret", "TS-0001")
    assert "Dana Whitfield" in cli.ok("vault", "identify", str(copy)).out
    assert "VN-0001" in cli.ok("vendors", "list").out
    assert cli.ok("vendors", "show", "VN-0001", "--json").json()["ref"] == "VN-0001"
    cli.ok("questionnaires", "list", "--sent")
    assert "AG-" in cli.ok("agreements", "list").out
    page.context.close()

    _vendors_and_diligence(browser, tour)
    _agreements(browser, tour, tmp_path)
    _access(browser, tour)
    _portal(browser, tour, tmp_path)
    _leaks(browser, tour)
    _incidents(browser, tour)
    assert FAILED == []


def _vendors_and_diligence(browser: Any, tour: Tour) -> None:
    from playwright.sync_api import expect

    base = tour.live.base
    # 10. vendors, as the vendor manager: the risk view, then Lotus Process Services
    page = _as(browser, tour, MANAGER)
    page.goto(base + "/vendors")
    expect(page.locator('tr[data-country="IN"]')).to_be_visible()
    page.click("text=Lotus Process Services")
    india = page.locator("#jurisdiction-IN")
    expect(india).to_contain_text("Special 301")
    expect(page.locator("#chain")).to_contain_text("Bayani")
    expect(page.locator("body")).to_contain_text("inherent")

    # 11. due diligence: send a questionnaire to Wisla by one-time link, answer, save, come
    # back, submit; review each answer, add a remediation item, complete
    page.goto(base + "/assessments")
    page.click("#send-link")
    wisla = page.locator("#f-vendor option", has_text="Wisla").get_attribute("value")
    assert wisla
    page.select_option("#f-vendor", wisla)
    page.check("#f-channel-link")
    page.click("#send-form button[type=submit]")
    link = page.locator("#one-time-link").inner_text().strip()
    private = browser.new_context(viewport={"width": 1280, "height": 900})
    answer = _watched(private.new_page())
    answer.goto(link)
    for qid in YES[:3]:
        answer.check(f"#f-q-{qid.replace('.', '-')}-yes")
    answer.click("#save-draft")
    expect(answer.locator(".flash")).to_contain_text("Your answers are saved")
    answer.goto(link)
    expect(answer.locator(f"#f-q-{YES[0].replace('.', '-')}-yes")).to_be_checked()
    answer.check("input[name='q.1.1'][value='ISO/IEC 27001']")
    for qid in YES[3:]:
        answer.check(f"#f-q-{qid.replace('.', '-')}-yes")
    for qid in NO:
        answer.check(f"#f-q-{qid.replace('.', '-')}-no")
    answer.select_option("#f-q-3-3", "Quarterly")
    answer.fill("#f-q-4-2", "40")
    answer.fill("#f-q-5-2", "24")
    answer.fill("#f-q-8-1", "Poland")
    answer.select_option("#f-q-8-3", "Encrypted portal or SFTP")
    answer.click("#submit-answers")
    expect(answer.locator("h1")).to_contain_text("is submitted")
    private.close()
    page.goto(base + "/assessments")
    page.locator("#assessments tr", has_text="Wisla").locator("a").first.click()
    # .all() does not wait: read the radios only once the review page has loaded to its end
    expect(page.locator("h1")).to_contain_text("Wisla")
    expect(page.locator("#save-review")).to_be_visible()
    for radio in page.locator("input[type=radio][value=accepted]").all():
        radio.check()
    page.click("#save-review")
    expect(page.locator(".flash")).to_contain_text("answers saved")
    page.fill("#f-title", "Quarterly access recertification")
    page.select_option("#f-owner", label="Tomás Álvarez")
    page.fill("#f-due_on", "2027-03-31")
    page.click("#add-remediation")
    expect(page.locator("#remediation")).to_contain_text("Quarterly access recertification")
    page.click("#complete")
    expect(page.locator(".flash")).to_contain_text("Assessment completed")
    expect(page.locator("#inherent-risk")).to_contain_text("criticality")
    page.context.close()


def _agreements(browser: Any, tour: Tour, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    # 12. the Lotus NDA, flagged for renewal: its clause table, a finding's sentence, and legal
    # accepting a finding
    page = _as(browser, tour, LEGAL)
    page.goto(tour.live.base + "/agreements")
    page.locator("tr", has_text="Lotus").filter(has_text="NDA").locator("a").first.click()
    breach = page.locator('tr.finding[data-requirement="breach_notification"]')
    expect(breach).to_have_attribute("data-status", "contradicted")
    breach.locator("a.evidence-link").click()
    expect(page.locator("#agreement-text mark.current")).to_be_in_viewport()
    limited = page.locator('tr.finding[data-requirement="limited_use"]')
    limited.locator("details.review summary").click()
    form = limited.locator("form.review-form")
    form.locator("select[name=decision]").select_option("accepted")
    form.locator("button[type=submit]").click()
    expect(page.locator(".flash")).to_contain_text("is accepted")
    page.context.close()
    nda = tmp_path / "my-nda.txt"
    nda.write_text(demo_agreements.data().nda_document.text)
    found = tour.cli.ok("agreements", "analyse", str(nda), "--jurisdiction", "US", "--json")
    assert found.json()


def _access(browser: Any, tour: Tour) -> None:
    from playwright.sync_api import expect

    base = tour.live.base
    # 13. as the secret owner: approve Kavya Nair's request on TS-0010 after reading its
    # context, see who can access the secret, check Rohan from the command line, the ledger
    page = _as(browser, tour, OWNER)
    page.goto(base + "/access/grants")
    page.locator("tr", has_text="Kavya Nair").locator("a").first.click()
    expect(page.locator("#approval-context")).to_contain_text("If approved")
    page.screenshot(path=str(SCREENSHOTS / "cj_tour_approve.png"), full_page=True)
    page.click("#approve-button")
    expect(page.locator("h1")).to_contain_text(re.compile("approved|active", re.IGNORECASE))
    page.goto(base + "/secrets/TS-0010")
    page.click("#who-can-link")
    expect(page.locator("main")).to_contain_text("Arjun Mehta")
    # the owner may not take a copy of the playbook (its personal data may not leave the EU
    # for her): the page says why, and that a grant would not change it
    page.goto(base + "/secrets/TS-0010/documents")
    withheld = page.locator(".withheld").first
    expect(withheld).to_contain_text("No copy for you yet")
    expect(withheld).to_contain_text("A grant would not change this")
    page.screenshot(path=str(SCREENSHOTS / "cj_tour_withheld.png"), full_page=True)
    check = tour.cli(
        "access", "check", "rohan.gupta@lotus-process.example", "TS-0010", "--action", "download"
    )
    assert check.code != 0 or "may not" in check.out, check
    words = (check.out + check.err).lower()
    for rule in ("departed", "training", "grant", "acknowledge"):
        assert rule in words, (rule, words)
    page.goto(base + "/disclosures")
    expect(page.locator("#export-csv")).to_be_visible()
    expect(page.locator("#export-pdf")).to_be_visible()
    page.context.close()


def _portal(browser: Any, tour: Tour, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base = tour.live.base
    # 14. the vendor portal: Arjun sees only his grants, opens the playbook's, reads its
    # notice, downloads a copy with his name; the ledger shows it under Lotus's NDA
    page = _log_in_with_forms(browser, tour, ARJUN)
    expect(page).to_have_url(base + "/portal")
    grants = page.locator("#grants")
    expect(grants).to_contain_text("Claims adjudication playbook")
    expect(grants).not_to_contain_text("Kavya")
    grants.locator("a", has_text="GR-").first.click()
    expect(page.locator("#notice-text")).to_be_visible()
    expect(page.locator("#acknowledged")).to_be_visible()
    with page.expect_download() as info:
        page.locator("#documents form button[type=submit]").first.click()
    copy = tmp_path / "playbook-copy.txt"
    info.value.save_as(copy)
    assert "Arjun Mehta" in tour.cli.ok("vault", "identify", str(copy)).out
    page.context.close()
    owner = _as(browser, tour, OWNER)
    owner.goto(base + "/disclosures?secret=TS-0010")
    ledger = owner.locator("#ledger tbody")
    expect(ledger).to_contain_text("Arjun Mehta")
    expect(ledger).to_contain_text("AG-")
    owner.context.close()


def _leaks(browser: Any, tour: Tour) -> None:
    from playwright.sync_api import expect

    base = tour.live.base
    # 17. as the security user: Leaks in the header, LM-0001 side by side; Canary tokens,
    # CT-0001 fired; as legal: Leaks, Watchlists, Review queue, WR-0001 marked with a note
    page = _as(browser, tour, SECURITY)
    page.goto(base + "/")
    page.click("#nav-leaks")
    page.locator("#matches a", has_text="LM-0001").click()
    expect(page.locator("#verdict")).to_contain_text("TS-0005 routing.py, identifiers renamed")
    expect(page.locator("#passages .side-by-side mark").first).to_be_visible()
    page.click("#nav-leaks")
    page.click("text=Canary tokens")
    page.locator("#tokens a", has_text="CT-0001").click()
    expect(page.locator("#hits")).to_contain_text("185.220.101.4")
    page.click("#nav-alerts")
    expect(page.locator("main")).to_contain_text("A canary token fired")
    page.context.close()
    legal = _as(browser, tour, LEGAL)
    legal.goto(base + "/")
    legal.click("#nav-leaks")
    legal.click("text=Watchlists")
    legal.click("text=Review queue")
    item = legal.locator("#WR-0001")
    expect(item).to_contain_text("TS-0003")
    expect(item).to_contain_text("names the competitor Helix Biologics")
    item.locator("textarea").fill("Helix's application describes our galactosylation control")
    item.locator("button", has_text="Not relevant").click()
    expect(legal.locator(".flash")).to_contain_text("WR-0001")
    legal.context.close()
    cli = tour.cli
    assert "LM-0001" in cli.ok("leaks", "matches").out
    assert cli.ok("leaks", "match", "LM-0001", "--json").json()["secret_ref"] == "TS-0005"
    assert "185.220.101.4" in cli.ok("leaks", "hits", "CT-0001").out
    cli.ok("leaks", "reviews", "list")


def _incidents(browser: Any, tour: Tour) -> None:
    from playwright.sync_api import expect

    base = tour.live.base
    # 18. as the security user: Incidents in the header, IN-0001 with its first 24 hours and
    # its deadlines counting down (the GDPR notice, the NDA's 48 hours); Contain… previews in
    # one sentence; Evidence and Letters from the case
    page = _as(browser, tour, SECURITY)
    page.goto(base + "/")
    page.click("#nav-incidents")
    page.locator("#cases a", has_text="IN-0001").click()
    expect(page.locator("h1")).to_contain_text("Hospital contacts exported")
    expect(page.locator("#first-day")).to_be_visible()
    gdpr = page.locator("#clock-gdpr-art-33")
    expect(gdpr).to_contain_text("supervisory authority")
    expect(gdpr.locator(".countdown")).to_contain_text("left")
    expect(page.locator("#clock-table")).to_contain_text("AG-")
    page.click("#contain-link")
    expect(page.locator("#summary")).to_contain_text("vendor VN-0002")
    page.goto(base + "/incidents/IN-0001")
    page.click("text=Evidence")
    expect(page.locator("main")).to_contain_text("IN-0001")
    page.goto(base + "/incidents/IN-0001")
    page.click("text=Letters")
    expect(page.locator("main")).to_contain_text("Notice of breach")
    page.context.close()
    cli = tour.cli
    assert "IN-0001" in cli.ok("incidents", "list", "--open").out
    assert "Art. 33" in cli.ok("incidents", "clocks", "IN-0001").out
    assert "VN-0002" in cli.ok("incidents", "contain", "IN-0001", "--preview").out
    cli.ok("incidents", "evidence", "list", "IN-0001")
