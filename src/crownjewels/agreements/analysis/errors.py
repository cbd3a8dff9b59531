"""Errors of clause analysis: each names the problem and the fix (rendered by the adapters)."""

from __future__ import annotations

from crownjewels.core.errors import Invalid


class UnreadableDocument(Invalid):
    """The file cannot be turned into text: no text layer, an unsupported type, a corrupt file."""


class UnknownProfile(Invalid):
    """The jurisdiction or the kind of agreement is not one the requirement table knows."""
