"""The report channel's throttles, kept in memory by each web process: all wrong follow-up
codes and passwords together, all reports together. No key tells callers apart: the channel
keeps no address (each report's own lockout, in the database, holds across processes)."""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request


class Throttle:
    """Lets `limit` events through per `window_seconds`, all callers together (no key: the
    channel keeps no address to tell callers apart)."""

    def __init__(self, *, limit: int, window_seconds: float) -> None:
        self.limit, self.window = limit, window_seconds
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def _recent(self) -> deque[float]:
        now = time.monotonic()
        while self._times and self._times[0] <= now - self.window:
            self._times.popleft()
        return self._times

    def blocked(self) -> bool:
        """True when the window's events are used up."""
        with self._lock:
            return len(self._recent()) >= self.limit

    def count(self) -> None:
        """Count one event."""
        with self._lock:
            self._recent().append(time.monotonic())


_throttle_lock = threading.Lock()


def throttle_of(request: Request, name: str, limit: int) -> Throttle:
    """The app's throttle `name` (one per app, made on first use; ten-minute windows)."""
    with _throttle_lock:
        found: Throttle | None = getattr(request.app.state, name, None)
        if found is None:
            found = Throttle(limit=limit, window_seconds=600)
            setattr(request.app.state, name, found)
    return found
