"""Log reviews: one per active secret and period for its owner, with a summary of who
accessed it, unknown actors and alerts with their outcomes; asked once however often the job
runs; signed off or questioned by the owner only (custody events); overdue ones listed; in My
tasks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Forbidden, Invalid, NotFound
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.monitoring.models import LogReview
from crownjewels.monitoring.watch import service
from crownjewels.monitoring.watch.schemas import LogReviewRead
from tests.inventory.factories import make_secret
from tests.monitoring.watch.factories import alert, at, events
from tests.parties.factories import actor_for, make_person, make_user


def _owned(session: Session, admin: Actor) -> tuple[Actor, str, str]:
    """An owner (with a login) of a secret with activity in the last complete month: Dana
    views it 3 times and downloads it once, an unknown key twice; one alert, dismissed."""
    owner = make_person(session, admin, name="Olivia Owner")
    owner_actor = actor_for(session, make_user(session, admin, Role.SECRET_OWNER, person=owner))
    secret = make_secret(session, admin, name="Brine recipe", owner=owner)
    dana = make_person(session, admin, name="Dana Whitfield")
    start, _ = service.period_before(clock.today())
    day = start + timedelta(days=3)
    rows = [
        {
            "occurred_at": at(day, 9, n),
            "action": "view",
            "person_id": dana.id,
            "secret_id": secret.id,
        }
        for n in range(3)
    ]
    rows.append(
        {
            "occurred_at": at(day, 10),
            "action": "download",
            "person_id": dana.id,
            "secret_id": secret.id,
            "bytes": 5000,
        }
    )
    rows += [
        {
            "occurred_at": at(day, 11, n),
            "action": "download",
            "actor": "AKIAEXAMPLEKEY",
            "secret_id": secret.id,
        }
        for n in range(2)
    ]
    # outside the period: not in the summary
    rows.append(
        {
            "occurred_at": at(start - timedelta(days=1)),
            "action": "view",
            "person_id": dana.id,
            "secret_id": secret.id,
        }
    )
    events(session, rows)
    alert(
        session,
        person_id=dana.id,
        secret_ids=[secret.id],
        when=at(day, 10),
        status="dismissed",
        resolution="expected: quarterly audit",
    )
    return owner_actor, secret.id, secret.ref


def _mine(reviews: list[LogReviewRead], secret_id: str) -> LogReviewRead:
    return next(r for r in reviews if r.secret_id == secret_id)


def test_the_job_asks_each_owner_once_per_period_with_a_summary(
    session: Session, admin: Actor
) -> None:
    owner, secret_id, secret_ref = _owned(session, admin)
    made = service.create_due(session, actor=admin)
    review = _mine(made, secret_id)
    start, end = service.period_before(clock.today())
    assert (review.period_start, review.period_end) == (start, end)
    assert review.due_on == end + timedelta(days=14) and review.status == "due"
    assert review.reviewer_person_id == owner.person_id and review.reviewer_name == "Olivia Owner"
    summary = review.summary
    assert summary["events"] == 6 and summary["people_count"] == 1 and summary["unknown_count"] == 1
    (dana,) = summary["people"]
    assert dana["who"] == "Dana Whitfield" and dana["actions"] == {"download": 1, "view": 3}
    assert summary["unknown_actors"][0]["who"] == "AKIAEXAMPLEKEY"
    assert [(a["status"], a["resolution"]) for a in summary["alerts"]] == [
        ("dismissed", "expected: quarterly audit")
    ]
    assert summary["text"].startswith(
        f"{secret_ref} Brine recipe, {start} to {end}: 6 event(s) by 1 known person and "
        "1 unknown actor(s); 1 alert(s) (1 dismissed)"
    )
    assert all(r.secret_id != secret_id for r in service.create_due(session, actor=admin))
    assert session.query(LogReview).filter_by(secret_id=secret_id).count() == 1


def test_the_owner_signs_off_and_it_is_a_custody_event(session: Session, admin: Actor) -> None:
    owner, secret_id, _ = _owned(session, admin)
    review = _mine(service.create_due(session, actor=admin), secret_id)
    assert [t.href for t in service.tasks_for(session, actor=owner)] == [
        f"/monitoring/reviews/{review.ref}"
    ]
    done = service.sign_off(session, actor=owner, ref=review.ref, comment="all expected")
    assert (
        done.status == "signed-off"
        and done.decided_by == owner.ref
        and done.comment == "all expected"
    )
    assert service.tasks_for(session, actor=owner) == []
    row = session.query(LogReview).filter_by(ref=review.ref).one()
    kinds = sorted(
        e.event_type for e in custody.history(session, subject_type="log-review", subject_id=row.id)
    )
    assert kinds == ["LOG_REVIEW_CREATED", "LOG_REVIEW_SIGNED_OFF"]
    with pytest.raises(Conflict, match="already signed-off"):
        service.raise_concern(session, actor=owner, ref=review.ref, comment="second thoughts here")


def test_a_concern_needs_words(session: Session, admin: Actor) -> None:
    owner, secret_id, _ = _owned(session, admin)
    review = _mine(service.create_due(session, actor=admin), secret_id)
    with pytest.raises(Invalid, match="say what concerns you"):
        service.raise_concern(session, actor=owner, ref=review.ref, comment="hmm")
    done = service.raise_concern(
        session, actor=owner, ref=review.ref, comment="who is AKIAEXAMPLEKEY?"
    )
    assert done.status == "concern"
    row = session.query(LogReview).filter_by(ref=review.ref).one()
    assert "LOG_REVIEW_CONCERN_RAISED" in {
        e.event_type for e in custody.history(session, subject_type="log-review", subject_id=row.id)
    }


def test_only_the_owner_decides_and_others_do_not_see_it(session: Session, admin: Actor) -> None:
    _, secret_id, _ = _owned(session, admin)
    review = _mine(service.create_due(session, actor=admin), secret_id)
    stranger = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    security = actor_for(session, make_user(session, admin, Role.SECURITY))
    with pytest.raises(NotFound):
        service.get_review(session, actor=stranger, ref=review.ref)
    assert service.list_reviews(session, actor=stranger) == []
    assert service.get_review(session, actor=security, ref=review.ref).ref == review.ref
    with pytest.raises(Forbidden, match="only the owner"):
        service.sign_off(session, actor=security, ref=review.ref)
    with pytest.raises(Forbidden, match="grants:manage"):
        service.create_due(session, actor=stranger)


def test_reviews_past_their_date_are_overdue(session: Session, admin: Actor) -> None:
    owner, secret_id, _ = _owned(session, admin)
    late = _mine(
        service.create_due(session, actor=admin, on=clock.today() - timedelta(days=60)), secret_id
    )
    later = _mine(
        service.create_due(session, actor=admin, on=clock.today() + timedelta(days=40)), secret_id
    )
    assert late.overdue and not later.overdue
    overdue = service.list_reviews(session, actor=owner, overdue=True)
    assert [r.ref for r in overdue] == [late.ref]
    assert {r.ref for r in service.list_reviews(session, actor=owner)} == {late.ref, later.ref}
    (latest,) = [
        r for r in service.latest_by_secret(session, actor=owner) if r.secret_id == secret_id
    ]
    assert latest.ref == late.ref  # an overdue review stands for the secret while it waits
    service.sign_off(session, actor=owner, ref=late.ref)
    (latest,) = [
        r for r in service.latest_by_secret(session, actor=owner) if r.secret_id == secret_id
    ]
    assert latest.ref == later.ref
