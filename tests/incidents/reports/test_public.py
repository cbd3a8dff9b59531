"""The public pages of the report channel over HTTP: a report sent with a file by a browser
that gives away its user agent and an X-Forwarded-For address, followed up with its code; then
every row of every table, and every log line, read back: neither the agent nor an address is
anywhere. The forms' CSRF defence, the same answer for a wrong code or password, the throttle,
and the server's access-log lines of /report written without the client's address."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn.config
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from uvicorn.logging import AccessFormatter

from crownjewels.core import logs
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.core.throttle import FailureThrottle
from crownjewels.incidents.models import Report
from crownjewels.incidents.reports import public
from crownjewels.registry import METADATA
from crownjewels.vault.keys import create_key_file
from tests.api_support import make_app
from tests.incidents.reports.world import staff

UA = "Mozilla/5.0 (X11; Linux x86_64) DistinctiveReporterBrowser/77.1"
FORWARDED = "203.0.113.77"
CODE = re.compile(r'id="follow-up-code">([0-9A-Z-]+)<')
TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
PASSWORD = "harbour-lantern-blue-9"


@pytest.fixture
def app(db: Database, tmp_path: Path) -> Iterator[FastAPI]:
    create_key_file(tmp_path / "vault.key")
    app = make_app(db, tmp_path)
    yield app
    for name in ("report_failures", "report_intakes"):  # the process's app is shared
        if hasattr(app.state, name):
            delattr(app.state, name)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A reporter's browser that tells who it is, as browsers do."""
    with TestClient(app, headers={"User-Agent": UA, "X-Forwarded-For": FORWARDED}) as client:
        yield client


def token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the page has no form"
    return found.group(1)


def send_report(client: TestClient, **extra: str) -> str:
    """Send a report with a file through the form; the code the answer shows."""
    form = client.get("/report")
    assert form.status_code == 200 and "18 U.S.C. §1833(b)" in form.text
    answer = client.post(
        "/report",
        data={
            "csrf_token": token(form.text),
            "subject": "Binder of recipes taken home",
            "body": "The night-shift lead took the brine recipe binder home on Friday.",
            "reporter_kind": "staff",
            "password": PASSWORD,
            "password_again": PASSWORD,
            **extra,
        },
        files=[("attachments", ("photo-notes.txt", b"shelf 3, 02:14", "text/plain"))],
    )
    assert answer.status_code == 200, answer.text
    found = CODE.search(answer.text)
    assert found and "Write this code down" in answer.text
    return found.group(1)


def open_report(client: TestClient, code: str, password: str = PASSWORD) -> TestClient:
    login = client.get("/report/follow-up")
    opened = client.post(
        "/report/follow-up",
        data={"csrf_token": token(login.text), "code": code, "password": password},
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text
    return client


def every_row(db: Database) -> str:
    """Every stored row of every table, as text."""
    out = []
    with db.unit_of_work(write=False) as session:
        for table in METADATA.sorted_tables:
            for row in session.execute(text(f'SELECT * FROM "{table.name}"')):
                out.append(f"{table.name}: {tuple(row)!r}")
    return "\n".join(out)


def test_nothing_identifying_is_stored_or_logged(
    browser: TestClient, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with db.unit_of_work() as s:
        staff(s, "Hana Kovac", Role.CASE_HANDLER)
    code = send_report(browser)
    open_report(browser, code)
    shown = browser.get("/report/follow-up")
    assert shown.status_code == 200 and "Binder of recipes taken home" in shown.text
    assert "photo-notes.txt" in shown.text
    wrote = browser.post(
        "/report/follow-up/messages",
        data={"csrf_token": token(shown.text), "body": "It was a blue binder."},
    )
    assert wrote.status_code == 200 and "Your message is sent" in wrote.text
    stored = every_row(db)
    assert "Binder of recipes taken home" in stored and "blue binder" in stored  # it was read
    assert "REPORT_RECEIVED" in stored and "REPORT_MESSAGE_ADDED" in stored
    for trace in (UA, "DistinctiveReporterBrowser", FORWARDED, "testclient"):
        assert trace not in stored, trace
    logged = "\n".join(
        f"{r.name} {r.getMessage()} {r.args!r} {getattr(r, '__dict__', {})!r}"
        for r in caplog.records
    )
    for trace in (UA, "DistinctiveReporterBrowser", FORWARDED):
        assert trace not in logged, trace


def test_the_access_log_of_the_channel_has_no_client_address() -> None:
    config = logs.server_log_config(
        uvicorn.config.LOGGING_CONFIG, ["/a/"], anonymous_paths=["/report"]
    )
    assert all("hide_clients" in h["filters"] for h in config["handlers"].values())
    hide = logs.HideClientOf(["/report"])
    formatter = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s')

    def line(path: str) -> str:
        record = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            (f"{FORWARDED}:50123", "POST", path, "1.1", 303),
            None,
        )
        assert hide.filter(record)
        return formatter.format(record)

    for path in ("/report", "/report/follow-up", "/report?x=1", "/report/follow-up/messages"):
        written = line(path)
        assert FORWARDED not in written and written.startswith("- - "), written
    assert FORWARDED in line("/reports/RP-0001")  # the handlers' pages log as every page does
    assert FORWARDED in line("/login")


def test_a_form_without_the_channels_token_is_refused(browser: TestClient, db: Database) -> None:
    browser.get("/report")
    refused = browser.post(
        "/report",
        data={"subject": "x" * 10, "body": "y" * 20, "password": PASSWORD, "csrf_token": "0" * 64},
    )
    assert refused.status_code == 403 and "The form expired" in refused.text
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Report.id)) is None
    stranger = TestClient(browser.app)  # no cookie of the channel: its token is no good
    form = browser.get("/report")
    assert stranger.post("/report", data={"csrf_token": token(form.text)}).status_code == 403


