"""In Chromium, the report channel end to end and anonymously: a reporter sends a report with a
file at /report and reads the follow-up code off the answer; a case handler replies; the
reporter opens the report at /report/follow-up with the code and their password, reads the
reply and writes back; the case handler then reads that message and the file."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.incidents.reports import service as reports
from crownjewels.incidents.reports.schemas import Reply
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import accounts
from crownjewels.settings import Settings
from tests.parties.factories import make_person, make_user
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser
PASSWORD = "lantern-harbour-blue-42"
SEEDED: dict[str, str] = {}


def _seed(session: Session, settings: Settings, secret: SecretRead) -> None:
    actor = system_actor("browser-test")
    hana = make_person(session, actor, name="Hana Kovac")
    SEEDED["handler"] = make_user(session, actor, Role.CASE_HANDLER, person=hana).id


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    with live_server.workspace(
        tmp_path_factory.mktemp("browser-reports"), secret_key=BROWSER_KEY, seed=_seed
    ) as app:
        yield app


def test_a_report_is_sent_answered_and_followed_up_anonymously(live: Live, browser: Any) -> None:
    from playwright.sync_api import expect

    page = browser.new_context().new_page()  # no login: the reporter is nobody we know
    page.goto(live.base + "/report")
    expect(page.locator("#dtsa-notice")).to_contain_text("18 U.S.C. §1833(b)")
    page.fill("#f-subject", "Recipe binder taken home")
    page.fill("#f-body", "The night-shift lead took the brine recipe binder home on Friday.")
    page.select_option("#f-reporter_kind", "former-staff")
    page.set_input_files(
        "#f-attachments",
        files=[{"name": "shift-log.txt", "mimeType": "text/plain", "buffer": b"02:14 removed"}],
    )
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_again", PASSWORD)
    page.click("#report-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Your report is received")
    code = page.locator("#follow-up-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code), code
    ref = page.locator("#report-ref").inner_text().strip()

    db = Database(live.url)
    with db.unit_of_work() as session:
        handler = accounts.actor_for_user(session, user_id=SEEDED["handler"], mfa=True)
        reports.reply(
            session, actor=handler, ref=ref, data=Reply(body="Thank you. Which shelf was it on?")
        )

    page.click("text=Go to the follow-up page")
    expect(page).to_have_url(re.compile(r"/report/follow-up$"))
    page.fill("#f-code", code.lower().replace("-", " "))  # however it was written down
    page.fill("#f-password", PASSWORD)
    page.click("#follow-up-form button[type=submit]")
    expect(page.locator("h1")).to_have_text(f"Your report {ref}")
    expect(page.locator("#report-status")).to_contain_text("Acknowledged")
    expect(page.locator("#thread")).to_contain_text("Which shelf was it on?")
    expect(page.locator("#report-state")).to_contain_text("shift-log.txt")
    page.fill("#write-back textarea[name=body]", "Shelf 3, behind the audit folders.")
    page.click("#write-back button[type=submit]")
    expect(page.locator(".flash-ok")).to_contain_text("Your message is sent")
    expect(page.locator("#thread li")).to_have_count(2)
    page.context.close()

    with db.unit_of_work(write=False) as session:
        seen = reports.get(session, actor=handler, ref=ref)
    db.dispose()
    assert [m.body for m in seen.messages][-1] == "Shelf 3, behind the audit folders."
    assert seen.waiting_for_reply and [a.filename for a in seen.attachments] == ["shift-log.txt"]
    assert seen.reporter_name is None and seen.reporter_kind.value == "former-staff"
