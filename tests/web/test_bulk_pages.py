"""Bulk actions on pages: answers accepted many at a time on the review page, grants approved
or revoked from the grant list (revoking asks first; a refused grant refuses the batch)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from crownjewels.access import service as access
from crownjewels.access.reviews import service as reviews
from crownjewels.access.schemas import GrantRequest
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.vendors.diligence import service as diligence
from tests.access.conftest import make_world
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person, make_user
from tests.vendors.diligence_factories import full_answers
from tests.web.conftest import Login, csrf_of
from tests.web.test_diligence_pages import _form, world  # noqa: F401 - the fixture


def test_checked_answers_are_accepted_at_once(
    app: FastAPI,
    world: dict[str, Any],  # noqa: F811 - the diligence pages fixture
    client_for: Callable[..., TestClient],
    db: Database,
) -> None:
    with TestClient(app) as vendor:
        vendor.get(world["path"])
        vendor.post("/a", data=_form(full_answers(), "submit"))
    manager = client_for(Role.VENDOR_MANAGER)
    page = manager.get(f"/assessments/{world['a']}")
    assert 'id="accept-selected"' in page.text
    csrf = csrf_of(page.text)
    none = manager.post(
        f"/assessments/{world['a']}/review", data={"action": "accept", "csrf_token": csrf}
    )
    assert none.status_code == 422 and "tick the answers to accept" in none.text
    form = {"action": "accept", "csrf_token": csrf, "select": ["1.1", "3.2"]}
    saved = manager.post(f"/assessments/{world['a']}/review", data=form)
    assert saved.status_code == 200 and "Review of 2 answers saved" in saved.text
    with db.unit_of_work(write=False) as s:
        d = diligence.detail(s, actor=system_actor("test"), assessment_ref=world["a"])
    reviewed = {q.id: q.answer.review.value for q in d.questions if q.answer}
    assert reviewed["1.1"] == reviewed["3.2"] == "accepted"
    assert sum(v == "accepted" for v in reviewed.values()) == 2


def test_grants_are_approved_then_revoked_from_the_list(
    db: Database, client_of: Callable[[Login], TestClient]
) -> None:
    admin = system_actor("test")
    with db.unit_of_work() as s:
        owner = make_person(s, admin, name="Olive Owner")
        login = Login(person=owner, user=make_user(s, admin, Role.SECRET_OWNER, person=owner))
        w = make_world(s, admin, owner=owner)
        request = GrantRequest(
            person=w.grantee.id,
            secret=w.secret.id,
            purpose="line trial",
            expires_at=access.default_expiry(w.secret.tier.value),
        )
        refs = [access.request_grant(s, actor=admin, data=request).ref for _ in range(2)]
        stranger = request.model_copy(update={"person": w.stranger.id})
        refused_ref = access.request_grant(s, actor=admin, data=stranger).ref
    client = client_of(login)
    page = client.get("/access/grants")
    assert f'name="ref" value="{refs[0]}"' in page.text and 'id="export-csv"' in page.text
    csrf = csrf_of(page.text)
    refused = client.post(
        "/access/grants/bulk",
        data={"csrf_token": csrf, "action": "approve", "ref": [*refs, refused_ref]},
    )
    assert refused.status_code == 409 and f"{refused_ref}: {refused_ref} cannot be approved" in (
        refused.text
    )
    assert f'value="{refs[0]}" aria-label="Select {refs[0]}" checked' in refused.text
    ok = client.post(
        "/access/grants/bulk", data={"csrf_token": csrf, "action": "approve", "ref": refs}
    )
    assert ok.status_code == 200 and "2 grants are now" in ok.text
    ask = client.post(
        "/access/grants/bulk",
        data={"csrf_token": csrf, "action": "revoke", "ref": refs, "note": "trial over"},
    )
    assert ask.status_code == 200 and "Revoke 2 grants?" in ask.text
    with db.unit_of_work(write=False) as s:
        assert access.get(s, actor=admin, grant_ref=refs[0]).status.value == "active"
    done = client.post(
        "/access/grants/bulk",
        data={
            "csrf_token": csrf,
            "action": "revoke",
            "ref": refs,
            "note": "trial over",
            "confirmed": "yes",
        },
    )
    assert done.status_code == 200 and f"{refs[0]} revoked" in done.text
    export = client.get("/access/grants/export.csv?status=revoked")
    assert export.status_code == 200 and export.text.count("revoked") == 2
    assert "grants.csv" in export.headers["content-disposition"]


def test_ticked_review_items_are_kept_at_once(
    db: Database, client_of: Callable[[Login], TestClient]
) -> None:
    admin = system_actor("test")
    with db.unit_of_work() as s:
        org = partner(s, admin)
        nda(s, admin, org=org)
        owner = make_person(s, admin, name="Olivia Owner")
        login = Login(person=owner, user=make_user(s, admin, Role.SECRET_OWNER, person=owner))
        recipe = make_secret(s, admin, name="Brine recipe", owner=owner)
        for _ in range(2):
            granted(s, admin, person=bound_person(s, admin, org=org), secret=recipe)
        campaign = reviews.start(s, actor=admin, name="Q4 review", due_on=clock.today())
    client = client_of(login)
    page = client.get(f"/access/reviews/{campaign.ref}")
    assert 'id="keep-selected"' in page.text
    form = {"csrf_token": csrf_of(page.text), "item": [i.id for i in campaign.items]}
    done = client.post(f"/access/reviews/{campaign.ref}/keep", data=form)
    assert done.status_code == 200 and "2 kept: " in done.text
    assert 'id="keep-selected"' not in done.text  # nothing is left to keep
