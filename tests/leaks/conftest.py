"""Leak detection's tests share one fixture: leaks on its own, the incidents capability's
receiver of findings taken out for the test (it is installed by registry.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from crownjewels.leaks import escalation
from tests.receivers import taken_out


@pytest.fixture
def alone() -> Iterator[None]:
    """No receiver of findings during the test: what leaks does when nothing opens cases."""
    with taken_out(escalation.RECEIVERS):
        yield
