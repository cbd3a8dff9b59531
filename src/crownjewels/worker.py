"""`crownjewels worker`: runs the scheduled jobs of `registry.JOBS`, once (`--once`, for cron and
tests) or in a loop that stops cleanly on SIGTERM/SIGINT; `crownjewels serve` runs the same loop
in a thread. Several workers may run at once, on one machine or many: a job runs under a lock
(PostgreSQL: `pg_try_advisory_lock`; SQLite: an exclusive `flock` on a file beside the
database), a worker that finds it taken skips that job, and every job decides from the data
whether there is work. Each job run opens its own units of work; a failure is logged with the
job's name and the loop goes on."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from sqlalchemy import text
from sqlalchemy.engine import make_url

from crownjewels import registry
from crownjewels.core.db import Database
from crownjewels.core.jobs import Job, JobContext
from crownjewels.leaks.index import prompt as leaks_prompt
from crownjewels.monitoring.channels import sender as alert_sender
from crownjewels.parties.notifications import sender
from crownjewels.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobRun:
    """The outcome of one attempt at a job."""

    name: str
    #: False when another worker held the job's lock
    ran: bool
    ok: bool = True
    summary: str | None = None


def lock_key(name: str) -> int:
    """The 64-bit advisory-lock key of a job (stable across processes and machines)."""
    return int.from_bytes(
        hashlib.sha256(f"crownjewels.job:{name}".encode()).digest()[:8], "big"
    ) - (1 << 63)


@contextlib.contextmanager
def job_lock(db: Database, name: str) -> Iterator[bool]:
    """Hold the job's lock for the block; yields False (and holds nothing) when it is taken."""
    if db.engine.dialect.name == "postgresql":
        with _pg_lock(db, name) as got:
            yield got
    else:
        with _file_lock(db, name) as got:
            yield got


@contextlib.contextmanager
def _pg_lock(db: Database, name: str) -> Iterator[bool]:
    # A session-level lock on a connection of its own, outside the job's transactions; it goes
    # away with the connection if the worker dies.
    key = lock_key(name)
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar())
        try:
            yield got
        finally:
            if got:
                try:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                except Exception:
                    conn.invalidate()  # never hand a connection that holds the lock back
                    raise


_memory_locks: dict[str, threading.Lock] = {}


@contextlib.contextmanager
def _file_lock(db: Database, name: str) -> Iterator[bool]:
    path = make_url(db.url).database
    if not path or path == ":memory:":
        lock = _memory_locks.setdefault(name, threading.Lock())
        got = lock.acquire(blocking=False)
        try:
            yield got
        finally:
            if got:
                lock.release()
        return
    lock_path = Path(f"{path}.job-{name}.lock")
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_job(job: Job, ctx: JobContext) -> JobRun:
    """Run one job under its lock; an exception is logged with the job's name, never raised."""
    with job_lock(ctx.db, job.name) as got:
        if not got:
            log.info("job %s: skipped, another worker is running it", job.name)
            return JobRun(job.name, ran=False)
        started = time.monotonic()
        try:
            summary = job.run(ctx)
        except Exception:
            log.exception("job %s failed", job.name)
            return JobRun(job.name, ran=True, ok=False)
        log.info("job %s: %s (%.2fs)", job.name, summary or "done", time.monotonic() - started)
        return JobRun(job.name, ran=True, summary=summary)


def run_once(
    db: Database, settings: Settings, *, jobs: Sequence[Job] = registry.JOBS
) -> list[JobRun]:
    """Run every job once (each decides whether it has work), for cron and tests."""
    sender.install(db, settings)  # mail a job queued goes out right after its commit
    alert_sender.install(db, settings)  # and so do the alert deliveries it queued
    leaks_prompt.install(db, settings)  # and a document version it stored is fingerprinted
    ctx = JobContext(db=db, settings=settings)
    return [run_job(job, ctx) for job in jobs]


def run_loop(
    db: Database,
    settings: Settings,
    *,
    stop: threading.Event,
    jobs: Sequence[Job] = registry.JOBS,
) -> None:
    """Run each job every `job.interval(settings)` seconds until `stop` is set (checked between
    jobs; a job in progress finishes first)."""
    sender.install(db, settings)  # mail a job queued goes out right after its commit
    # and so do the alert deliveries it queued, in a thread: a receiver that is down must not
    # hold up the loop (the scorer's next batch)
    alert_sender.install(db, settings, in_thread=True)
    leaks_prompt.install(db, settings)  # a document version a job stored is fingerprinted
    ctx = JobContext(db=db, settings=settings, stop=stop)
    due = {job.name: time.monotonic() for job in jobs}
    while not stop.is_set():
        for job in jobs:
            if stop.is_set():
                break
            if time.monotonic() >= due[job.name]:
                run_job(job, ctx)
                due[job.name] = time.monotonic() + job.interval(settings)
        if due:
            stop.wait(max(0.0, min(due.values()) - time.monotonic()))
        else:
            stop.wait()


def run_forever(db: Database, settings: Settings, *, jobs: Sequence[Job] = registry.JOBS) -> None:
    """The `crownjewels worker` loop in the main thread: SIGTERM and SIGINT stop it cleanly."""
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        log.info("worker: %s received, stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        log.info("worker: running %s", ", ".join(job.name for job in jobs) or "no jobs")
        run_loop(db, settings, stop=stop, jobs=jobs)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("worker: stopped")


class BackgroundWorker:
    """The job loop in a daemon thread (the embedded server runs its jobs this way)."""

    def __init__(
        self, db: Database, settings: Settings, *, jobs: Sequence[Job] = registry.JOBS
    ) -> None:
        self.stop_event = threading.Event()
        self._thread = threading.Thread(
            target=run_loop,
            args=(db, settings),
            kwargs={"stop": self.stop_event, "jobs": jobs},
            name="crownjewels-jobs",
            daemon=True,
        )

    def start(self) -> None:
        """Start the loop."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to stop and wait for the job in progress (at most `timeout` seconds)."""
        self.stop_event.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        """True while the loop runs."""
        return self._thread.is_alive()