def test_a_refused_report_says_why_next_to_its_fields(browser: TestClient) -> None:
    form = browser.get("/report")
    answer = browser.post(
        "/report",
        data={
            "csrf_token": token(form.text),
            "subject": "Binder",
            "body": "The binder went home.",
            "password": PASSWORD,
            "password_again": PASSWORD + "x",
        },
    )
    assert answer.status_code == 422 and "type the same password twice" in answer.text
    assert 'value="Binder"' in answer.text  # what was typed stays (never the password)
    assert PASSWORD not in answer.text


def test_wrong_codes_and_passwords_get_one_answer_and_the_throttle_stops_guessing(
    browser: TestClient, app: FastAPI
) -> None:
    code = send_report(browser)
    login = browser.get("/report/follow-up")
    answers = {
        browser.post(
            "/report/follow-up",
            data={"csrf_token": token(login.text), "code": c, "password": p},
        ).text.split('id="follow-up-message">')[1][:200]
        for c, p in ((code, "wrong-password-1"), ("AAAA-BBBB-CCCC-DDDD", PASSWORD))
    }
    assert len(answers) == 1 and "do not open a report" in answers.pop()
    app.state.report_failures = FailureThrottle(limit=2, window_seconds=600)
    login = browser.get("/report/follow-up")
    for guess in ("AAAA-BBBB-CCCC-DDDD", "EEEE-FFFF-GGGG-HHHH"):
        wrong = browser.post(
            "/report/follow-up",
            data={"csrf_token": token(login.text), "code": guess, "password": PASSWORD},
        )
        assert wrong.status_code == 400
    refused = browser.post(
        "/report/follow-up",
        data={"csrf_token": token(login.text), "code": code, "password": PASSWORD},
        follow_redirects=False,
    )  # all guesses together: even the right code waits
    assert refused.status_code == 429 and "wait ten minutes" in refused.text


def test_the_follow_up_cookie_opens_only_its_report_and_closes(browser: TestClient) -> None:
    code = send_report(browser)
    open_report(browser, code)
    assert "Your report RP-0001" in browser.get("/report/follow-up").text
    cookie = browser.cookies.get(public.COOKIE)
    assert cookie and "RP-0001" not in cookie
    browser.cookies.clear()
    tampered = cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB")
    browser.cookies.set(public.COOKIE, tampered, domain="testserver", path="/report")
    assert "Open my report" in browser.get("/report/follow-up").text
    open_report(browser, code)
    closed = browser.post("/report/follow-up/close")
    assert closed.status_code == 200 and "Open my report" in closed.text


def test_the_reporter_sends_more_files_with_a_message(browser: TestClient, db: Database) -> None:
    """The follow-up form takes files; they join the report's, named on the reporter's page;
    six at once are refused next to the field, and nothing of that message is kept."""
    open_report(browser, send_report(browser))
    page = browser.get("/report/follow-up")
    assert 'enctype="multipart/form-data" id="write-back"' in page.text
    assert "up to 5, at most" in page.text
    wrote = browser.post(
        "/report/follow-up/messages",
        data={"csrf_token": token(page.text), "body": "The shelf, the morning after."},
        files=[("attachments", ("shelf-3.txt", b"empty at 07:00", "text/plain"))],
    )
    assert wrote.status_code == 200 and "Your message is sent" in wrote.text
    assert "photo-notes.txt" in wrote.text and "shelf-3.txt" in wrote.text
    six = [("attachments", (f"{n}.txt", b"x", "text/plain")) for n in range(6)]
    refused = browser.post(
        "/report/follow-up/messages",
        data={"csrf_token": token(wrote.text), "body": "Six more."},
        files=six,
    )
    assert refused.status_code == 422
    assert "a report or a message takes at most 5 files; leave out 1" in refused.text
    stored = every_row(db)
    assert "The shelf, the morning after." in stored and "Six more." not in stored
