"""Errors of leak detection, each saying what is wrong and what to do."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class Unreadable(Invalid):
    """A file or target that cannot be read (its type, its size, its structure)."""


class TargetRefused(Invalid):
    """A scan target or a feed out of bounds: too large, too slow, not a repository, not
    reachable, on a private address."""


class TokenNotFound(NotFound):
    """No canary token with that reference."""


class ScanNotFound(NotFound):
    """No scan, match or watch with that reference."""


class FeedNotFound(NotFound):
    """No feed or review item with that reference."""


class AlreadyReviewed(Conflict):
    """A match or an item already reviewed by someone else."""
