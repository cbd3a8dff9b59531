"""What goes wrong in the report channel, in words: a report or approval not there (or not
the actor's to see), a move its state does not allow."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, NotFound


class ReportNotFound(NotFound):
    """No report by that reference, or one the actor may not see (never which)."""


class ApprovalNotFound(NotFound):
    """No approval by that reference, or one the actor may not see."""


class ReportConflict(Conflict):
    """A change the report's state does not allow (acknowledged twice, a case opened twice)."""
