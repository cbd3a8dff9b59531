"""A capability's tests on their own: the receivers registry.py installed (the incidents
capability's) taken out for the test and put back after it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import crownjewels.registry  # noqa: F401 - installs the receivers taken out here
from crownjewels.core.receivers import Receivers


@contextmanager
def taken_out(receivers: Receivers[Any]) -> Iterator[None]:
    """No receiver during the block: what the capability does when nothing opens cases."""
    installed = receivers.installed()
    for name, _ in installed:
        receivers.unregister(name)
    try:
        yield
    finally:
        for name, found in installed:
            receivers.register(name, found)
