"""The continuous scorer: two scorers on PostgreSQL share the queue without scoring an event
twice and keep each person's events in order; a notification wakes a waiting scorer; on
SQLite it polls."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from crownjewels.core import clock, migrate
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.monitoring.detection.types import Finding, Observation
from crownjewels.monitoring.models import Alert, Baseline, PendingScore
from crownjewels.monitoring.scoring import scorer as scoring
from crownjewels.parties.schemas import OrgKind, PersonRead
from tests.conftest import fresh_migrated_url
from tests.inventory.factories import make_secret
from tests.monitoring.scoring.factories import store_event
from tests.monitoring.scoring.tiny_detector import TinyDetector
from tests.parties.factories import make_org, make_person

ADMIN = system_actor("test")
PEOPLE = 8
EACH = 12


@pytest.fixture
def pg(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    url = fresh_migrated_url("postgresql", tmp_path, request)
    db = Database(url)
    yield db
    db.dispose()


def _people(db: Database, n: int, *, one_org: bool = True) -> tuple[list[PersonRead], str]:
    """`n` people, of one organisation or each of their own, and a secret."""
    with db.unit_of_work() as session:
        own = make_org(session, ADMIN, name="Acme Foods", kind=OrgKind.OWN)
        people = [
            make_person(session, ADMIN, org=own if one_org else make_org(session, ADMIN))
            for _ in range(n)
        ]
        secret = make_secret(session, ADMIN, owner=people[0])
        return people, secret.id


def _queue(db: Database, people: list[PersonRead], secret_id: str, each: int) -> set[int]:
    """`each` downloads per person, interleaved in time, in one committed batch."""
    start = clock.now() - timedelta(hours=2)
    ids = set()
    with db.unit_of_work() as session:
        for i in range(each):
            for j, p in enumerate(people):
                ids.add(
                    store_event(
                        session,
                        actor=p.email,
                        person_id=p.id,
                        organisation_id=p.organisation_id,
                        secret_id=secret_id,
                        at=start + timedelta(seconds=i * len(people) + j),
                    )
                )
        session.execute(text("NOTIFY monitoring_events"))
    return ids


class Recording(TinyDetector):
    """A TinyDetector that writes down every event it is shown, and may pause on the first."""

    def __init__(self, seen: list[Observation], first: Callable[[], None] | None = None) -> None:
        super().__init__(threshold=EACH)
        self.log = seen
        self.first = first

    def observe(self, o: Observation) -> list[Finding]:
        if self.first is not None:
            first, self.first = self.first, None
            first()
        self.log.append(o)
        return super().observe(o)


@pytest.mark.postgres
def test_two_scorers_share_the_queue_without_scoring_an_event_twice(pg: Database) -> None:
    # each of their own organisation: the two scorers share no subject (see the next test)
    people, secret_id = _people(pg, PEOPLE, one_org=False)
    queued = _queue(pg, people, secret_id, EACH)
    a_claimed, b_done = threading.Event(), threading.Event()
    seen_a: list[Observation] = []
    seen_b: list[Observation] = []
    pending_first: list[Callable[[], None] | None] = [lambda: (a_claimed.set(), b_done.wait(10))]

    def detector_a() -> Recording:
        # the first batch of A holds its people until B has scored what it could take
        return Recording(seen_a, pending_first.pop() if pending_first else None)

    other = Database(pg.url)
    a = scoring.Scorer(pg, detector=detector_a, batch=30)
    b = scoring.Scorer(other, detector=lambda: Recording(seen_b), batch=30)
    results: dict[str, Any] = {}

    def run_a() -> None:
        results["a"] = a.drain()

    def run_b() -> None:
        a_claimed.wait(10)
        results["b_first"] = b.drain()
        b_done.set()

    threads = [threading.Thread(target=run_a), threading.Thread(target=run_b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    results["b_rest"] = b.drain()
    other.dispose()

    ids_a = [o.event_id for o in seen_a]
    ids_b = [o.event_id for o in seen_b]
    assert results["b_first"].events > 0, "B scored while A held its own people"
    assert ids_a and ids_b
    assert not set(ids_a) & set(ids_b)
    assert sorted(ids_a + ids_b) == sorted(queued)
    people_a = {o.person.key for o in seen_a if o.person}
    people_b = {o.person.key for o in seen_b[: results["b_first"].events] if o.person}
    assert not people_a & people_b
    with pg.unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(PendingScore)) == 0
        for p in people:
            state = session.get(Baseline, (f"person:{p.id}", "state"))
            assert state is not None
            assert (state.state["events"], state.state["out_of_order"]) == (EACH, 0)
        # every person reached the threshold once: one alert each
        assert session.scalar(select(func.count()).select_from(Alert)) == PEOPLE


@pytest.mark.postgres
def test_scorers_of_one_organisation_take_turns_on_its_state(pg: Database) -> None:
    people, secret_id = _people(pg, PEOPLE)
    queued = _queue(pg, people, secret_id, EACH)
    databases = [pg, Database(pg.url)]
    start = threading.Barrier(2, timeout=10)
    done: list[int] = []

    def run(db: Database) -> None:
        start.wait()
        done.append(scoring.Scorer(db, detector=TinyDetector, batch=20).drain().events)

    threads = [threading.Thread(target=run, args=(db,)) for db in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    databases[1].dispose()
    assert sum(done) == len(queued)
    with pg.unit_of_work(write=False) as session:
        org = session.get(Baseline, (f"organisation:{people[0].organisation_id}", "state"))
        assert org is not None and org.state["events"] == len(queued)  # no update lost


def _wait_for(check: Callable[[], bool], deadline: float = 15.0) -> bool:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False


def _alerts(db: Database) -> int:
    with db.unit_of_work(write=False) as session:
        return session.scalar(select(func.count()).select_from(Alert)) or 0


def _run_in_thread(scorer: scoring.Scorer) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(target=scorer.run, args=(stop,))
    thread.start()
    return stop, thread


@pytest.mark.postgres
def test_a_notification_wakes_the_waiting_scorer(
    pg: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    people, secret_id = _people(pg, 2)
    # it looks at the queue by itself only once a minute: the notification must wake it
    monkeypatch.setattr(scoring, "IDLE", 60.0)
    stop, thread = _run_in_thread(scoring.Scorer(pg, detector=lambda: TinyDetector(threshold=3)))
    try:
        _queue(pg, people, secret_id, 3)
        assert _wait_for(lambda: _alerts(pg) == 2)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_on_sqlite_the_scorer_polls(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crownjewels.db'}"
    migrate.upgrade(url)
    db = Database(url)
    people, secret_id = _people(db, 1)
    stop, thread = _run_in_thread(scoring.Scorer(db, detector=lambda: TinyDetector(threshold=2)))
    try:
        start = clock.now()
        with db.unit_of_work() as session:
            for i in range(2):
                store_event(
                    session,
                    actor=people[0].email,
                    person_id=people[0].id,
                    secret_id=secret_id,
                    at=start + timedelta(seconds=i),
                )
        assert _wait_for(lambda: _alerts(db) == 1)
    finally:
        stop.set()
        thread.join(10)
    db.dispose()
