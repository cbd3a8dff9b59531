"""Access reviews: one item per live grant for the secret's owner, the unused flag, confirm
keeps and revoke revokes, overdue items, CSV export, who may do what."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from crownjewels.access.models import Grant
from crownjewels.access.reviews import service as reviews
from crownjewels.access.reviews.schemas import Decision
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_person, make_user


def _setup(session: Session, admin: Actor) -> tuple[Actor, list[Grant]]:
    org = partner(session, admin)
    nda(session, admin, org=org)
    owner = make_person(session, admin, name="Olivia Owner")
    owner_actor = actor_for(session, make_user(session, admin, Role.SECRET_OWNER, person=owner))
    recipe = make_secret(session, admin, name="Brine recipe", owner=owner)
    grants = [
        granted(session, admin, person=bound_person(session, admin, org=org), secret=recipe)
        for _ in range(2)
    ]
    return owner_actor, grants


def test_a_campaign_reviews_every_live_grant_with_its_owner(session: Session, admin: Actor) -> None:
    owner, (used, idle) = _setup(session, admin)
    used.last_used_at = clock.now()
    idle.starts_at = clock.now() - timedelta(days=200)
    session.flush()
    campaign = reviews.start(
        session, actor=admin, name="Q4 review", due_on=clock.today() + timedelta(days=14)
    )
    assert campaign.total == 2 and campaign.status == "open"
    by_ref = {i.grant_ref: i for i in campaign.items}
    assert {i.reviewer_person_id for i in campaign.items} == {owner.person_id}
    assert by_ref[idle.ref].flagged_unused and not by_ref[used.ref].flagged_unused
    reviews.decide(session, actor=owner, item_id=by_ref[used.ref].id, decision=Decision.CONFIRM)
    reviews.decide(
        session,
        actor=owner,
        item_id=by_ref[idle.ref].id,
        decision=Decision.REVOKE,
        note="not used since spring",
    )
    session.refresh(used), session.refresh(idle)
    assert used.status == "active" and idle.status == "revoked"
    assert "access review" in (idle.status_reason or "")
    closed = reviews.close(session, actor=admin, campaign_ref=campaign.ref)
    assert closed.status == "closed" and closed.decided == 2
    rows = list(
        csv.DictReader(
            io.StringIO(reviews.export_csv(session, actor=admin, campaign_ref=campaign.ref))
        )
    )
    assert {(r["grant_ref"], r["decision"]) for r in rows} == {
        (used.ref, "confirm"),
        (idle.ref, "revoke"),
    }
    kinds = [
        e.event_type
        for e in custody.history(session, subject_type="access-review", subject_id=campaign.id)
    ]
    assert sorted(kinds) == sorted(
        [
            "ACCESS_REVIEW_STARTED",
            "ACCESS_REVIEW_DECIDED",
            "ACCESS_REVIEW_DECIDED",
            "ACCESS_REVIEW_CLOSED",
        ]
    )


def test_only_the_reviewer_decides_and_only_managers_start(session: Session, admin: Actor) -> None:
    owner, grants = _setup(session, admin)
    with pytest.raises(Forbidden):
        reviews.start(session, actor=owner, name="mine", due_on=clock.today())
    campaign = reviews.start(session, actor=admin, name="Q4 review", due_on=clock.today())
    stranger = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    with pytest.raises(Forbidden):
        reviews.decide(
            session, actor=stranger, item_id=campaign.items[0].id, decision=Decision.CONFIRM
        )
    assert reviews.get(session, actor=stranger, campaign_ref=campaign.ref).items == []
    assert len(reviews.get(session, actor=owner, campaign_ref=campaign.ref).items) == len(grants)


def test_overdue_items_are_the_undecided_of_open_campaigns_past_due(
    session: Session, admin: Actor
) -> None:
    owner, _ = _setup(session, admin)
    campaign = reviews.start(session, actor=admin, name="Q4 review", due_on=clock.today())
    assert reviews.overdue(session, actor=admin) == []
    later = clock.today() + timedelta(days=1)
    assert len(reviews.overdue(session, actor=admin, on=later)) == 2
    reviews.decide(session, actor=owner, item_id=campaign.items[0].id, decision=Decision.CONFIRM)
    assert [i.id for i in reviews.overdue(session, actor=owner, on=later)] == [campaign.items[1].id]


def test_the_csv_export_neutralises_notes_a_spreadsheet_would_run(
    session: Session, admin: Actor
) -> None:
    owner, (first, second) = _setup(session, admin)
    campaign = reviews.start(session, actor=admin, name="Q4 review", due_on=clock.today())
    by_ref = {i.grant_ref: i for i in campaign.items}
    notes = {first.ref: "=1+2", second.ref: "@SUM(A1:A9)"}
    for ref, note in notes.items():
        decision = Decision.CONFIRM
        reviews.decide(session, actor=owner, item_id=by_ref[ref].id, decision=decision, note=note)
    text = reviews.export_csv(session, actor=admin, campaign_ref=campaign.ref)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["grant_ref"]: r["note"] for r in rows} == {
        ref: "'" + note for ref, note in notes.items()
    }
