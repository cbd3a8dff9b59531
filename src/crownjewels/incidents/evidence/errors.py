"""What goes wrong with a case's evidence, in words: an item that is not there, a hand-over
from someone who does not hold the item."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, NotFound


class EvidenceNotFound(NotFound):
    """The case has no evidence item of that reference."""


class NotCustodian(Conflict):
    """A hand-over from someone other than the item's current custodian."""
