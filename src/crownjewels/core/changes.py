"""Before/after diffs for custody events of updates."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic_core import to_jsonable_python


def apply_changes(row: Any, changes: BaseModel) -> dict[str, dict[str, Any]]:
    """Set the fields the update names on `row`; return {"before": {...}, "after": {...}} of
    the fields whose value actually changed."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in changes.model_dump(exclude_unset=True).items():
        old = getattr(row, name)
        if old != value:
            before[name] = to_jsonable_python(old)
            after[name] = to_jsonable_python(value)
            setattr(row, name, value)
    return {"before": before, "after": after}
