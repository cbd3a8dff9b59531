"""Access errors: each names the problem and the fix."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Forbidden, Invalid, NotFound


class GrantNotFound(NotFound):
    """No grant with that reference is visible to the actor."""


class InvalidGrant(Invalid):
    """A grant request that cannot be recorded (no purpose, no expiry, beyond the maximum …)."""


class GrantConflict(Conflict):
    """A grant that cannot move to the asked status from where it is."""


class AccessDenied(Forbidden):
    """The policies deny the request; the message names every failed rule."""

    def __init__(self, message: str, *, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons
