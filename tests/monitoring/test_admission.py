"""Backpressure on the activity API: while the oldest unscored event waits longer than the
allowed lag, POST /api/v1/monitoring/events answers 503 with Retry-After and stores nothing;
once the queue is scored (or when nothing scores it at all) batches are taken again."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crownjewels.app import API_PREFIX
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.monitoring import service
from crownjewels.monitoring.admission import Admission
from crownjewels.monitoring.models import ActivityEvent
from crownjewels.monitoring.scoring import service as scoring
from crownjewels.monitoring.scoring.queue import Head
from crownjewels.parties import tokens as api_tokens
from crownjewels.parties.schemas import TokenCreate
from crownjewels.settings import Settings
from tests.api_support import RoleClients, Roles, connection  # noqa: F401
from tests.parties.factories import make_user

EVENTS = f"{API_PREFIX}/monitoring/events"
NOW = datetime(2026, 12, 1, 12, 0)


def _event(n: int) -> dict[str, str]:
    return {"time": "2026-12-01T03:12:00Z", "actor": f"a{n}@example.com", "action": "view",
            "resource": f"/doc/{n}"}  # fmt: skip


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


# --- the decision ------------------------------------------------------------------------------


def head(oldest: int, age: float, newest: int | None = None) -> Head:
    """The queue from `oldest` (received `age` seconds before NOW) to `newest`."""
    return Head(oldest, NOW - timedelta(seconds=age), oldest if newest is None else newest)


def test_a_queue_within_the_lag_is_accepted_and_one_beyond_it_refused() -> None:
    ticks = Ticks()
    admission = Admission(max_lag=0.25, clock=ticks)
    assert admission.retry_after(None, NOW) is None  # nothing waits
    assert admission.retry_after(head(7, age=0.25), NOW) is None
    assert admission.retry_after(head(7, age=0.3), NOW) == 1
    assert admission.retry_after(head(7, age=3.2), NOW) == 3  # the lag left, rounded up
    # the scorers take the head of the queue: still behind, still refused
    ticks.now += 30
    assert admission.retry_after(head(8, age=2), NOW) == 2


def test_a_queue_that_does_not_move_is_accepted_after_a_while() -> None:
    """Nobody scoring is no overload: the events are kept for a scorer rather than pushed back
    to senders that may not keep them."""
    ticks = Ticks()
    admission = Admission(max_lag=0.25, stalled_after=10, clock=ticks)
    assert admission.retry_after(head(7, age=5), NOW) == 5
    ticks.now += 9.9
    assert admission.retry_after(head(7, age=5), NOW) == 5
    ticks.now += 0.1
    assert admission.retry_after(head(7, age=5), NOW) is None
    # a scorer starts again and takes the head: refused while it catches up
    assert admission.retry_after(head(8, age=5), NOW) == 5


def test_a_full_queue_of_young_events_is_refused_too() -> None:
    """Senders faster than the scorers fill the queue before its oldest event grows old."""
    admission = Admission(max_lag=0.25, max_queued=1_500, clock=Ticks())
    assert admission.retry_after(head(1, age=0.1, newest=1_500), NOW) is None
    assert admission.retry_after(head(1, age=0.1, newest=1_501), NOW) == 1
    assert admission.retry_after(head(1, age=2.1, newest=1_501), NOW) == 2  # late as well


def test_a_rule_set_to_zero_never_refuses() -> None:
    assert not Admission(max_lag=0, max_queued=0).refuses
    assert Admission(max_lag=0, max_queued=1).refuses and Admission(max_lag=0.1).refuses
    assert Admission(max_lag=0).retry_after(head(1, age=3600, newest=10**6), NOW) is None
    no_cap = Admission(max_lag=0.25, max_queued=0)
    assert no_cap.retry_after(head(1, age=0.1, newest=10**6), NOW) is None


def test_the_settings_default_to_a_quarter_second_and_1500_events(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CROWNJEWELS_MONITORING_MAX_LAG_SECONDS")
    monkeypatch.delenv("CROWNJEWELS_MONITORING_MAX_QUEUED")
    settings = Settings(home=Path("/nonexistent"))
    assert (settings.monitoring_max_lag_seconds, settings.monitoring_max_queued) == (0.25, 1_500)


# --- the queue's head, on each engine ----------------------------------------------------------


def test_the_oldest_unscored_event_and_when_it_was_received(db: Database) -> None:
    admin = system_actor("test")
    with db.unit_of_work() as session:
        assert service.unscored(session) is None
        before = clock.now().replace(tzinfo=None)
        service.ingest(session, actor=admin, lines=[_event(1), _event(2)], channel="api")
        after = clock.now().replace(tzinfo=None)
        first = service.unscored(session)
        assert first is not None and first.queued == 2
        assert before <= first.received_at.replace(tzinfo=None) <= after
        service.ingest(session, actor=admin, lines=[_event(3)], channel="api")
        now = service.unscored(session)
        assert now is not None and now.queued == 3
        # the oldest stays the oldest; the newest moves on
        assert (now.oldest_id, now.received_at) == (first.oldest_id, first.received_at)
        assert now.newest_id == first.newest_id + 1
        scoring.score_queued(session, actor=admin)
        assert service.unscored(session) is None


# --- through the API ---------------------------------------------------------------------------


@pytest.fixture
def rc(db: Database, roles: Roles, tmp_path: Path) -> RoleClients:
    return roles.clients(db, tmp_path)


def _sender(db: Database) -> dict[str, str]:
    with db.unit_of_work() as session:
        admin = system_actor("test")
        user = make_user(session, admin, Role.SECURITY)
        issued = api_tokens.create_token(
            session, actor=admin, user_id=user.id, data=TokenCreate(name="siem", scopes=["ingest"])
        )
    return {"Authorization": f"Bearer {issued.token}"}


def _stored(db: Database) -> int:
    with db.unit_of_work(write=False) as session:
        return int(session.scalar(select(func.count()).select_from(ActivityEvent)) or 0)


def test_the_api_refuses_while_scoring_is_behind_and_takes_the_batch_again_after(
    db: Database, rc: RoleClients
) -> None:
    headers = _sender(db)
    ticks = Ticks()
    rc.app.state.monitoring_admission = Admission(max_lag=0.25, clock=ticks)
    client = rc.client()
    received = clock.now()
    clock.set_clock(lambda: received)  # the batch is received at exactly this moment
    assert client.post(EVENTS, json=[_event(1), _event(2)], headers=headers).status_code == 200
    assert _stored(db) == 2

    later = received + timedelta(seconds=3)  # 2.75 s beyond the lag allowed
    clock.set_clock(lambda: later)
    refused = client.post(EVENTS, json=[_event(3)], headers=headers)
    assert refused.status_code == 503, refused.text
    assert refused.headers["Retry-After"] == "3"
    assert refused.headers["content-type"].startswith("application/problem+json")
    detail = refused.json()["detail"]
    assert "still scoring earlier activity" in detail and "send it again in 3 s" in detail
    assert _stored(db) == 2  # nothing of the refused batch was kept

    with db.unit_of_work() as session:
        scoring.score_queued(session, actor=system_actor("test"))
    again = client.post(EVENTS, json=[_event(3)], headers=headers)
    assert again.status_code == 200, again.text
    assert again.json()["accepted"] == 1 and _stored(db) == 3


def test_the_api_refuses_a_batch_while_too_many_events_wait(db: Database, rc: RoleClients) -> None:
    headers = _sender(db)
    # the count alone (no lag rule: the tests' clock runs in real time between the two POSTs)
    rc.app.state.monitoring_admission = Admission(max_lag=0, max_queued=3, clock=Ticks())
    client = rc.client()
    events = [_event(n) for n in range(4)]
    assert client.post(EVENTS, json=events, headers=headers).status_code == 200
    refused = client.post(EVENTS, json=[_event(5)], headers=headers)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert _stored(db) == 4


def test_the_api_keeps_events_when_nothing_scores_them(db: Database, rc: RoleClients) -> None:
    headers = _sender(db)
    ticks = Ticks()
    rc.app.state.monitoring_admission = Admission(max_lag=0.25, stalled_after=10, clock=ticks)
    client = rc.client()
    assert client.post(EVENTS, json=[_event(1)], headers=headers).status_code == 200
    later = clock.now() + timedelta(minutes=5)
    clock.set_clock(lambda: later)
    assert client.post(EVENTS, json=[_event(2)], headers=headers).status_code == 503
    ticks.now += 10  # the head of the queue has not moved for ten seconds: no scorer runs
    kept = client.post(EVENTS, json=[_event(2)], headers=headers)
    assert kept.status_code == 200, kept.text
    assert _stored(db) == 2
