"""Leak detection's tests share one fixture: leaks on its own, the incidents capability's
receiver of findings taken out for the test (it is installed by registry.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import crownjewels.registry  # noqa: F401 - the receivers this fixture takes out and puts back
from crownjewels.leaks import escalation


@pytest.fixture
def alone() -> Iterator[None]:
    """No receiver of findings during the test: what leaks does when nothing opens cases."""
    installed = escalation.receivers()
    for name, _ in installed:
        escalation.unregister(name)
    yield
    for name, found in installed:
        escalation.register(name, found)
