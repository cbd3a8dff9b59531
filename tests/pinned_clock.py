"""The tests' clock: midday UTC of the day the test process started, running on from there.

Every test, fixture and module constant reads this clock through `crownjewels.core.clock`, so a
run that crosses midnight UTC never sees "today" change between a test and the service it calls
(four agreements tests once failed that way). The clock still moves, so expiry and ordering
behave as in production; `pin()` puts it back after a test that set its own."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as time_of_day

from crownjewels.core import clock

#: midday of the process's first day: twelve hours from either midnight
START = datetime.combine(datetime.now(UTC).date(), time_of_day(12), tzinfo=UTC)
_ORIGIN = time.monotonic()


def pinned_now() -> datetime:
    """START plus the time this process has run."""
    return START + timedelta(seconds=time.monotonic() - _ORIGIN)


def pin() -> None:
    """Set the application clock to the tests' clock (after a test pinned its own moment)."""
    clock.set_clock(pinned_now)
