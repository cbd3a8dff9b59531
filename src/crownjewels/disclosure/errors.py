"""Errors of registered copies."""

from __future__ import annotations

from crownjewels.core.errors import Invalid, NotFound


class CopyNotFound(NotFound):
    """No registered copy with that id among those the actor may see."""


class NoRecipient(Invalid):
    """The copy has no recipient: the actor has no person record and named nobody."""


class NotInPortal(NotFound):
    """Not among the portal user's own grants (a grant, secret or document of someone else)."""
