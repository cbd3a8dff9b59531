"""The case handlers' pages: the list with both deadlines (an overdue report stands out), a
report worked from its page (its file downloaded, acknowledged, answered, assigned, closed, a
case opened), the approvals page, and who reaches them: not administrators, not security, not
a vendor user, not a handler the report names."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.incidents.reports.attachments import Upload
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from tests.incidents.reports.world import send
from tests.web.conftest import (  # noqa: F401
    FrozenClock,
    Login,
    app,
    client_of,
    csrf_of,
    frozen,
    make_login,
    settings,
)

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def _report(db: Database, where: Settings, **fields: str) -> str:
    create_key_file(where.home / "vault.key")
    store = vault.open_vault(where)
    note = [Upload(filename="shift-log.txt", file=io.BytesIO(b"02:14 binder removed"))]
    with db.unit_of_work() as s:
        return send(s, files=note, store=store, **fields).ref


def test_a_report_is_worked_from_its_page(
    db: Database,
    settings: Settings,  # noqa: F811
    frozen: FrozenClock,  # noqa: F811
    make_login: MakeLogin,  # noqa: F811
    client_of: ClientOf,  # noqa: F811
) -> None:
    ref = _report(db, settings, reporter_name="Sam", reporter_contact="sam@outside.example")
    frozen.tick(int(timedelta(days=8).total_seconds()))  # the seven days are over
    hana = make_login(Role.CASE_HANDLER, Role.SECURITY)
    client = client_of(hana)
    listed = client.get("/reports")
    assert listed.status_code == 200
    assert f'<tr id="{ref}" class="report-overdue">' in listed.text and "overdue" in listed.text
    page = client.get(f"/reports/{ref}")
    assert page.status_code == 200 and "I saw the night-shift lead" in page.text
    assert "shift-log.txt" in page.text and "18 U.S.C" not in page.text
    link = page.text.split('href="/api/v1/documents/')[1].split('"')[0]
    download = client.get(f"/api/v1/documents/{link}")
    assert download.status_code == 200 and download.content == b"02:14 binder removed"
    token = csrf_of(page.text)
    acked = client.post(f"/reports/{ref}/acknowledge", data={"csrf_token": token})
    assert f"{ref} is acknowledged" in acked.text and "report-overdue" not in acked.text
    replied = client.post(
        f"/reports/{ref}/reply",
        data={"csrf_token": token, "body": "Which shelf was it?", "feedback": ""},
    )
    assert "Which shelf was it?" in replied.text and "reads it with their code" in replied.text
    assigned = client.post(
        f"/reports/{ref}/assign", data={"csrf_token": token, "handler": hana.user.username}
    )
    assert f"{ref} is assigned to {hana.person.full_name}" in assigned.text
    empty = client.post(f"/reports/{ref}/status", data={"csrf_token": token, "status": "closed"})
    assert "say what was done" in empty.text
    opened = client.post(
        f"/reports/{ref}/open-case",
        data={"csrf_token": token, "title": "Binder taken home", "kind": "theft"},
    )
    assert opened.status_code == 200 and opened.url.path == "/incidents/IN-0001"
    closed = client.post(
        f"/reports/{ref}/status",
        data={"csrf_token": token, "status": "closed", "note": "Handled in IN-0001."},
    )
    assert f"{ref} is closed" in closed.text and "Reopen" in closed.text
    assert "IN-0001" in client.get("/reports?status=all").text


def test_who_reaches_the_handlers_pages(
    db: Database,
    settings: Settings,  # noqa: F811
    make_login: MakeLogin,  # noqa: F811
    client_of: ClientOf,  # noqa: F811
) -> None:
    named = make_login(Role.CASE_HANDLER)
    ref = _report(db, settings, involved=named.person.full_name)
    handler = client_of(make_login(Role.CASE_HANDLER))
    page = handler.get(f"/reports/{ref}")
    assert page.status_code == 200
    download = page.text.split('href="/api/v1/documents/')[1].split('"')[0]
    for role in (Role.ADMIN, Role.SECURITY, Role.AUDITOR):
        outsider = client_of(make_login(role))
        assert outsider.get("/reports").status_code == 403
        refused = outsider.get(f"/reports/{ref}")
        assert refused.status_code == 403 and "case handlers" in refused.text
        assert outsider.get(f"/api/v1/documents/{download}").status_code in (403, 404)
    vendor = client_of(make_login(Role.VENDOR_USER))
    assert vendor.get(f"/reports/{ref}").status_code == 403
    excluded = client_of(named)
    assert excluded.get(f"/reports/{ref}").status_code == 404
    assert ref not in excluded.get("/reports").text
    assert excluded.get(f"/api/v1/documents/{download}").status_code == 404


def test_the_approvals_page_asks_and_decides(
    db: Database,
    settings: Settings,  # noqa: F811
    make_login: MakeLogin,  # noqa: F811
    client_of: ClientOf,  # noqa: F811
) -> None:
    dana = make_login(Role.AUDITOR)
    _report(db, settings, reporter_name="Dana", reporter_contact=dana.user.username)
    security = client_of(make_login(Role.SECURITY))
    page = security.get("/reports/approvals")
    assert page.status_code == 200 and "Ask for an approval" in page.text
    asked = security.post(
        "/reports/approvals",
        data={
            "csrf_token": csrf_of(page.text),
            "person": dana.user.username,
            "action": "end-sessions",
            "target": "",
            "reason": "A shared password was seen on a screen.",
        },
    )
    assert "AA-0001 asks for it" in asked.text and "Approve once" not in asked.text
    handler = client_of(make_login(Role.CASE_HANDLER))
    listed = handler.get("/reports/approvals")
    assert "Approve once" in listed.text and "shared password" in listed.text
    decided = handler.post(
        "/reports/approvals/AA-0001/decision",
        data={"csrf_token": csrf_of(listed.text), "approve": "no", "note": ""},
    )
    assert "say why it is refused" in decided.text
    approved = handler.post(
        "/reports/approvals/AA-0001/decision",
        data={"csrf_token": csrf_of(listed.text), "approve": "yes", "note": "ok"},
    )
    assert "AA-0001 is approved" in approved.text
    assert client_of(make_login(Role.AUDITOR)).get("/reports/approvals").status_code == 403


def test_a_protection_is_ended_from_the_report_page_once_approved(
    db: Database,
    settings: Settings,  # noqa: F811
    make_login: MakeLogin,  # noqa: F811
    client_of: ClientOf,  # noqa: F811
) -> None:
    dana = make_login(Role.AUDITOR)
    ref = _report(db, settings, reporter_name="Dana", reporter_contact=dana.user.username)
    hana, ivo = client_of(make_login(Role.CASE_HANDLER)), client_of(make_login(Role.CASE_HANDLER))
    page = hana.get(f"/reports/{ref}")
    assert 'id="lift-protection-form"' in page.text and "do not name the report" in page.text
    why = {"csrf_token": csrf_of(page.text), "reason": "The reporter is another Dana."}
    refused = hana.post(f"/reports/{ref}/lift-protection", data=why)
    assert (
        "is protected from retaliation (they reported a concern), so ending the protection from "
        f"retaliation of {dana.user.username} needs a case handler&#39;s approval first, asked "
        "for with a reason on the page /reports/approvals; once it is approved" in refused.text
    )
    assert "crownjewels reports" not in refused.text
    asks = hana.get("/reports/approvals")
    assert "ending the protection from retaliation of" in asks.text
    asked = hana.post(
        "/reports/approvals",
        data={"csrf_token": csrf_of(asks.text), "person": dana.user.username,
              "action": "lift-protection", "target": "", "reason": why["reason"]},
    )  # fmt: skip
    assert "AA-0001 asks for it" in asked.text
    decided = ivo.post(
        "/reports/approvals/AA-0001/decision",
        data={"csrf_token": csrf_of(ivo.get("/reports/approvals").text), "approve": "yes"},
    )
    assert "AA-0001 is approved" in decided.text
    lifted = hana.post(f"/reports/{ref}/lift-protection", data=why)
    assert f"The reporter of {ref} is no longer protected from retaliation." in lifted.text
    assert 'id="lift-protection-form"' not in lifted.text and "Protect them" in lifted.text
