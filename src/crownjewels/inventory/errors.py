"""Register errors."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class SecretNotFound(NotFound):
    """No visible secret with that id, reference or name."""


class DuplicateSecret(Conflict):
    """Another secret already has that name."""


class StaleSecret(Conflict):
    """Someone changed the secret since it was read."""


class BadStatusChange(Invalid):
    """A status change the lifecycle does not allow."""
