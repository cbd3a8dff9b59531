"""In Chromium: log in, upload a PDF to a secret, download a watermarked copy in the browser,
and identify the downloaded file on /identify: it names the logged-in user as the recipient."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.watermark.engine import describe, read_marks
from crownjewels.inventory import service as inventory
from crownjewels.parties.models import User
from tests.access.factories import bind_for_access
from tests.disclosure.helpers import make_pdf
from tests.parties.factories import PASSWORD
from tests.web.live import BROWSER_KEY, Live, LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    home = tmp_path_factory.mktemp("browser-copies")
    with live_server.workspace(home, secret_key=BROWSER_KEY) as app:
        _bind(app.url, app.username)
        yield app


def _bind(url: str, username: str) -> None:
    """A secret's copy asks access first: the logged-in user's person passes every rule."""
    db = Database(url)
    try:
        with db.unit_of_work() as session:
            person_id = session.scalar(select(User.person_id).where(User.username == username))
            secret = inventory.get(session, actor=system_actor(), secret_ref="TS-0001")
            assert person_id is not None
            bind_for_access(session, person_id=person_id, secret_id=secret.id)
    finally:
        db.dispose()


def test_download_a_watermarked_pdf_and_identify_it(
    live: Live, browser: object, tmp_path: Path
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    context = browser.new_context(accept_downloads=True)
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

    # upload a PDF to the secret from its page
    page.goto(live.base + "/secrets/TS-0001")
    page.click("#documents-link")
    expect(page.locator("h1")).to_contain_text("Glaze recipe")
    source = tmp_path / "glaze-process.pdf"
    source.write_bytes(make_pdf(2))
    page.click("text=Upload a document")
    page.fill("#f-title", "Glaze process")
    page.set_input_files("#f-file", str(source))
    page.click("#upload-form button[type=submit]")
    expect(page.locator(".flash")).to_contain_text("is in the vault")

    # download my copy: the browser receives the watermarked file
    form = page.locator("form.copy-form").first
    form.locator("input[name=purpose]").fill("kiln trial")
    with page.expect_download() as info:
        form.locator("button[type=submit]").click()
    download = info.value
    assert download.suggested_filename == "glaze-process.pdf"
    copy = tmp_path / "downloaded.pdf"
    download.save_as(copy)
    data = copy.read_bytes()
    assert data.startswith(b"%PDF-") and data != source.read_bytes()

    # the copy is listed with who holds it
    page.reload()
    expect(page.locator("#copies")).to_contain_text("Ada Admin")
    expect(page.locator("#copies")).to_contain_text("kiln trial")

    # identify the downloaded file
    page.goto(live.base + "/identify")
    page.set_input_files("#f-file", str(copy))
    page.click("#identify-form button[type=submit]")
    expect(page.locator("#recipient")).to_contain_text("Ada Admin")
    expect(page.locator("#verdict-message")).to_contain_text("issued to Ada Admin")
    copy_id = page.locator("#copy-id").inner_text().strip()

    # the marks verify under the installation's key outside the browser too
    verdict = describe(read_marks(data, key=disclosure.watermark_key(BROWSER_KEY)))
    assert verdict.copy_id == copy_id
    assert failed == []
    context.close()
