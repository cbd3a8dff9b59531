"""The continuous scorer: keeps the queue empty, each batch in a unit of work of its own.

It drains the queue, then waits to be woken: on PostgreSQL by `NOTIFY monitoring_events`
(sent by storage when a batch of events commits) on a connection of its own that LISTENs, so
an event is scored as soon as it is stored; on SQLite (one process, no notifications) by a
short poll. A notification that arrives while it drains waits on the connection, so none is
lost; a timeout still drains now and then, so a missed wake-up costs a few seconds at worst.
Several scorers, in one process or many, share the queue (see queue.py)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import psycopg
from sqlalchemy.engine import make_url

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.monitoring import storage
from crownjewels.monitoring.scoring.observations import FACTS_TTL, Facts
from crownjewels.monitoring.scoring.service import BATCH, DetectorLike, ScoreResult, score_batch

log = logging.getLogger(__name__)

#: the channel storage notifies when events are stored
EVENTS_CHANNEL = storage.CHANNEL
#: SQLite: how often the queue is looked at (seconds)
POLL = 0.2
#: PostgreSQL: the longest wait for a notification before looking anyway (seconds)
IDLE = 2.0


class Scorer:
    """Scores the queue with a fresh detector per batch (its state comes from the database)."""

    def __init__(
        self,
        db: Database,
        *,
        detector: Callable[[], DetectorLike],
        actor: Actor | None = None,
        batch: int = BATCH,
    ) -> None:
        self.db = db
        self.detector = detector
        self.actor = actor or system_actor("scorer")
        self.batch = batch
        self._kept: tuple[DetectorLike, dict[str, datetime]] | None = None
        self._facts = Facts(ttl=FACTS_TTL)

    def once(self) -> ScoreResult:
        """Score one batch in its own unit of work. The detector is kept between batches with
        the version of each subject it holds (only subjects another scorer wrote since are
        read again); a batch that fails drops both, so nothing uncommitted is remembered."""
        if self._kept is None:
            self._kept = (self.detector(), {})
        if not self._facts.fresh():
            self._facts = Facts(ttl=FACTS_TTL)
        detector, held = self._kept
        try:
            with self.db.unit_of_work() as session:
                return score_batch(
                    session,
                    actor=self.actor,
                    detector=detector,
                    limit=self.batch,
                    held=held,
                    facts=self._facts,
                )
        except BaseException:
            self._kept = None
            raise

    def drain(self, stop: threading.Event | None = None) -> ScoreResult:
        """Score batches until the queue has nothing this scorer may take."""
        total = ScoreResult()
        while stop is None or not stop.is_set():
            result = self.once()
            total.add(result)
            if result.events == 0:
                break
        return total

    def run(
        self, stop: threading.Event, *, on_batch: Callable[[ScoreResult], None] | None = None
    ) -> None:
        """Drain, wait to be woken, drain again, until `stop` is set."""
        with self._wakeups(stop) as wait:
            while not stop.is_set():
                try:
                    result = self.drain(stop)
                except Exception:
                    log.exception("scoring a batch failed; trying again shortly")
                    stop.wait(IDLE)
                    continue
                if result.events and on_batch is not None:
                    on_batch(result)
                wait()

    @contextmanager
    def _wakeups(self, stop: threading.Event) -> Iterator[Callable[[], None]]:
        if self.db.engine.dialect.name != "postgresql":

            def poll() -> None:
                stop.wait(POLL)

            yield poll
            return
        url = make_url(self.db.url).set(drivername="postgresql")
        conninfo = url.render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"LISTEN {EVENTS_CHANNEL}")

            def wait() -> None:
                # short slices, so a stop request is seen promptly; all queued notifications
                # are taken at once (one drain scores every batch they announce)
                waited = 0.0
                while not stop.is_set() and waited < IDLE:
                    got = list(conn.notifies(timeout=0.25, stop_after=1))
                    if got:
                        while list(conn.notifies(timeout=0, stop_after=100)):
                            pass
                        return
                    waited += 0.25

            yield wait
