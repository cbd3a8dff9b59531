"""Access review and offboarding pages through the real forms: a manager starts a review, the
secret's owner sees the unused flag and revokes from the campaign page; an offboarding page
shows the report and collects the statement; roles without the permission get 403."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from crownjewels.access.models import Grant
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.inventory.factories import make_secret
from tests.web.conftest import Login, csrf_of
from tests.web.markup import confirmed

MakeLogin = Callable[..., Login]
ClientOf = Callable[[Login], TestClient]


def test_review_from_start_to_revoke(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    owner = make_login(Role.SECRET_OWNER)
    admin = system_actor("test")
    with db.unit_of_work() as s:
        org = partner(s, admin)
        nda(s, admin, org=org)
        secret = make_secret(s, admin, name="Brine recipe", owner=owner.person)
        grant = granted(s, admin, person=bound_person(s, admin, org=org), secret=secret)
        grant.starts_at = clock.now() - timedelta(days=200)
        grant_id = grant.id
    manager = client_of(make_login(Role.SECURITY))
    page = manager.get("/access/reviews")
    assert page.status_code == 200
    started = manager.post(
        "/access/reviews",
        data={
            "csrf_token": csrf_of(page.text),
            "name": "Q4 review",
            "due_on": str(clock.today() + timedelta(days=7)),
        },
    )
    assert started.status_code == 200 and "Q4 review" in started.text
    ref = started.url.path.rsplit("/", 1)[-1]
    reviewer = client_of(owner)
    campaign = reviewer.get(f"/access/reviews/{ref}")
    assert 'class="unused"' in campaign.text and 'value="revoke"' in campaign.text
    assert confirmed(campaign.text, 'value="revoke"')  # revoking asks once more
    action = campaign.text.split(f'action="/access/reviews/{ref}/items/')[1].split('"')[0]
    done = reviewer.post(
        f"/access/reviews/{ref}/items/{action}",
        data={"csrf_token": csrf_of(campaign.text), "decision": "revoke", "note": "not needed"},
    )
    assert done.status_code == 200 and "revoke: not needed" in done.text
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Grant.status).where(Grant.id == grant_id)) == "revoked"
    assert (
        reviewer.post(
            f"/access/reviews/{ref}/close", data={"csrf_token": csrf_of(done.text)}
        ).status_code
        == 403
    )


def test_offboarding_page_collects_the_statement(
    db: Database, make_login: MakeLogin, client_of: ClientOf
) -> None:
    admin = system_actor("test")
    with db.unit_of_work() as s:
        org = partner(s, admin)
        nda(s, admin, org=org)
        leaver = bound_person(s, admin, org=org, name="Lee Leaver")
        granted(s, admin, person=leaver, secret=make_secret(s, admin, name="Smoker timings"))
    manager = client_of(make_login(Role.SECURITY))
    page = manager.get("/access/offboarding")
    made = manager.post(
        "/access/offboarding", data={"csrf_token": csrf_of(page.text), "person": leaver.email}
    )
    assert made.status_code == 200 and "Lee Leaver" in made.text
    assert "Nothing accessed in the period" in made.text
    certified = manager.post(
        made.url.path + "/certificate",
        data={
            "csrf_token": csrf_of(made.text),
            "statement": "I returned every copy and destroyed my notes.",
        },
    )
    assert "statement, SHA-256" in certified.text
    auditor = client_of(make_login(Role.VENDOR_USER))
    assert auditor.get("/access/offboarding").status_code == 403
