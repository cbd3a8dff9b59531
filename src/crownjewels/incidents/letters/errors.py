"""Errors of the letters, each saying what is wrong and what to do."""

from __future__ import annotations

from crownjewels.core.errors import Invalid, NotFound


class LetterNotFound(NotFound):
    """No letter template with that key."""


class LetterFieldMissing(Invalid):
    """The letter needs a fact its context does not give; `field` names it (recipient.email)."""


class WrongRegime(Invalid):
    """A regulator notice asked for with the facts of another regime."""
