"""Throttles of failures kept in memory by each web process: a key (a client address, or one
key for all callers where the channel keeps no address) is refused once it failed `limit`
times within a window. The login form throttles per client address in front of the
per-account lockout; the anonymous report channel throttles all callers together."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from fastapi import Request

from crownjewels.core.http import per_app


class FailureThrottle:
    """Refuses a key (a client IP) once it failed `limit` times within `window_seconds`."""

    def __init__(
        self,
        *,
        limit: int = 20,
        window_seconds: float = 600,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_keys = max_keys
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, key: str) -> bool:
        """True when the key has used up its failures for the current window."""
        with self._lock:
            return len(self._recent(key, self._clock())) >= self.limit

    def fail(self, key: str) -> None:
        """Count one failure of the key."""
        with self._lock:
            now = self._clock()
            times = self._recent(key, now)
            if not times:
                if len(self._failures) >= self.max_keys:
                    self._forget_oldest()
                self._failures[key] = times
            times.append(now)

    def _forget_oldest(self) -> None:
        # Bounded memory: a flood of addresses evicts the key whose last failure is oldest.
        oldest = min(self._failures, key=lambda k: self._failures[k][-1])
        del self._failures[oldest]


def app_throttle(
    request: Request, name: str, *, limit: int, window_seconds: float
) -> FailureThrottle:
    """The app's throttle `name`: one per app (in its state), made on first use."""
    return per_app(
        request, name, lambda: FailureThrottle(limit=limit, window_seconds=window_seconds)
    )
