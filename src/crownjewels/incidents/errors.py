"""What goes wrong with a case, in words: not found, a move that is not allowed, a task or a
member that is not there."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class CaseNotFound(NotFound):
    """No case by that reference (or the actor may not see it)."""


class TaskNotFound(NotFound):
    """The case has no task of that number."""


class BadMove(Conflict):
    """A status change the case's flow does not allow (backwards, from a closed case, or a
    close without its review)."""


class CaseClosed(Conflict):
    """The case is closed or dismissed: it takes no more changes."""


class BadSubject(Invalid):
    """A subject typed that names nothing, or nothing of a kind a case may concern."""
