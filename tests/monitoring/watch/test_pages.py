"""The departure and log review pages through the real forms: HR records a notice on the
person's page, which shows the watch; legal reads the report; the offboarding links to it; a
secret owner finds the review in My tasks, signs it off, and sees it in the posture; roles
without the permission get 403."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from crownjewels.access.offboarding import service as offboarding
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.monitoring.watch import service
from tests.inventory.factories import make_secret
from tests.monitoring.watch.factories import at, events
from tests.parties.factories import make_person
from tests.web import conftest as web
from tests.web.conftest import Login, csrf_of

app, settings, frozen = web.app, web.settings, web.frozen
make_login, client_of = web.make_login, web.client_of

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def test_hr_records_a_notice_and_legal_reads_the_report(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    admin = system_actor("test")
    with db.unit_of_work() as s:
        leaver = make_person(s, admin, name="Rohan Gupta")
    hr = client_of(make_login(Role.VENDOR_MANAGER))
    page = hr.get(f"/people/{leaver.id}")
    assert 'name="notice_on"' in page.text
    last = clock.today() + timedelta(days=20)
    done = hr.post(
        f"/people/{leaver.id}/depart",
        data={"csrf_token": csrf_of(page.text), "on": str(last), "notice_on": str(clock.today())},
    )
    assert done.status_code == 200 and "is now departing" in done.text
    with db.unit_of_work() as s:
        watch = service.watch_of_person(s, actor=admin, person_id=leaver.id)
    assert watch is not None
    legal = client_of(make_login(Role.LEGAL))
    person = legal.get(f"/people/{leaver.id}")
    assert f'href="/monitoring/departures/{watch.ref}"' in person.text
    report = legal.get(f"/monitoring/departures/{watch.ref}")
    assert report.status_code == 200
    assert "Departure of Rohan Gupta" in report.text and "Look-back" in report.text
    assert "exit obligations not attested" in report.text.lower()
    listing = legal.get("/monitoring/departures")
    assert watch.ref in listing.text and 'id="record-notice"' not in listing.text
    owner = client_of(make_login(Role.SECRET_OWNER))
    assert owner.get(f"/monitoring/departures/{watch.ref}").status_code == 403
    assert f"/monitoring/departures/{watch.ref}" not in owner.get(f"/people/{leaver.id}").text


def test_a_notice_after_the_last_day_comes_back_in_words(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    with db.unit_of_work() as s:
        leaver = make_person(s, system_actor("test"))
    hr = client_of(make_login(Role.ADMIN))
    page = hr.get(f"/people/{leaver.id}")
    refused = hr.post(
        f"/people/{leaver.id}/depart",
        data={
            "csrf_token": csrf_of(page.text),
            "on": str(clock.today() + timedelta(days=1)),
            "notice_on": str(clock.today() + timedelta(days=5)),
        },
    )
    assert refused.status_code == 422 and "notice comes first" in refused.text


def test_the_offboarding_links_to_the_departure_watch(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    admin = system_actor("test")
    with db.unit_of_work() as s:
        leaver = make_person(s, admin, name="Lea Leaver")
        watch = service.give_notice(
            s,
            actor=admin,
            person_ref=leaver.id,
            notice_on=clock.today(),
            last_day=clock.today() + timedelta(days=3),
        )
        record = offboarding.offboard(s, actor=admin, person=leaver.id)
    security = client_of(make_login(Role.SECURITY))
    page = security.get(f"/access/offboarding/{record.ref}")
    assert page.status_code == 200
    assert f'href="/monitoring/departures/{watch.ref}"' in page.text


def test_an_owner_signs_off_from_my_tasks_and_the_posture_shows_it(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    admin = system_actor("test")
    login = make_login(Role.SECRET_OWNER)
    with db.unit_of_work() as s:
        secret = make_secret(s, admin, name="Brine recipe", owner=login.person)
        start, _ = service.period_before(clock.today())
        events(
            s,
            [
                {
                    "occurred_at": at(start + timedelta(days=2)),
                    "action": "download",
                    "actor": "unknown-key-1",
                    "secret_id": secret.id,
                }
            ],
        )
        (review,) = [r for r in service.create_due(s, actor=admin) if r.secret_id == secret.id]
    owner = client_of(login)
    tasks = owner.get("/tasks")
    assert f'href="/monitoring/reviews/{review.ref}"' in tasks.text
    page = owner.get(f"/monitoring/reviews/{review.ref}")
    assert "unknown-key-1" in page.text and 'id="sign-off"' in page.text
    done = owner.post(
        f"/monitoring/reviews/{review.ref}/sign-off",
        data={"csrf_token": csrf_of(page.text), "comment": "expected"},
    )
    assert done.status_code == 200 and "signed off" in done.text
    assert 'id="sign-off"' not in done.text
    assert f"/monitoring/reviews/{review.ref}" not in owner.get("/tasks").text
    posture = owner.get("/posture/secrets")
    assert 'id="log-reviews"' in posture.text and review.ref in posture.text
    stranger = client_of(make_login(Role.SECRET_OWNER))
    assert stranger.get(f"/monitoring/reviews/{review.ref}").status_code == 404
    reviews = client_of(make_login(Role.AUDITOR)).get("/monitoring/reviews")
    assert review.ref in reviews.text
