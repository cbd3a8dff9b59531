"""My tasks (/tasks) per role and the count in the header; the notification choices page
(saved with a custody event); the admin's outbox page with its retry button."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.custody.schemas import EventType
from crownjewels.inventory.models import TradeSecret
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.models import MailMessage, MailPreference
from crownjewels.parties.notifications.schemas import MailKind
from crownjewels.parties.schemas import OrgKind
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import AssessmentSend, Channel
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import import_builtin, make_vendor
from tests.web.conftest import Login, csrf_of
from tests.web.test_pages import events

COUNT = re.compile(r'<span class="task-count"[^>]*>(\d+)</span>')


def _overdue_secret(db: Database, login: Login) -> str:
    with db.unit_of_work() as s:
        secret = make_secret(s, system_actor("test"), owner=login.person, name="Brine recipe")
        row = s.get(TradeSecret, secret.id)
        assert row is not None
        row.next_review_on = clock.today() - timedelta(days=2)
    return secret.ref


def test_an_owner_sees_the_overdue_review_and_the_header_count(
    make_login: Callable[..., Login], client_of: Callable[[Login], TestClient], db: Database
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    client = client_of(owner)
    page = client.get("/tasks")
    assert page.status_code == 200 and "Nothing waits for you" in page.text
    assert client.get("/tasks/count").text == "My tasks"  # no badge when nothing waits
    ref = _overdue_secret(db, owner)
    page = client.get("/tasks")
    assert f'<a href="/secrets/{ref}">Review {ref} Brine recipe</a>' in page.text
    assert "Reviews" in page.text
    found = COUNT.search(client.get("/tasks/count").text)
    assert found and found.group(1) == "1"
    # every page's header loads the count after the page
    assert 'hx-get="/tasks/count"' in client.get("/secrets").text


def test_a_vendor_user_sees_the_questionnaire_to_answer(
    make_login: Callable[..., Login], client_of: Callable[[Login], TestClient], db: Database
) -> None:
    login = make_login(Role.VENDOR_USER, org_kind=OrgKind.VENDOR)
    admin = system_actor("test")
    with db.unit_of_work() as s:
        import_builtin(s, admin)
        vendor, _ = make_vendor(s, admin)
        vendor.organisation_id = login.person.organisation_id
        sent = diligence.send(
            s,
            actor=admin,
            data=AssessmentSend(
                vendor=vendor.ref, channel=Channel.ACCOUNT, recipient=login.person.email
            ),
        )
    page = client_of(login).get("/tasks")
    assert f'<a href="/assessments/{sent.ref}">Answer questionnaire {sent.ref}</a>' in page.text
    assert "To answer" in page.text


def test_notification_choices_are_saved_with_a_custody_event(
    make_login: Callable[..., Login], client_of: Callable[[Login], TestClient], db: Database
) -> None:
    login = make_login(Role.LEGAL)
    client = client_of(login)
    page = client.get("/settings/notifications")
    assert page.status_code == 200
    assert page.text.count('type="checkbox" name="kinds"') == len(MailKind)
    assert MailKind.AGREEMENT_EXPIRING.label in page.text
    keep = [k.value for k in MailKind if k is not MailKind.AGREEMENT_EXPIRING]
    saved = client.post(
        "/settings/notifications", data={"kinds": keep, "csrf_token": csrf_of(page.text)}
    )
    assert saved.status_code == 200 and "Your notification choices are saved." in saved.text
    assert f'value="{MailKind.AGREEMENT_EXPIRING.value}">' in saved.text  # now unticked
    with db.unit_of_work(write=False) as s:
        off = s.scalars(
            select(MailPreference.kind).where(MailPreference.person_id == login.person.id)
        ).all()
    assert off == [MailKind.AGREEMENT_EXPIRING.value]
    assert events(db, EventType.MAIL_PREFERENCES_CHANGED, login.person.id) == 1


def test_the_outbox_page_is_for_admins_and_retries(
    make_login: Callable[..., Login], client_of: Callable[[Login], TestClient], db: Database
) -> None:
    admin_login, other = make_login(Role.ADMIN), make_login(Role.LEGAL)
    with db.unit_of_work() as s:
        row = notifications.enqueue(
            s,
            to=other.person.id,
            kind=MailKind.SECRET_REVIEW_DUE,
            subject="Review of TS-0001 Brine recipe is due",
            body="Review it",
            actor=system_actor("test"),
        )
        assert row is not None
        row.attempts, row.last_error, row.next_attempt_at = 8, "Connection refused", None
    assert client_of(other).get("/admin/outbox").status_code == 403
    client = client_of(admin_login)
    page = client.get("/admin/outbox?unsent=1")
    assert "Review of TS-0001 Brine recipe is due" in page.text
    assert "Connection refused" in page.text and "failed" in page.text
    done = client.post(f"/admin/outbox/{row.id}/retry", data={"csrf_token": csrf_of(page.text)})
    assert done.status_code == 200 and "will be tried again now" in done.text
    with db.unit_of_work(write=False) as s:
        stored = s.get(MailMessage, row.id)
        assert stored and stored.next_attempt_at is not None
