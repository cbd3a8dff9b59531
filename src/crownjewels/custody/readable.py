"""One custody event as a person reads it: the fields that changed, in words, old -> new,
with ids shown as the names and refs they stand for (the raw JSON stays in the API and in a
collapsed block of the page)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import exports
from crownjewels.custody import labels
from crownjewels.custody.labels import Label
from crownjewels.custody.schemas import EventRead
from crownjewels.custody.words import spelled

#: id fields whose last word is not the kind of subject they name
_ALIASES = {"owner": "person", "requester": "person", "approver": "person"}


@dataclass(frozen=True)
class Row:
    """One field of an event: its words, its code, and its values before and after."""

    words: str
    code: str
    before: str | None
    after: str | None


@dataclass(frozen=True)
class EventView:
    """What the event page shows below the event's header."""

    changes: list[Row]
    details: list[Row]
    labels: Mapping[str, Label]


def _kind(field: str) -> str | None:
    """The kind of subject an `x_id` field names (owner_id -> person), if any."""
    if not field.endswith("_id"):
        return None
    last = field.removesuffix("_id").rsplit("_", 1)[-1]
    return _ALIASES.get(last, last)


def _keys(field: str, value: Any) -> Iterable[str]:
    """Refs a value may stand for: `type:id` strings, and ids of an `x_id` field."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _keys(k, v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(field, v)
    elif isinstance(value, str):
        if ":" in value and " " not in value and field != "rule":
            yield value
        kind = _kind(field)
        if kind:
            yield f"{kind}:{value}"


def _show(field: str, value: Any, found: Mapping[str, Label]) -> str:
    """A value as words: names for ids, "yes"/"no", lists joined, mappings as "a: b"."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict) and {"rule", "message"} <= value.keys():
        return str(value["message"])  # a policy's reason: its sentence (the id is in the JSON)
    if isinstance(value, dict):
        return "; ".join(f"{spelled(k)}: {_show(k, v, found)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_show(field, v, found) for v in value)
    text = str(value)
    label = found.get(text) or found.get(f"{_kind(field)}:{text}")
    return label.text if label else text


def _bare_id(field: str, value: Any, found: Mapping[str, Label]) -> bool:
    """An id nothing labels (a location's, a row's): it means nothing to a person."""
    return (
        field.endswith("_id") and isinstance(value, str) and f"{_kind(field)}:{value}" not in found
    )


def _rows(fields: Iterable[str], before: Any, after: Any, found: Mapping[str, Label]) -> list[Row]:
    out: list[Row] = []
    for field in fields:
        if any(_bare_id(field, side.get(field), found) for side in (before, after)):
            continue  # left to the JSON
        old = _show(field, before[field], found) if field in before else None
        new = _show(field, after[field], found) if field in after else None
        words = spelled(field.removesuffix("_id"))  # owner_id names the owner: "Owner"
        out.append(Row(words=words, code=field, before=old, after=new))
    return out


def view(session: Session, event: EventRead) -> EventView:
    """The event's changes and other details in words, ids named (one lookup per kind)."""
    details = event.details
    before, after = details.get("before"), details.get("after")
    snapshot = isinstance(before, dict) or isinstance(after, dict)
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    others = {k: v for k, v in details.items() if not (snapshot and k in ("before", "after"))}
    keys = {event.actor, f"{event.subject_type}:{event.subject_id}"}
    keys.update(_keys("", details))
    found = labels.refs(session, keys)
    changed = sorted({*before, *after})
    return EventView(
        changes=_rows(changed, before, after, found),
        details=_rows(others, {}, others, found),
        labels=found,
    )


#: the columns of the log as CSV: words for people first, the exact refs for machines last
LOG_COLUMNS = (
    "seq", "recorded_at", "event", "subject", "actor", "event_type", "subject_ref", "actor_ref",
    "hash",
)  # fmt: skip


def log_csv(session: Session, events: Sequence[EventRead]) -> str:
    """Events as CSV: the event in words, the subject and actor named (one lookup per kind),
    then the type code, `type:id` and actor ref a machine joins on."""
    keys = [e.actor for e in events] + [f"{e.subject_type}:{e.subject_id}" for e in events]
    found = labels.refs(session, keys)

    def named(key: str) -> str:
        label = found.get(key)
        if label is None:
            return key
        return f"{label.text} ({label.short})" if label.short not in label.text else label.text

    rows = (
        {
            "seq": e.seq,
            "recorded_at": e.recorded_at.isoformat(),
            "event": e.title,
            "subject": named(f"{e.subject_type}:{e.subject_id}"),
            "actor": named(e.actor),
            "event_type": e.event_type,
            "subject_ref": f"{e.subject_type}:{e.subject_id}",
            "actor_ref": e.actor,
            "hash": e.hash,
        }
        for e in events
    )
    return exports.dicts_to_csv(LOG_COLUMNS, rows)
