"""The custody feed: the accesses among custody events become activity through a cursor that
moves with what it stored (none missed, none read twice, restartable)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.jobs import JobContext
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.monitoring import feed, jobs, service
from crownjewels.monitoring.models import ActivityEvent, Cursor, PendingScore
from crownjewels.parties import accounts
from crownjewels.settings import Settings
from tests.inventory.factories import make_secret
from tests.parties.factories import PASSWORD, make_person, make_user


def _activity(session: Session) -> list[ActivityEvent]:
    return list(session.scalars(select(ActivityEvent).order_by(ActivityEvent.id)))


def _caught_up(session: Session) -> None:
    while feed.run_once(session).read:
        pass


def test_accesses_in_the_log_become_activity_once(session: Session, admin: Actor) -> None:
    _caught_up(session)  # whatever the world's setup wrote
    before = len(_activity(session))
    person = make_person(session, admin)
    user = make_user(session, admin, person=person)
    secret = make_secret(session, admin)
    vendor = make_person(session, admin)

    ok = accounts.check_password(
        session, username=user.username, password=PASSWORD, name_key="k", mfa_policy=False
    )
    assert ok.ok
    accounts.check_password(session, username=user.username, password="wrong", name_key="k")
    accounts.check_password(session, username="nobody-at-all", password="x", name_key="k")
    as_user = Actor(kind="user", id=user.id, name=user.username)
    custody.record(
        session,
        actor=as_user,
        event_type=EventType.COPY_ISSUED,
        subject_type="copy",
        subject_id="copy-1",
        details={"document_id": "doc-x", "recipient_person_id": vendor.id, "channel": "portal"},
    )
    custody.record(
        session,
        actor=as_user,
        event_type=EventType.ACCESS_DENIED,
        subject_type="secret",
        subject_id=secret.id,
        details={"person_id": person.id, "reasons": [{"message": "no grant"}]},
    )
    custody.record(
        session,
        actor=as_user,
        event_type=EventType.ACCESS_GRANT_APPROVED,
        subject_type="grant",
        subject_id="grant-1",
        details={"ref": "GR-0001", "secret_id": secret.id, "person_id": vendor.id},
    )

    first = feed.run_once(session, limit=3)
    assert first.read == 3
    result = feed.run_once(session)
    assert result.read > 0 and feed.run_once(session).read == 0
    position = session.scalar(select(Cursor.position).where(Cursor.name == feed.CURSOR))
    assert position == result.position

    new = _activity(session)[before:]
    by_action = {(e.action, e.person_id) for e in new}
    assert ("login", person.id) in by_action
    assert ("failed-login", person.id) in by_action
    assert any(e.action == "failed-login" and e.person_id is None for e in new)
    assert ("download", vendor.id) in by_action, "a portal copy is the recipient's download"
    denied = next(e for e in new if e.action == "denied")
    assert (denied.person_id, denied.secret_id) == (person.id, secret.id)
    assert denied.details["reasons"] == ["no grant"]
    grant = next(e for e in new if e.action == "grant-change")
    assert grant.secret_id == secret.id and grant.details["ref"] == "GR-0001"
    assert all(e.channel == "custody" and e.custody_seq for e in new)
    seqs = [e.custody_seq for e in new]
    assert len(seqs) == len(set(seqs)), "no custody event read twice"
    queued = set(session.scalars(select(PendingScore.event_id)))
    assert {e.id for e in new} <= queued


def test_a_failed_pass_moves_nothing(db: Database, admin: Actor) -> None:
    with db.unit_of_work() as session:
        _caught_up(session)
        position = session.scalar(select(Cursor.position).where(Cursor.name == feed.CURSOR))
        make_person(session, admin)
    try:
        with db.unit_of_work() as session:
            assert feed.run_once(session).read > 0
            raise RuntimeError("the pass fails before its commit")
    except RuntimeError:
        pass
    with db.unit_of_work() as session:
        after = session.scalar(select(Cursor.position).where(Cursor.name == feed.CURSOR))
        assert after == position
        assert feed.run_once(session).read > 0, "read again by the next pass"


def test_the_workers_jobs_read_the_log_and_apply_retention(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    ctx = JobContext(db=db, settings=Settings(home=tmp_path, monitoring_retention_days=30))
    with db.unit_of_work() as session:
        make_person(session, admin)
        user = make_user(session, admin)
        accounts.check_password(session, username=user.username, password="no", name_key="k")
    said = jobs.read_custody(ctx)
    assert said is not None and said.startswith("custody feed:")
    assert jobs.read_custody(ctx) is None, "caught up: nothing more to say"

    # PostgreSQL keeps a month while any of its days is within retention: two months back
    old = (clock.now() - timedelta(days=70)).isoformat()
    line = json.dumps({"time": old, "actor": "x", "action": "view", "resource": "/x"})
    with db.unit_of_work() as session:
        service.ingest(session, actor=admin, lines=[line], channel="api")
    assert jobs.apply_retention(ctx) is not None
    assert jobs.apply_retention(ctx) is None
