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


class BatchRefused(Conflict):
    """A batch in which some items were refused: nothing of it was done; `items` names each
    refused item with its own reason."""

    def __init__(self, items: list[str], *, total: int) -> None:
        super().__init__(
            f"{len(items)} of {total} could not be done, so none was: " + "; ".join(items)
        )
        self.items = items
