"""`crownjewels worker`: once-mode runs the checkpoint job; two workers at once run a job once
(PostgreSQL advisory lock, SQLite file lock); a failing job is logged and the loop goes on; the
loop stops on SIGTERM within a second; the embedded server runs the jobs only when asked."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from crownjewels import worker
from crownjewels.app import create_app
from crownjewels.core import migrate
from crownjewels.core.actor import system_actor
from crownjewels.core.db import Database
from crownjewels.core.jobs import Job, JobContext
from crownjewels.custody import jobs as custody_jobs
from crownjewels.custody import keys
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyCheckpoint, CustodyEvent
from crownjewels.custody.schemas import EventType
from crownjewels.settings import Settings
from tests.conftest import ENGINES, fresh_migrated_url

BINARY = Path(sys.executable).parent / "crownjewels"


def _settings(home: Path, **extra: object) -> Settings:
    keys.ensure_signing_key(home)
    return Settings(home=home, **extra)  # type: ignore[arg-type]


def _signed(db: Database) -> int:
    with db.unit_of_work(write=False) as session:
        query = select(func.count()).where(
            CustodyEvent.event_type == EventType.CHECKPOINT_SIGNED.value
        )
        return int(session.scalar(query) or 0)


def _seed(db: Database) -> None:
    with db.unit_of_work() as session:
        custody.record(
            session,
            actor=system_actor("test"),
            event_type=EventType.SECRET_UPDATED,
            subject_type="test",
            subject_id="worker",
        )


def test_once_runs_the_checkpoint_job(db: Database, tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _seed(db)
    before = _signed(db)
    [run] = worker.run_once(db, settings, jobs=custody_jobs.JOBS)
    assert run.name == "custody.take_checkpoint" and run.ran and run.ok
    assert run.summary and run.summary.startswith("signed checkpoint")
    assert _signed(db) == before + 1
    # Not due again before the interval, and nothing new to sign after it.
    [again] = worker.run_once(db, settings, jobs=custody_jobs.JOBS)
    assert again.summary == "no checkpoint due"
    [later] = worker.run_once(
        db, _settings(tmp_path, checkpoint_interval_seconds=1), jobs=custody_jobs.JOBS
    )
    assert later.ok


@pytest.mark.parametrize("kind", ENGINES)
def test_two_workers_at_once_run_a_job_once(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = fresh_migrated_url(kind, tmp_path, request)
    settings = _settings(tmp_path)
    ran: list[int] = []
    entered = threading.Barrier(2, timeout=10)

    def slow(ctx: JobContext) -> str:
        ran.append(1)
        time.sleep(0.5)  # long enough that the other worker finds the lock taken
        return "slow"

    jobs = (Job("test.slow", slow, lambda s: 60.0),)
    results: list[list[worker.JobRun]] = []
    databases = [Database(url), Database(url)]
    _seed(databases[0])

    def one(db: Database) -> None:
        entered.wait()
        results.append(worker.run_once(db, settings, jobs=jobs))

    threads = [threading.Thread(target=one, args=(d,)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(ran) == 1
    assert sorted(r[0].ran for r in results) == [False, True]

    # The real checkpoint job, from two workers at once: one checkpoint.
    threads = [threading.Thread(target=worker.run_once, args=(d, settings)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert _signed(databases[0]) == 1
    with databases[0].unit_of_work(write=False) as session:
        assert session.scalar(select(func.count()).select_from(CustodyCheckpoint)) == 1
    for d in databases:
        d.dispose()


def test_a_failing_job_is_logged_and_the_loop_goes_on(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken(ctx: JobContext) -> str:
        calls.append("broken")
        raise RuntimeError("disk on fire")

    def fine(ctx: JobContext) -> str:
        calls.append("fine")
        return "ok"

    jobs = (Job("test.broken", broken, lambda s: 0.05), Job("test.fine", fine, lambda s: 0.05))
    stop = threading.Event()
    with caplog.at_level(logging.INFO, logger="crownjewels.worker"):
        thread = threading.Thread(
            target=worker.run_loop,
            args=(Database("sqlite:///" + str(tmp_path / "x.db")), _settings(tmp_path)),
            kwargs={"stop": stop, "jobs": jobs},
        )
        thread.start()
        deadline = time.monotonic() + 5
        while calls.count("fine") < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        stop.set()
        thread.join(5)
    assert not thread.is_alive()
    assert calls.count("broken") >= 3 and calls.count("fine") >= 3
    failures = [r for r in caplog.records if r.getMessage() == "job test.broken failed"]
    assert failures and failures[0].exc_info is not None
    assert "disk on fire" in caplog.text


def test_a_stop_ends_the_wait_for_the_next_job_at_once(db: Database, tmp_path: Path) -> None:
    """Between jobs the loop waits on the stop event, not a sleep: with the next job an hour
    away, setting stop ends the loop (the bound below is far under that hour, never a timing of
    how fast it stops: that depends on the machine's load)."""
    ran = threading.Event()

    def hourly(ctx: JobContext) -> str:
        ran.set()
        return "ok"

    stop = threading.Event()
    thread = threading.Thread(
        target=worker.run_loop,
        args=(Database("sqlite:///" + str(tmp_path / "x.db")), _settings(tmp_path)),
        kwargs={"stop": stop, "jobs": (Job("test.hourly", hourly, lambda s: 3600.0),)},
    )
    thread.start()
    assert ran.wait(30), "the job runs when the loop starts"
    stop.set()
    thread.join(60)
    assert not thread.is_alive(), "the loop still waits for the job due in an hour"


def test_the_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """SIGTERM lets the job in progress finish, then the process says so and exits 0."""
    url = f"sqlite:///{tmp_path / 'crownjewels.db'}"
    migrate.upgrade(url)
    keys.ensure_signing_key(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CROWNJEWELS_")} | {
        "CROWNJEWELS_HOME": str(tmp_path),
        "CROWNJEWELS_DATABASE_URL": url,
    }
    proc = subprocess.Popen(
        [str(BINARY), "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 60
        seen = ""
        while "job custody.take_checkpoint" not in seen and time.monotonic() < deadline:
            seen += proc.stderr.readline()
        assert "job custody.take_checkpoint" in seen, seen
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        rest = proc.stderr.read()
        assert "SIGTERM received, stopping" in rest and "worker: stopped" in rest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_embedded_server_runs_the_jobs_only_when_asked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crownjewels.db'}"
    migrate.upgrade(url)
    db = Database(url)
    _seed(db)
    settings = _settings(tmp_path, database_url=url)
    assert settings.resolved_run_jobs_in_process(url)
    assert not settings.model_copy(
        update={"run_jobs_in_process": False}
    ).resolved_run_jobs_in_process(url)
    with TestClient(create_app(settings, db=db)):  # a caller's own database: off by default
        time.sleep(0.3)
    assert _signed(db) == 0
    with TestClient(create_app(settings, db=db, run_jobs=True)) as client:
        deadline = time.monotonic() + 10
        while _signed(db) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/api/v1/health").status_code == 200
    assert _signed(db) == 1
    assert not any(t.name == "crownjewels-jobs" for t in threading.enumerate())
    db.dispose()
