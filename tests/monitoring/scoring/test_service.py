"""Scoring a batch: claimed events become observations with their people, secrets and
grants; findings become grouped alerts with their events, custody events and dispatch; the
detector's state is kept between batches; the queue is emptied. Both engines."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import LocationCreate, LocationKind
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.models import Alert, AlertEvent, Baseline, PendingScore
from crownjewels.monitoring.schemas import AlertStatus
from crownjewels.monitoring.scoring import hooks, service
from crownjewels.monitoring.scoring.scorer import Scorer
from crownjewels.parties.schemas import OrgKind, PersonKind
from tests.access.factories import bind_for_access
from tests.inventory.factories import make_secret
from tests.monitoring.scoring.factories import store_event
from tests.monitoring.scoring.tiny_detector import TinyDetector
from tests.parties.factories import make_org, make_person, make_user


def _world(session: Session, admin: Actor) -> dict[str, Any]:
    own = make_org(session, admin, name="Acme Foods", kind=OrgKind.OWN, country="US")
    vendor = make_org(session, admin, name="Spice Vendors", kind=OrgKind.VENDOR, country="IN")
    rohan = make_person(
        session, admin, org=vendor, name="Rohan Gupta", country="IN", kind=PersonKind.VENDOR_STAFF
    )
    dana = make_person(session, admin, org=own, name="Dana Whitfield")
    make_user(session, admin, person=dana)  # an administrator
    secret = make_secret(session, admin, owner=dana, allowed_regions=["US", "IN"])
    return {"own": own, "vendor": vendor, "rohan": rohan, "dana": dana, "secret": secret}


def _downloads(session: Session, world: dict[str, Any], n: int, **fields: Any) -> list[int]:
    rohan, secret = world["rohan"], world["secret"]
    start = clock.now() - timedelta(hours=1)
    return [
        store_event(
            session,
            actor=rohan.email,
            person_id=rohan.id,
            organisation_id=rohan.organisation_id,
            secret_id=secret.id,
            at=start + timedelta(minutes=i),
            **fields,
        )
        for i in range(n)
    ]


def _count(session: Session, query: Any) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def test_a_batch_raises_an_alert_with_its_events_and_empties_the_queue(
    session: Session, admin: Actor
) -> None:
    world = _world(session, admin)
    ids = _downloads(session, world, 3)
    told: list[tuple[str, bool]] = []

    def tell(session: Session, *, alert: Alert, new: bool) -> None:
        told.append((alert.ref, new))

    hooks.register_dispatch(tell)
    try:
        result = service.score_batch(session, actor=admin, detector=TinyDetector())
    finally:
        hooks.unregister(tell)

    assert result.events == 3
    assert len(result.alerts_raised) == 1
    ref = result.alerts_raised[0]
    assert ref.startswith("AL-")
    alert = session.scalars(select(Alert).where(Alert.ref == ref)).one()
    assert alert.rule_id == "bulk-download"
    assert alert.person_id == world["rohan"].id
    assert alert.organisation_id == world["vendor"].id
    assert alert.secret_ids == [world["secret"].id]
    assert alert.status == AlertStatus.OPEN
    assert "Rohan Gupta downloaded 3 documents" in alert.explanation
    held = set(session.scalars(select(AlertEvent.event_id).where(AlertEvent.alert_id == alert.id)))
    assert held == {ids[2]}
    assert told == [(ref, True)]
    custody.flush(session)
    raised = session.scalars(
        select(CustodyEvent).where(CustodyEvent.event_type == "ALERT_RAISED")
    ).all()
    assert [e.subject_id for e in raised] == [alert.id]
    assert _count(session, select(PendingScore)) == 0


def test_repeated_hits_group_into_one_alert_and_a_closed_one_is_not_reopened(
    session: Session, admin: Actor
) -> None:
    world = _world(session, admin)
    _downloads(session, world, 3)
    first = service.score_batch(session, actor=admin, detector=TinyDetector())
    more = _downloads(session, world, 2)
    second = service.score_batch(session, actor=admin, detector=TinyDetector())

    assert second.alerts_raised == []
    assert second.alerts_updated == first.alerts_raised
    alert = session.scalars(select(Alert).where(Alert.ref == first.alerts_raised[0])).one()
    assert alert.hits == 3
    assert "downloaded 5 documents" in alert.explanation
    held = set(session.scalars(select(AlertEvent.event_id).where(AlertEvent.alert_id == alert.id)))
    assert set(more) <= held and len(held) == 3
    custody.flush(session)
    updated = select(CustodyEvent).where(CustodyEvent.event_type == "ALERT_UPDATED")
    assert _count(session, updated) == 1  # one per alert and batch, however many hits

    alert.status = AlertStatus.DISMISSED
    session.flush()
    _downloads(session, world, 1)
    third = service.score_batch(session, actor=admin, detector=TinyDetector())
    assert len(third.alerts_raised) == 1
    assert third.alerts_raised != first.alerts_raised


def test_the_detector_state_is_kept_between_batches(session: Session, admin: Actor) -> None:
    world = _world(session, admin)
    _downloads(session, world, 2)
    assert service.score_batch(session, actor=admin, detector=TinyDetector()).alerts_raised == []
    _downloads(session, world, 1)
    # a fresh detector: only the stored state knows of the first two downloads
    assert (
        len(service.score_batch(session, actor=admin, detector=TinyDetector()).alerts_raised) == 1
    )

    person = session.get(Baseline, (f"person:{world['rohan'].id}", "state"))
    assert person is not None and person.state["events"] == 3
    org = session.get(Baseline, (f"organisation:{world['vendor'].id}", "state"))
    assert org is not None and org.median == 1.5 and org.days == 3


def test_observations_carry_the_person_secret_and_grants(session: Session, admin: Actor) -> None:
    world = _world(session, admin)
    rohan, dana, secret = world["rohan"], world["dana"], world["secret"]
    bind_for_access(session, person_id=rohan.id, secret_id=secret.id)
    outside = store_event(
        session,
        actor=rohan.email.upper(),
        person_id=rohan.id,
        secret_id=secret.id,
        country="IN",
        ip="203.0.113.5",
        bytes=1234,
    )
    inside = store_event(
        session,
        actor=dana.email,
        person_id=dana.id,
        secret_id=secret.id,
        channel="custody",
        action="view",
    )
    nobody_outside = store_event(
        session, actor=dana.email, person_id=dana.id, secret_id=secret.id, action="view"
    )
    unknown = store_event(session, actor="svc-backup", action="login", resource="sftp://x")
    detector = TinyDetector()
    service.score_batch(session, actor=admin, detector=detector)

    seen = {o.event_id: o for o in detector.seen}
    assert set(seen) == {outside, inside, nobody_outside, unknown}
    o = seen[outside]
    assert o.person is not None and o.person.name == "Rohan Gupta"
    assert o.person.external and not o.person.admin
    assert o.person.organisation_name == "Spice Vendors" and o.person.role == "vendor-staff"
    assert o.secret is not None and o.secret.ref == secret.ref
    assert set(o.secret.allowed_regions) == {"US", "IN"}
    assert o.grants is not None and len(o.grants) == 1
    assert (o.country, o.ip, o.bytes) == ("IN", "203.0.113.5", 1234)
    assert seen[inside].grants is None  # access decided it inside Crown Jewels
    assert seen[inside].person is not None and seen[inside].person.admin
    assert not seen[inside].person.external
    assert seen[nobody_outside].grants == ()  # seen elsewhere, with no grant at all
    assert seen[unknown].person is None and seen[unknown].secret is None


def test_heightened_people_come_from_the_registered_watch(session: Session, admin: Actor) -> None:
    world = _world(session, admin)
    _downloads(session, world, 1)

    def watched(session: Session) -> set[str]:
        return {world["rohan"].id}

    hooks.register_heightened(watched)
    detector = TinyDetector()
    try:
        service.score_batch(session, actor=admin, detector=detector)
    finally:
        hooks.unregister(watched)
    assert detector.seen[0].person is not None and detector.seen[0].person.heightened


def test_an_empty_queue_scores_nothing(session: Session, admin: Actor) -> None:
    assert service.score_batch(session, actor=admin, detector=TinyDetector()).events == 0


def test_activity_sent_through_the_intake_is_scored_into_an_alert(
    session: Session, admin: Actor
) -> None:
    world = _world(session, admin)
    secret = world["secret"]
    inventory.add_location(
        session,
        actor=admin,
        secret_ref=secret.ref,
        data=LocationCreate(
            kind=LocationKind.SYSTEM, name="Recipe bucket", patterns=["s3://recipes/"]
        ),
    )
    at = clock.now() - timedelta(minutes=30)
    lines = [
        {
            "time": (at + timedelta(minutes=i)).isoformat(),
            "actor": world["rohan"].email.upper(),
            "action": "download",
            "resource": f"s3://recipes/batch-{i}.pdf",
            "country": "IN",
        }
        for i in range(3)
    ]
    assert monitoring.ingest(session, actor=admin, lines=lines, channel="api").accepted == 3
    result = service.score_batch(session, actor=admin, detector=TinyDetector())
    assert result.events == 3 and len(result.alerts_raised) == 1
    alert = session.scalars(select(Alert).where(Alert.ref == result.alerts_raised[0])).one()
    assert (alert.person_id, alert.secret_ids) == (world["rohan"].id, [secret.id])


def _hand_over(session: Session) -> None:
    """Write what the test's session holds (custody buffers its rows) before a scorer's own
    unit of work, on the same connection, reads and appends."""
    custody.flush(session)
    session.flush()


def test_a_kept_detector_reads_again_what_another_scorer_wrote(
    session: Session, admin: Actor, db: Database
) -> None:
    world = _world(session, admin)
    a = Scorer(db, detector=TinyDetector, actor=admin)
    b = Scorer(db, detector=TinyDetector, actor=admin)
    for scorer in (a, b, a):  # A, then B, then A again with what B saved
        _downloads(session, world, 1)
        _hand_over(session)
        scorer.once()
    state = session.get(Baseline, (f"person:{world['rohan'].id}", "state"))
    assert state is not None
    session.refresh(state)
    assert state.state["events"] == 3
    assert session.scalar(select(func.count()).select_from(Alert)) == 1  # the third download


def test_a_failed_batch_leaves_nothing_remembered(
    session: Session, admin: Actor, db: Database
) -> None:
    world = _world(session, admin)
    a = Scorer(db, detector=TinyDetector, actor=admin)
    _downloads(session, world, 2)
    _hand_over(session)
    a.once()

    def fail(session: Session, *, alert: Alert, new: bool) -> None:
        raise RuntimeError("the channel broke")

    hooks.register_dispatch(fail)
    try:
        _downloads(session, world, 1)
        _hand_over(session)
        with pytest.raises(RuntimeError):
            a.once()  # the third download raises an alert: the dispatch fails, all rolls back
    finally:
        hooks.unregister(fail)
    assert a.once().alerts_raised  # scored again from the stored state: the same third download
    state = session.get(Baseline, (f"person:{world['rohan'].id}", "state"))
    assert state is not None
    session.refresh(state)
    assert state.state["events"] == 3
