"""The worker's jobs: owners are asked for the last month's log reviews once (the setting's
period length), and watches long past the last day close; both are listed in the registry."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from crownjewels import registry
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.jobs import JobContext
from crownjewels.monitoring.models import LogReview
from crownjewels.monitoring.watch import jobs, service
from crownjewels.monitoring.watch.departures import GRACE_DAYS
from crownjewels.settings import Settings
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person


def test_the_jobs_are_registered() -> None:
    names = {job.name for job in registry.JOBS}
    assert {"monitoring.create_log_reviews", "monitoring.close_departure_watches"} <= names


def test_the_review_job_asks_once_per_period(db: Database, tmp_path: Path, admin: Actor) -> None:
    with db.unit_of_work() as s:
        secret = make_secret(s, admin)
    ctx = JobContext(db=db, settings=Settings(home=tmp_path, monitoring_review_months=3))
    said = jobs.create_log_reviews(ctx)
    assert said and said.startswith("log reviews asked: LR-")
    start, end = service.period_before(clock.today(), 3)
    with db.unit_of_work() as s:
        row = s.scalar(select(LogReview).where(LogReview.secret_id == secret.id))
        assert row is not None and (row.period_start, row.period_end) == (start, end)
    assert jobs.create_log_reviews(ctx) is None


def test_the_watch_job_closes_watches_past_their_grace(
    db: Database, tmp_path: Path, admin: Actor
) -> None:
    with db.unit_of_work() as s:
        person = make_person(s, admin)
        watch = service.give_notice(
            s,
            actor=admin,
            person_ref=person.id,
            notice_on=clock.today() - timedelta(days=GRACE_DAYS + 40),
            last_day=clock.today() - timedelta(days=GRACE_DAYS + 1),
        )
    ctx = JobContext(db=db, settings=Settings(home=tmp_path))
    assert jobs.close_departure_watches(ctx) == f"departure watches closed: {watch.ref}"
    assert jobs.close_departure_watches(ctx) is None
