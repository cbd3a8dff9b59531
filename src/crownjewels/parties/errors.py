"""Parties errors."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class OrganisationNotFound(NotFound):
    """No visible organisation with that id or name."""


class PersonNotFound(NotFound):
    """No visible person with that id or email."""


class UserNotFound(NotFound):
    """No user with that id or username."""


class TokenNotFound(NotFound):
    """No token with that id for this user."""


class DuplicateName(Conflict):
    """Another row already has that unique name or email."""


class BadTotp(Invalid):
    """A TOTP code that does not match."""
