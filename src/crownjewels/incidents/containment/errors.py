"""What a containment refuses, in words: a plan that changed since its preview, nothing to
contain, nothing to reverse."""

from __future__ import annotations

from crownjewels.core.errors import Conflict


class PlanChanged(Conflict):
    """The plan is not the one previewed (or an item changed while the run made it): nothing
    was changed; preview again."""


class NothingToContain(Conflict):
    """Every change of the plan is already so, held back or left out."""


class NothingToReverse(Conflict):
    """The case has no containment that was not reversed."""
