"""What goes wrong with a case's letters and legal steps, in words: a recipient or an agreement
the case does not concern, a letter asked for without a part it cannot do without."""

from __future__ import annotations

from crownjewels.core.errors import Invalid


class NotConcerned(Invalid):
    """A recipient or an agreement that is not among the case's subjects."""


class LetterNeeds(Invalid):
    """A letter asked for without a part it cannot do without (its recipient, an agreement)."""
