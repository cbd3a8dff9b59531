"""Due-diligence pages through the test client: a one-time link answered with save-and-resume
and then gone (410), an expired link, a vendor user's isolation, the review page with the
risk explanation, answer by answer review and completion."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.inventory.schemas import Tier
from crownjewels.parties import accounts
from crownjewels.settings import Settings
from crownjewels.vault.keys import create_key_file
from crownjewels.vendors.diligence import service
from crownjewels.vendors.diligence.schemas import AssessmentSend, Channel
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import (
    full_answers,
    import_builtin,
    make_contact,
    make_vendor,
    make_vendor_user,
)
from tests.web.conftest import FrozenClock, Login, csrf_of

LINK = re.compile(r'id="one-time-link">http://testserver(/a/[^<]+)<')


@pytest.fixture
def world(db: Database) -> dict[str, Any]:
    with db.unit_of_work() as s:
        admin = system_actor("test")
        import_builtin(s, admin)
        secret = make_secret(s, admin, name="Glaze recipe", tier=Tier.HIGHLY_SENSITIVE)
        vendor, org = make_vendor(s, admin, name="Lotus Process", countries=("IN",))
        make_contact(s, vendor)
        other, other_org = make_vendor(s, admin, name="Other Vendor")
        make_contact(s, other)
        sent = service.send(
            s, actor=admin, data=AssessmentSend(vendor=vendor.ref, secrets=[secret.ref])
        )
        assert sent.link is not None
        return {
            "vendor": vendor.ref,
            "other": other.ref,
            "org": org,
            "other_org": other_org,
            "secret": secret.ref,
            "a": sent.ref,
            "path": sent.link.path,
        }


def _form(answers: dict[str, Any], action: str, **extra: str) -> dict[str, Any]:
    out: dict[str, Any] = {"action": action, **extra}
    for qid, value in answers.items():
        if isinstance(value, list):
            out[f"present.{qid}"] = "1"
        out[f"q.{qid}"] = value if isinstance(value, list) else str(value)
    return out


def test_a_link_is_answered_saved_resumed_submitted_then_gone(
    app: FastAPI, world: dict[str, Any]
) -> None:
    path = world["path"]
    with TestClient(app) as client:
        page = client.get(path)
        assert page.status_code == 200
        # the first load hands the token over in a cookie and leaves the token-free page
        assert page.url.path == "/a" and world["path"] not in page.text
        (first,) = page.history
        assert first.status_code == 303 and first.headers["location"] == "/a"
        cookie = first.headers["set-cookie"]
        assert cookie.startswith("cj_link=") and "HttpOnly" in cookie and "Path=/a;" in cookie
        assert "Max-Age=14400" in cookie and "SameSite=lax" in cookie
        assert first.headers["referrer-policy"] == "no-referrer"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        assert 'action="/a"' in page.text
        assert "Is our data encrypted at rest" in page.text and "Custody log" not in page.text
        # nothing of the secrets the vendor may later receive, only the questionnaire
        assert "Glaze recipe" not in page.text and world["secret"] not in page.text
        saved = client.post("/a", data=_form({"2.1": "yes", "4.2": "400"}, "save"))
        assert saved.status_code == 200 and saved.url.path == "/a"
        assert "Your answers are saved" in saved.text
        assert 'value="yes" id="f-q-2-1-yes" checked' in saved.text
        bad = client.post("/a", data=_form({"4.2": "a year"}, "save"))
        assert bad.status_code == 422 and "question 4.2: enter a number" in bad.text
        early = client.post("/a", data=_form({"2.2": "yes"}, "submit"))
        assert early.status_code == 422 and "saved, but not submitted" in early.text
        kept = client.cookies["cj_link"]
        done = client.post("/a", data=_form(full_answers(), "submit"))
        assert done.status_code == 200 and "is submitted" in done.text
        assert "cj_link" not in client.cookies  # dropped with the submission
        gone = client.get(path)
        assert gone.status_code == 410 and "works once" in gone.text
        assert client.get("/a/not-a-token").status_code == 404
        # the link reaches nothing else
        other = client.get(f"/assessments/{world['a']}", follow_redirects=False)
        assert other.status_code == 303 and other.headers["location"].startswith("/login")
    with TestClient(app, cookies={"cj_link": kept}) as replay:
        late = replay.post("/a", data=_form({"2.1": "no"}, "save"))
        assert late.status_code == 410 and "works once" in late.text


def test_the_link_page_needs_the_cookie_of_its_first_load(app: FastAPI) -> None:
    with TestClient(app) as client:
        bare = client.get("/a")
        assert bare.status_code == 404
        assert "Open the questionnaire link from your email again" in bare.text
    with TestClient(app, cookies={"cj_link": "forged.value.here"}) as forged:
        assert forged.post("/a", data={"action": "save"}).status_code == 404


def test_an_expired_link_says_so(app: FastAPI, world: dict[str, Any], frozen: FrozenClock) -> None:
    frozen.now += timedelta(days=15)
    with TestClient(app) as client:
        page = client.get(world["path"])
    assert page.status_code == 410 and "This link expired on" in page.text
    assert "set-cookie" not in page.headers


def test_a_link_that_expires_while_open_says_so(
    app: FastAPI, world: dict[str, Any], frozen: FrozenClock
) -> None:
    with TestClient(app) as client:
        assert client.get(world["path"]).url.path == "/a"
        frozen.now += timedelta(hours=3, minutes=59)
        assert client.get("/a").status_code == 200
        frozen.now += timedelta(minutes=2)
        stale = client.get("/a")
        assert stale.status_code == 410 and "open for more than four hours" in stale.text
        assert client.get(world["path"]).url.path == "/a"  # the link itself opens it again
        frozen.now += timedelta(days=14)
        expired = client.get("/a")
        assert expired.status_code == 410 and "This link expired on" in expired.text


def test_vendor_user_sees_only_its_own(
    db: Database,
    world: dict[str, Any],
    client_of: Callable[[Login], TestClient],
) -> None:
    with db.unit_of_work() as s:
        admin = system_actor("test")
        person, vendor_actor = make_vendor_user(s, admin, world["org"])
        mine = service.send(
            s,
            actor=admin,
            data=AssessmentSend(
                vendor=world["vendor"], channel=Channel.ACCOUNT, recipient=person.email
            ),
        )
        other_person, _ = make_vendor_user(s, admin, world["other_org"])
        theirs = service.send(
            s,
            actor=admin,
            data=AssessmentSend(
                vendor=world["other"], channel=Channel.ACCOUNT, recipient=other_person.email
            ),
        )
    with db.unit_of_work() as s:
        login = Login(person=person, user=accounts.get_user(s, user_id=vendor_actor.id))
    client = client_of(login)
    listing = client.get("/assessments")
    assert mine.ref in listing.text and theirs.ref not in listing.text
    page = client.get(f"/assessments/{mine.ref}")
    assert page.status_code == 200 and 'id="answer-form"' in page.text
    assert "Risk, explained" not in page.text
    assert client.get(f"/assessments/{theirs.ref}").status_code == 404
    saved = client.post(
        f"/assessments/{mine.ref}/answers",
        data=_form({"2.1": "yes"}, "save", csrf_token=csrf_of(page.text)),
    )
    assert saved.status_code == 200 and "Your answers are saved" in saved.text
    assert client.get("/secrets").status_code == 403


def test_review_page_explains_the_risk_and_completes(
    app: FastAPI, world: dict[str, Any], client_for: Callable[..., TestClient]
) -> None:
    with TestClient(app) as vendor:
        vendor.get(world["path"])
        vendor.post("/a", data=_form(full_answers(), "submit"))
    manager = client_for(Role.VENDOR_MANAGER)
    page = manager.get(f"/assessments/{world['a']}")
    assert page.status_code == 200
    assert "criticality high: +3" in page.text
    assert f"shares {world['secret']} (highly sensitive): +4" in page.text
    assert "India: USTR Priority Watch List 2025: +2" in page.text
    csrf = csrf_of(page.text)
    decisions = {f"decision.{q}": "accepted" for q in full_answers()}
    decisions["decision.3.2"] = "rejected"
    saved = manager.post(
        f"/assessments/{world['a']}/review", data={**decisions, "csrf_token": csrf}
    )
    assert saved.status_code == 200 and "Review of 21 answers saved" in saved.text
    done = manager.post(f"/assessments/{world['a']}/complete", data={"csrf_token": csrf})
    assert done.status_code == 200 and "Assessment completed" in done.text
    assert "MFA for all staff answer 3.2 rejected: no reduction (weight 3)" in done.text
    assert "Frozen when the assessment was completed" in done.text
    # the vendor's own page shows the same frozen explanation and lists the assessment
    vendor_page = manager.get(f"/vendors/{world['vendor']}")
    assert vendor_page.status_code == 200
    assert 'id="due-diligence"' in vendor_page.text and world["a"] in vendor_page.text
    assert "MFA for all staff answer 3.2 rejected: no reduction (weight 3)" in vendor_page.text
    before = manager.get(f"/vendors/{world['other']}")
    assert "No completed assessment yet" in before.text


def test_file_evidence_goes_into_the_vault_encrypted(
    app: FastAPI,
    world: dict[str, Any],
    settings: Settings,
    db: Database,
    client_for: Callable[..., TestClient],
) -> None:
    create_key_file(Path(settings.home) / "vault.key")
    path = world["path"]
    with TestClient(app) as client:
        client.get(path)
        saved = client.post(
            "/a",
            data=_form({"1.1": ["ISO/IEC 27001"]}, "save"),
            files={
                "file.1.2": ("iso27001.txt", b"ISO/IEC 27001 certificate IS 745112", "text/plain")
            },
        )
        assert saved.status_code == 200, saved.text
        assert "file attached" in saved.text or "A file is attached" in saved.text
    with db.unit_of_work() as s:
        d = service.detail(s, actor=system_actor("test"), assessment_ref=world["a"])
    answer = next(q.answer for q in d.questions if q.id == "1.2")
    assert answer is not None and answer.document_id
    blobs = [f for f in Path(settings.home).rglob("*") if f.is_file() and f.suffix != ".key"]
    assert blobs and all(
        b"IS 745112" not in f.read_bytes() for f in blobs if f.stat().st_size < 1 << 20
    )
    # the vendor manager who reviews the answers opens the evidence (no documents:read needed)
    manager = client_for(Role.VENDOR_MANAGER)
    page = manager.get(f"/assessments/{world['a']}")
    link = re.search(r'<a class="evidence" href="([^"]+)"', page.text)
    assert link, "no link to the evidence on the review page"
    assert manager.get(link.group(1)).content == b"ISO/IEC 27001 certificate IS 745112"
    # a secret's documents stay out of a vendor manager's reach
    assert manager.get("/api/v1/documents").status_code == 403


def test_ask_again_returns_the_answer_through_a_new_link(
    app: FastAPI, world: dict[str, Any], client_for: Callable[..., TestClient]
) -> None:
    with TestClient(app) as vendor:
        vendor.get(world["path"])
        vendor.post("/a", data=_form(full_answers(), "submit"))
    manager = client_for(Role.VENDOR_MANAGER)
    page = manager.get(f"/assessments/{world['a']}")
    csrf = csrf_of(page.text)
    url = f"/assessments/{world['a']}"
    no_note = manager.post(
        f"{url}/review", data={"decision.1.1": "ask_again", "action": "return", "csrf_token": csrf}
    )
    assert no_note.status_code == 422
    bogus = manager.post(f"{url}/review", data={"decision.2.1": "maybe", "csrf_token": csrf})
    assert bogus.status_code == 422 and "decide each answer: accepted, rejected" in bogus.text
    assert "say what the vendor should change in answer 1.1" in no_note.text
    returned = manager.post(
        f"{url}/review",
        data={
            "decision.1.1": "ask_again",
            "note.1.1": "Which sites does the certificate cover?",
            "action": "return",
            "csrf_token": csrf,
        },
    )
    assert returned.status_code == 200 and "Issue a new link below" in returned.text
    sent = manager.post(f"{url}/links", data={"days": "7", "csrf_token": csrf})
    found = LINK.search(sent.text)
    assert sent.status_code == 200 and found, sent.text
    with TestClient(app) as vendor:
        assert vendor.get(world["path"]).status_code == 410  # the first link was used
        again = vendor.get(found.group(1))
        assert again.status_code == 200
        assert "We asked again: Which sites does the certificate cover?" in again.text
        assert 'name="q.1.1"' in again.text and 'name="q.2.1"' not in again.text
        done = vendor.post("/a", data=_form({"1.1": ["SOC 2 Type II"]}, "submit"))
        assert done.status_code == 200 and "is submitted" in done.text
