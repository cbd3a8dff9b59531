"""Heightened watches started for a reason (an incident's containment names its case): the
people are judged with heightened thresholds by scoring until the watch is ended or its end
passes; each start and end is a custody event of the person; who may start and end them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - scoring's heightened hook
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.monitoring.scoring import hooks
from crownjewels.monitoring.watch import service as watch
from tests.parties.factories import actor_for, make_person, make_user


def test_a_case_heightens_people_until_it_ends_the_watch(session: Session, admin: Actor) -> None:
    dana, ravi = make_person(session, admin, name="Dana"), make_person(session, admin, name="Ravi")
    security = actor_for(session, make_user(session, admin, Role.SECURITY))
    started = watch.heighten(
        session,
        actor=security,
        person_ids=[dana.id, ravi.id, dana.id],
        reference="IN-0001",
        reason="containment of IN-0001",
    )
    assert [w.person_name for w in started] == ["Dana", "Ravi"]
    assert {dana.id, ravi.id} <= hooks.heightened(session)
    again = watch.heighten(
        session, actor=security, person_ids=[dana.id], reference="IN-0001", reason="again"
    )
    assert again == []
    ended = watch.end_heightened(
        session, actor=security, reference="IN-0001", reason="reversed", person_ids=[dana.id]
    )
    assert [w.person_name for w in ended] == ["Dana"] and ended[0].end_reason == "reversed"
    live = watch.heightened_for(session, actor=security, reference="IN-0001")
    assert [w.person_name for w in live] == ["Ravi"]
    assert dana.id not in hooks.heightened(session) and ravi.id in hooks.heightened(session)
    kinds = [
        e.event_type for e in custody.history(session, subject_type="person", subject_id=dana.id)
    ]
    assert kinds[:2] == ["HEIGHTENED_WATCH_ENDED", "HEIGHTENED_WATCH_STARTED"]  # newest first


def test_a_watch_with_an_end_lapses_and_who_may_start_one(session: Session, admin: Actor) -> None:
    dana = make_person(session, admin, name="Dana")
    with pytest.raises(Invalid, match="future"):
        watch.heighten(
            session, actor=admin, person_ids=[dana.id], reference="IN-0002", reason="suspect",
            until=clock.now() - timedelta(hours=1),
        )  # fmt: skip
    watch.heighten(
        session, actor=admin, person_ids=[dana.id], reference="IN-0002", reason="suspect",
        until=clock.now() + timedelta(days=2),
    )  # fmt: skip
    assert dana.id in hooks.heightened(session)
    later = clock.now() + timedelta(days=3)
    clock.set_clock(lambda: later)
    assert dana.id not in hooks.heightened(session)
    compliance = actor_for(session, make_user(session, admin, Role.COMPLIANCE))
    with pytest.raises(Forbidden, match="alerts:triage"):
        watch.heighten(
            session, actor=compliance, person_ids=[dana.id], reference="IN-0003", reason="suspect"
        )
