"""Screenshots of the main pages of the demo company, in Chromium at a desktop and a phone
width, written to a folder for a person to look at (`make screenshots`; CROWNJEWELS_SCREENSHOTS
names another folder). Each page must also fit the phone's width: nothing scrolls sideways."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementFilter
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.incidents.reports import intake
from crownjewels.incidents.reports import service as reports
from crownjewels.incidents.reports.schemas import ReportCreate, ReporterKind
from crownjewels.inventory import service as inventory
from crownjewels.monitoring.models import Alert
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.settings import Settings
from crownjewels.vendors import service as vendors
from crownjewels.web.auth import SESSION_COOKIE, login_cookie
from tests.monitoring.triage.factories import make_alert
from tests.parties.factories import make_person, make_user
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.screenshots]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
FOLDER = Path(os.environ.get("CROWNJEWELS_SCREENSHOTS", "screenshots"))
LOTUS = "Lotus Process Services Pvt Ltd"


@dataclass
class Demo:
    """The served demo: its address, a session cookie per role, and the refs the shots open."""

    live: Live
    cookies: dict[Role, str]
    vendor: str
    agreement: str
    alert: str


def _an_alert(db: Database) -> str:
    """The demo's first alert; until the demo seeds activity, Rohan Gupta's bulk download of
    TS-0001 written in as the scorer would store it."""
    with db.unit_of_work() as s:
        found = s.scalar(select(Alert.ref).order_by(Alert.ref))
        if found:
            return found
        actor = system_actor("test")
        rohan_id = parties.person_id_by_label(s, actor=actor, label="Rohan Gupta")
        rohan = parties.get_person(s, actor=actor, person_ref=rohan_id)
        secret = inventory.get(s, actor=actor, secret_ref="TS-0001")
        return make_alert(s, person=rohan, secret_ids=[secret.id], events=12).ref


def _a_report(db: Database) -> None:
    """A report to the report channel, and a case handler to read it, until the demo seeds
    them."""
    with db.unit_of_work() as s:
        actor = system_actor("test")
        if not any(Role.CASE_HANDLER in u.roles for u in accounts.list_users(s, actor=actor)):
            handler = make_person(s, actor, name="Casey Handler")
            make_user(s, actor, Role.CASE_HANDLER, person=handler)
        if not reports.list_reports(s, actor=actor):
            # a named reporter the register knows: the page shows their protection too
            reporter_id = parties.person_id_by_label(s, actor=actor, label="Rohan Gupta")
            reporter = parties.get_person(s, actor=actor, person_ref=reporter_id)
            data = ReportCreate(
                subject="Recipe binder taken home",
                body="The night-shift lead took the brine recipe binder home on Friday.",
                reporter_kind=ReporterKind.FORMER_STAFF,
                reporter_name=reporter.full_name,
                reporter_contact=reporter.email,
                password="harbour-lantern-blue-9",
            )
            intake.submit(s, data=data, uploads=[], store=None)


def _cookies(db: Database, settings: Settings) -> dict[Role, str]:
    """One logged-in session cookie per demo role (what the login forms would leave)."""
    with db.unit_of_work() as s:
        users = accounts.list_users(s, actor=system_actor("test"))
        return {
            user.roles[0]: login_cookie(s, settings, user_id=user.id, mfa=True)
            for user in users
            if len(user.roles) == 1
        }


@pytest.fixture(scope="module")
def demo(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp("screenshots")
    with live_server.demo_workspace(home, secret_key=BROWSER_KEY) as (
        live,
        settings,
    ):
        db = Database(live.url)
        actor = system_actor("test")
        with db.unit_of_work(write=False) as s:
            vendor = vendors.get(s, actor=actor, vendor_ref=LOTUS).ref
            signed, _ = agreements.list_agreements(
                s, actor=actor, filters=AgreementFilter(organisation=LOTUS), page=PageParams()
            )
        _a_report(db)
        cookies = _cookies(db, settings)
        alert = _an_alert(db)
        db.dispose()
        nda = next(a for a in signed if a.kind.value == "nda")
        yield Demo(live=live, cookies=cookies, vendor=vendor, agreement=nda.ref, alert=alert)


def _shots(demo: Demo) -> list[tuple[str, Role, str]]:
    """(file name, who looks, path) of every screenshot."""
    return [
        ("dashboard-admin", Role.ADMIN, "/"),
        ("dashboard-secret-owner", Role.SECRET_OWNER, "/"),
        ("dashboard-vendor-manager", Role.VENDOR_MANAGER, "/"),
        ("dashboard-auditor", Role.AUDITOR, "/"),
        ("tasks", Role.SECRET_OWNER, "/tasks"),
        ("secret", Role.ADMIN, "/secrets/TS-0001"),
        ("vendor", Role.VENDOR_MANAGER, f"/vendors/{demo.vendor}"),
        ("agreement", Role.LEGAL, f"/agreements/{demo.agreement}"),
        ("portal", Role.VENDOR_USER, "/portal"),
        ("alerts", Role.SECURITY, "/alerts"),
        ("alert", Role.SECURITY, f"/alerts/{demo.alert}"),
        ("alert-rules", Role.SECURITY, "/alerts/rules"),
        ("leaks", Role.SECURITY, "/leaks"),
        ("leak-scan", Role.SECURITY, "/leaks/scan"),
        ("leak-match", Role.SECURITY, "/leaks/matches/LM-0001"),
        ("canary-tokens", Role.SECURITY, "/leaks/tokens"),
        ("canary-token", Role.SECURITY, "/leaks/tokens/CT-0001"),
        ("watchlists", Role.LEGAL, "/leaks/watchlists"),
        ("leak-reviews", Role.LEGAL, "/leaks/reviews"),
        ("report-intake", Role.VENDOR_USER, "/report"),
        ("reports", Role.CASE_HANDLER, "/reports"),
        ("report", Role.CASE_HANDLER, "/reports/RP-0001"),
        ("incidents", Role.SECURITY, "/incidents"),
        ("incident", Role.SECURITY, "/incidents/IN-0001"),
        ("incident-new", Role.SECURITY, "/incidents/new"),
        ("incident-contain", Role.SECURITY, "/incidents/IN-0001/contain"),
        ("incident-evidence", Role.SECURITY, "/incidents/IN-0001/evidence"),
        ("incident-letters", Role.LEGAL, "/incidents/IN-0001/letters"),
    ]


#: the tops of the header's main links: within a few pixels when they sit on one line
TOPS = "[...document.querySelectorAll('#main-nav > li')].map(li => li.getBoundingClientRect().top)"


def _check_the_header(page: Any, size: str) -> None:
    """On a desktop every main link sits on one line; on a phone they hide behind Menu, which
    opens them (a checkbox: no script) and is photographed open."""
    from playwright.sync_api import expect

    if size == "desktop":
        tops = page.evaluate(TOPS)
        assert max(tops) - min(tops) < 16, f"the header's links wrap at 1440 px: {tops}"
        return
    expect(page.locator("#main-nav")).to_be_hidden()
    page.click("label[for=nav-toggle]")
    expect(page.locator("#main-nav a[href='/secrets']")).to_be_visible()
    page.screenshot(path=str(FOLDER / "menu-open-phone.png"))


#: the innermost elements reaching past the viewport, so a failure names what to mend
WIDEST = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.querySelector('*'))
  .slice(0, 5)
  .map(e => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} `
    + `${Math.round(e.getBoundingClientRect().right)}px`)"""


