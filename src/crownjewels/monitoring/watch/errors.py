"""What the departure watch and the log reviews refuse."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, NotFound


class WatchNotFound(NotFound):
    """No such departure watch."""


class ReviewNotFound(NotFound):
    """No such log review."""


class ReviewDecided(Conflict):
    """The review is already signed off or carries a concern."""
