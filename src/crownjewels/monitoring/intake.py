"""Reading a batch of activity in the documented format: each line parsed and checked on its
own, a bad one named with its number and a plain reason, the good ones mapped to rows of
activity_event (person, organisation, secret) ready for `storage.store`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from crownjewels.monitoring.mapping import Mapping
from crownjewels.monitoring.schemas import EXTERNAL_ACTIONS, ActivityIn, Rejected

#: the most events one batch may hold (the API answers 413 beyond it)
MAX_BATCH = 10_000
#: the documented fields, in the order the format lists them
FIELDS = ("time", "actor", "action", "resource", "bytes", "ip", "country", "device", "source")
_TEXT_FIELDS = ("actor", "resource", "ip", "country", "device", "source")
_ACTIONS = ", ".join(sorted(a.value for a in EXTERNAL_ACTIONS))

Line = str | bytes | dict[str, Any]


class BatchTooLarge(ValueError):
    """More lines than one batch may hold."""

    def __init__(self, count: int) -> None:
        super().__init__(
            f"a batch holds at most {MAX_BATCH:,} events and this one has {count:,} or more; "
            "split it into several batches (each is kept or refused on its own)"
        )
        self.count = count


@dataclass
class Parsed:
    """A batch read: the good events with their line numbers, and the rejected lines."""

    events: list[tuple[int, ActivityIn]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)


def _field_reason(error: dict[str, Any]) -> str:
    """One pydantic error in plain words, naming the field and the fix."""
    loc = ".".join(str(p) for p in error.get("loc", ())) or "the event"
    kind = error.get("type", "")
    value = error.get("input")
    if kind == "missing":
        return f"{loc} is missing; every event needs time, actor, action and resource"
    if kind == "extra_forbidden":
        return f"{loc} is not a field of the format (fields: {', '.join(FIELDS)})"
    if loc == "action":
        return f"action {value!r} is not one of {_ACTIONS}"
    if loc == "time":
        return (
            f"time {value!r} is not a date and time with its zone; write it like "
            "2026-12-01T03:12:00Z"
        )
    if loc == "bytes":
        return f"bytes {value!r} is not a whole number of bytes (0 or more)"
    if loc == "country":
        return f"country {value!r} is not a two-letter country code such as IN or DE"
    if kind in ("string_too_short", "string_too_long"):
        limit = (error.get("ctx") or {}).get(
            "max_length" if kind.endswith("long") else "min_length"
        )
        size = "long" if kind.endswith("long") else "short"
        return f"{loc} is too {size} (the limit is {limit} characters)"
    if kind in ("string_type", "int_type", "int_parsing"):
        return f"{loc} has the wrong type ({type(value).__name__}); see the format's fields"
    return f"{loc}: {error.get('msg', 'not valid')}"


def _reason(exc: ValidationError) -> str:
    return "; ".join(_field_reason(dict(e)) for e in exc.errors())


def _object(number: int, line: Line) -> dict[str, Any] | Rejected:
    if isinstance(line, dict):
        return line
    raw = line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        return Rejected(
            line=number,
            reason=f"not JSON ({exc.msg} at column {exc.colno}); each line must be one JSON object",
        )
    if not isinstance(value, dict):
        found = "a list" if isinstance(value, list) else f"a {type(value).__name__}"
        return Rejected(line=number, reason=f"a JSON object is expected here, not {found}")
    return value


def _checked(number: int, line: Line) -> ActivityIn | Rejected:
    """One line as an event, or why not. A text line is parsed and checked in one step by
    pydantic's own JSON parser; a line it refuses is read again to say why in plain words."""
    if not isinstance(line, dict):
        try:
            return ActivityIn.model_validate_json(line)
        except ValidationError:
            pass  # read again below, for the reason
    obj = _object(number, line)
    if isinstance(obj, Rejected):
        return obj
    try:
        return ActivityIn.model_validate(obj)
    except ValidationError as exc:
        return Rejected(line=number, reason=_reason(exc))


def numbered(lines: Iterable[Line]) -> Iterator[tuple[int, Line]]:
    """Lines with their 1-based numbers, blank text lines skipped (their numbers kept), at most
    MAX_BATCH non-blank ones (BatchTooLarge beyond)."""
    count = 0
    for number, line in enumerate(lines, start=1):
        if isinstance(line, str | bytes) and not line.strip():
            continue
        count += 1
        if count > MAX_BATCH:
            raise BatchTooLarge(count)
        yield number, line


def parse(lines: Iterable[Line]) -> Parsed:
    """Check every line; BatchTooLarge past MAX_BATCH events."""
    parsed = Parsed()
    for number, line in numbered(lines):
        checked = _checked(number, line)
        if isinstance(checked, Rejected):
            parsed.rejected.append(checked)
            continue
        event = checked
        nul = next((f for f in _TEXT_FIELDS if "\x00" in (getattr(event, f) or "")), None)
        if nul is not None:
            parsed.rejected.append(
                Rejected(line=number, reason=f"{nul} holds a NUL character, which no text may")
            )
            continue
        if event.action not in EXTERNAL_ACTIONS:
            parsed.rejected.append(
                Rejected(
                    line=number,
                    reason=f"action {event.action.value!r} is Crown Jewels' own; other systems "
                    f"send one of {_ACTIONS}",
                )
            )
            continue
        parsed.events.append((number, event))
    return parsed


def to_row(
    event: ActivityIn, mapping: Mapping, *, channel: str, received_at: datetime
) -> dict[str, Any]:
    """An event as a row of activity_event, mapped to its person and secret."""
    who = mapping.people.of(event.actor)
    return {
        "occurred_at": event.time,
        "received_at": received_at,
        "actor": event.actor,
        "person_id": who.person_id if who else None,
        "organisation_id": who.organisation_id if who else None,
        "action": event.action.value,
        "resource": event.resource,
        "secret_id": mapping.locations.secret_of(event.resource),
        "document_id": None,
        "bytes": event.bytes,
        "ip": event.ip,
        "country": event.country.upper() if event.country else None,
        "device": event.device,
        "source": event.source,
        "channel": channel,
        "custody_seq": None,
        "details": {},
    }
