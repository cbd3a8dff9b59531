"""Backpressure on the activity API: an event that triggers a rule is an alert within a second
of its ingestion only while the scorers keep up. When they fall behind (a burst from many
senders, more than they can score), `POST /api/v1/monitoring/events` answers 503 with a
Retry-After header instead of queueing more: the sender sends the same batch again a moment
later, nothing is lost, and what was accepted is scored promptly. The API is the only channel
refused: files and syslog are read by Crown Jewels itself, and signals from other capabilities
are never refused.

Behind means: a batch queued now would wait more than `monitoring_max_lag_seconds` (0: never
refuse) before a scorer reaches it. That wait is the events ahead of it (ids are allocated in
the order events are stored: the newest id minus the oldest) over the rate at which the scorers
take them, read from how fast the oldest unscored id moves. Until that rate is known (the first
second of a burst), the age of the oldest unscored event stands in for the wait.

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
#: the shortest span over which the scorers' rate is read (they take the queue in batches)
RATE_SPAN = 0.5


class QueueHead(Protocol):
    """What the admission reads of the scoring queue (monitoring.scoring.queue.Head)."""

    @property
    def oldest_id(self) -> int: ...
    @property
    def received_at(self) -> datetime: ...
    @property
    def newest_id(self) -> int: ...


class Admission:
    """One web process's view of the scoring queue (kept in the app's state): whether the
    next batch may be queued, and if not, after how many seconds to send it again."""

    def __init__(
        self,
        *,
        max_lag: float,
        stalled_after: float = STALLED_AFTER,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_lag = max_lag
        self.stalled_after = stalled_after
        self._clock = clock
        self._lock = threading.Lock()
        self._head: int | None = None  # the oldest unscored id last seen, and since when
        self._head_since = 0.0
        self._mark: tuple[int, float] | None = None  # (oldest id, tick) the rate is read from
        #: events the scorers take per second (None: not seen yet)
        self.rate: float | None = None

    def retry_after(self, queue: QueueHead | None, now: datetime) -> int | None:
        """None: accept the batch. Else the whole seconds to wait before sending it again.
        `now` is on the clock the events' reception times were taken on."""
        if self.max_lag <= 0:
            return None
        with self._lock:
            tick = self._clock()
            if queue is None:  # nothing waits: the next burst reads the rate afresh
                self._head = self._mark = None
                return None
            self._observe(queue.oldest_id, tick)
            if self.rate:
                wait = (queue.newest_id - queue.oldest_id + 1) / self.rate
            else:
                wait = (now - queue.received_at).total_seconds()
            if wait <= self.max_lag:
                return None
            if tick - self._head_since >= self.stalled_after:
                return None  # nobody is scoring: keep the events, they wait for a scorer
        # about the time the scorers need to catch up, at least a second (the header's unit)
        return max(1, math.ceil(wait - self.max_lag))

    def _observe(self, oldest_id: int, tick: float) -> None:
        """Note where the head of the queue is: when it last moved, and the scorers' rate
        (half the last reading and half the new one) once it moved over RATE_SPAN or more; a
        head that starts moving after a stall starts a new reading."""
        stalled = tick - self._head_since >= self.stalled_after
        if oldest_id != self._head:
            self._head, self._head_since = oldest_id, tick
            if stalled:  # scoring starts again: the time nobody scored is no reading of rate
                self._mark = None
        if self._mark is None or oldest_id < self._mark[0]:
            self._mark = (oldest_id, tick)
            return
        moved, span = oldest_id - self._mark[0], tick - self._mark[1]
        if moved > 0 and span >= RATE_SPAN:
            sample = moved / span
            self.rate = sample if self.rate is None else (self.rate + sample) / 2
            self._mark = (oldest_id, tick)
