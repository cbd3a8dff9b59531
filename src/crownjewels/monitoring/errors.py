"""Monitoring errors: each names the problem and the fix."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class TooManyEvents(Invalid):
    """A batch beyond the most one may hold (the API answers 413)."""

    status_code = 413
    title = "Too many events"


class IdentityNotFound(NotFound):
    """No identity with that id."""


class IdentityTaken(Conflict):
    """The identity already names someone."""