def test_the_main_pages_at_desktop_and_phone_widths(demo: Demo, browser: Any) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    host = demo.live.base.split("//", 1)[1].split(":")[0]
    pages: dict[Role, Any] = {}
    wide: list[str] = []
    skipped: list[str] = []
    for name, role, path in _shots(demo):
        if role not in pages:  # one browser context per role, signed in by its cookie
            context = browser.new_context(reduced_motion="reduce")
            cookie = {"name": SESSION_COOKIE, "value": demo.cookies[role], "domain": host}
            context.add_cookies([{**cookie, "path": "/"}])
            pages[role] = context.new_page()
        page = pages[role]
        for size, (width, height) in SIZES.items():
            page.set_viewport_size({"width": width, "height": height})
            response = page.goto(demo.live.base + path)
            assert response is not None
            if name == "tasks" and response.status == 404:
                skipped.append(f"{path} is not built on this branch")
                break
            assert response.status == 200, f"{path} as {role}: {response.status}"
            page.screenshot(path=str(FOLDER / f"{name}-{size}.png"), full_page=True)
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                culprits = page.evaluate(WIDEST, width)
                wide.append(f"{name} ({path}) is {scroll} px wide at {width} px: {culprits}")
            if name == "dashboard-admin":
                _check_the_header(page, size)
    for page in pages.values():
        page.context.close()
    assert wide == [], f"pages that scroll sideways: {wide}"
    if skipped:
        pytest.skip("; ".join(skipped))
