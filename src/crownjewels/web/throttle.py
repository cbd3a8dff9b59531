"""A per-client-IP throttle of failed login attempts, kept in memory by each web worker.

It sits in front of the per-account lockout that the parties service does: the lockout stops
guessing one account's password, this stops one address from trying many accounts.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

# where a request comes from (behind trusted proxies): shared with the public canary callback
from crownjewels.core.clients import client_address as client_address


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
