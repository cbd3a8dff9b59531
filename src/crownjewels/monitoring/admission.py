"""Backpressure on the activity API: an event that triggers a rule is an alert within a second
of its ingestion only while the scorers keep up. When they fall behind (a burst from many
senders, more than they can score), `POST /api/v1/monitoring/events` answers 503 with a
Retry-After header instead of queueing more: the sender sends the same batch again a moment
later, nothing is lost, and what was accepted is scored promptly. The API is the only channel
refused: files and syslog are read by Crown Jewels itself, and signals from other capabilities
are never refused.

Behind means either of two things. The oldest unscored event was received more than
`monitoring_max_lag_seconds` ago (0.25): the scorers take the queue oldest first, so that age is
how far behind they are. Or more than `monitoring_max_queued` events wait (1,500; ids are
allocated in storing order, so the newest unscored id minus the oldest bounds them): senders
posting faster than the scorers score fill the queue with young events, and the age alone
would let in, in a quarter of a second, more work than one scorer does in a second. (0 turns a
rule off.)

A queue that does not move is not overload but scorers that are not running (stopped for
maintenance, crashed): refusing then would only push the events back to senders that may not
keep them, so after `stalled_after` seconds without the oldest unscored event changing,
batches are accepted again (and scored when a scorer runs)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

#: seconds without the queue's head moving after which the scorers count as not running
STALLED_AFTER = 10.0


class QueueHead(Protocol):
    """What the admission reads of the scoring queue (monitoring.scoring.queue.Head)."""

    @property
    def oldest_id(self) -> int: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def queued(self) -> int: ...


class Admission:
    """One web process's view of the scoring queue (kept in the app's state): whether the
    next batch may be queued, and if not, after how many seconds to send it again."""

    def __init__(
        self,
        *,
        max_lag: float,
        max_queued: int = 0,
        stalled_after: float = STALLED_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_lag = max_lag
        self.max_queued = max_queued
        self.stalled_after = stalled_after
        self._clock = clock
        self._lock = threading.Lock()
        self._head: int | None = None  # the oldest unscored id last seen, and since when
        self._head_since = 0.0

    @property
    def refuses(self) -> bool:
        """Whether either rule is on (0 turns a rule off)."""
        return self.max_lag > 0 or self.max_queued > 0

    def retry_after(self, queue: QueueHead | None, now: datetime) -> int | None:
        """None: accept the batch. Else the whole seconds to wait before sending it again.
        `now` is on the clock the events' reception times were taken on."""
        if queue is None:
            return None
        lag = (now - queue.received_at).total_seconds()
        late = 0 < self.max_lag < lag
        if not late and not 0 < self.max_queued < queue.queued:
            return None
        with self._lock:
            tick = self._clock()
            if queue.oldest_id != self._head:
                self._head, self._head_since = queue.oldest_id, tick
            elif tick - self._head_since >= self.stalled_after:
                return None  # nobody is scoring: keep the events, they wait for a scorer
        # about the time the scorers need to catch up, at least a second (the header's unit)
        return max(1, math.ceil(lag - self.max_lag)) if late else 1
