"""In Chromium, an analyst triages an alert end to end: the header's Alerts link, the queue
filtered by severity, the alert's page with its explanation and activity chart, then assign
to themselves, comment, suspend the person's grants (asked once more), confirm a true
positive, and see the trail, the grant suspended and the rule's feedback."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.inventory.schemas import SecretRead
from crownjewels.settings import Settings
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.monitoring.triage.factories import make_alert
from tests.parties.factories import PASSWORD
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser
SEEDED: dict[str, str] = {}


def _seed(session: Session, settings: Settings, secret: SecretRead) -> None:
    actor = system_actor("browser-test")
    org = partner(session, actor, name="Lotus Process Services")
    nda(session, actor, org=org)
    rohan = bound_person(session, actor, org=org, name="Rohan Gupta")
    grant = granted(session, actor, person=rohan, secret=secret)
    quiet = make_alert(session, actor="ci-bot", rule_id="off-hours", severity="low")
    alert = make_alert(session, person=rohan, secret_ids=[secret.id], events=12)
    SEEDED.update(alert=alert.ref, quiet=quiet.ref, grant=grant.ref, secret=secret.ref)


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server.workspace(
        tmp_path_factory.mktemp("browser-alerts"), secret_key=BROWSER_KEY, seed=_seed
    ) as app:
        yield app


def _log_in(browser: Any, live: Live) -> Any:
    """A first login through the forms: password, then TOTP enrolment."""
    from playwright.sync_api import expect

    page = browser.new_context().new_page()
    page.goto(live.base + "/")
    page.fill("#f-username", live.username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    secret = page.locator("#totp-secret").inner_text().strip()
    page.fill("#f-code", pyotp.TOTP(secret).at(clock.now()))
    page.click("button[type=submit]")
    return page


def test_an_analyst_triages_an_alert_end_to_end(live: Live, browser: Any) -> None:
    from playwright.sync_api import expect

    alert, grant = SEEDED["alert"], SEEDED["grant"]
    page = _log_in(browser, live)
    page.click("#nav-alerts")
    expect(page.locator("h1")).to_have_text("Alerts")
    expect(page.locator("#alert-queue tbody tr")).to_have_count(2)
    page.select_option("#alert-filters select[name=severity]", "high")
    page.click("#alert-filters button[type=submit]")
    expect(page.locator("#alert-queue tbody tr")).to_have_count(1)
    page.click(f"#alert-queue a:has-text('{alert}')")

    expect(page.locator("h1")).to_contain_text(alert)
    expect(page.locator("#explanation")).to_contain_text("Rohan Gupta downloaded 12 documents")
    expect(page.locator("#activity-chart")).to_be_visible()
    expect(page.locator("#activity-chart rect.flagged")).to_have_count(1)
    expect(page.locator("#evidence-events tbody tr")).to_have_count(12)
    expect(page.locator(f"#person-grants tr[data-ref='{grant}']")).to_contain_text("Active")

    page.click("#assign-form button[type=submit]")
    expect(page.locator(".flash-ok")).to_contain_text(f"{alert} assigned to Ada Admin")
    page.fill("#comment-form textarea[name=body]", "Twelve recipe sheets in an hour; asking why.")
    page.click("#comment-form button[type=submit]")
    expect(page.locator("#alert-trail")).to_contain_text("asking why")

    page.fill("#suspend-form input[name=reason]", "bulk download under review")
    page.click("#suspend-form summary")  # asked once more before anything is suspended
    page.click("#suspend-button")
    expect(page.locator(".flash-ok")).to_contain_text(f"1 grant(s) suspended: {grant}")
    expect(page.locator(f"#person-grants tr[data-ref='{grant}']")).to_contain_text("Suspended")
    expect(page.locator("#suspend-form")).to_have_count(0)

    page.fill("#confirm-form input[name=note]", "He copied them to a personal drive")
    page.click("#confirm-form button[type=submit]")
    expect(page.locator("#alert-status")).to_contain_text("Confirmed")
    expect(page.locator("#resolution")).to_contain_text("personal drive")
    expect(page.locator("#alert-trail li")).to_have_count(4)
    expect(page.locator("#reopen-form")).to_be_visible()

    page.goto(live.base + f"/access/grants/{grant}")
    expect(page.locator("body")).to_contain_text(re.compile("suspended", re.I))
    page.goto(live.base + "/alerts/rules")
    expect(page.locator("#rule-feedback tr[data-rule='bulk-download']")).to_contain_text("100 %")
    page.goto(live.base + "/alerts")
    expect(page.locator("#alert-queue tbody tr")).to_have_count(1)  # the low one is left
    page.context.close()
