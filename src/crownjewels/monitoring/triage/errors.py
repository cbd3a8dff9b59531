"""Triage's errors: an alert nobody may see or that does not exist, a move its status forbids."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class AlertNotFound(NotFound):
    """No such alert, or one the actor may not see (the same answer: its existence stays
    hidden)."""


class AlertConflict(Conflict):
    """The alert's status does not allow the action (dismissing a dismissed alert …)."""


class InvalidTriage(Invalid):
    """A triage action with missing or bad input (a dismissal without a reason …)."""
