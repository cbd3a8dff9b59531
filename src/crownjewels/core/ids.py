"""Sortable identifiers (ULID): time-ordered, so inserts stay local and ids sort by creation."""

from __future__ import annotations

from ulid import ULID


def new_id() -> str:
    """A new 26-character ULID string."""
    return str(ULID())
