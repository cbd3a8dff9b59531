"""The tests' clock: the same day for the whole run, whatever the wall clock says."""

from __future__ import annotations

from datetime import timedelta

from crownjewels.core import clock
from tests.pinned_clock import START


def test_every_test_reads_the_pinned_day_twelve_hours_from_midnight() -> None:
    now = clock.now()
    assert START <= now < START + timedelta(hours=11), now
    assert clock.today() == START.date()


def test_a_test_that_sets_its_own_moment_does_not_leave_it_behind() -> None:
    moment = START + timedelta(days=400)
    clock.set_clock(lambda: moment)
    assert clock.today() == moment.date()
    # no restore here: the autouse fixture puts the tests' clock back for the next test


def test_the_next_test_is_back_on_the_pinned_day() -> None:
    assert clock.today() == START.date()
