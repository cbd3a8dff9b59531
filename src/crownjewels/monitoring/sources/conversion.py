"""What an adapter makes of a source: the events in monitoring's format, each with where it
came from, the records it could not read (numbered, in plain words) and the records it
skipped on purpose because they are not activity on a file or a login."""

from __future__ import annotations

import ipaddress
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from crownjewels.monitoring.schemas import EXTERNAL_ACTIONS, Action, ActivityIn, Rejected


@dataclass
class Conversion:
    """The events read from one source file or one batch of syslog lines."""

    #: how a position is named in messages: "line", "record" or "row"
    unit: str = "line"
    events: list[ActivityIn] = field(default_factory=list)
    #: the position (1-based) each event came from, parallel to `events`
    origins: list[int] = field(default_factory=list)
    problems: list[Rejected] = field(default_factory=list)
    #: operations read but not activity monitoring scores (ListBuckets: 3)
    skipped: Counter[str] = field(default_factory=Counter)

    def add(self, data: dict[str, Any], *, at: int) -> None:
        """Keep one event, or name the problem if it is not a valid event."""
        try:
            event = ActivityIn.model_validate(data)
        except ValidationError as exc:
            self.reject(at, plain_errors(exc))
            return
        self.events.append(event)
        self.origins.append(at)

    def reject(self, at: int, reason: str) -> None:
        """A record that could not be read."""
        self.problems.append(Rejected(line=at, reason=reason))

    def skip(self, what: str) -> None:
        """A record read and left out on purpose (not a file access or a login)."""
        self.skipped[what] += 1

    def lines(self) -> Iterator[str]:
        """The events as JSON lines in the documented format."""
        for event in self.events:
            yield to_json_line(event)

    def where(self, at: int) -> str:
        """A position as people read it: 'record 3', 'line 12'."""
        return f"{self.unit} {at}"

    def summary(self) -> str:
        """One line: how many events, problems and skipped records."""
        parts = [f"{len(self.events)} event(s)"]
        if self.problems:
            parts.append(f"{len(self.problems)} {self.unit}(s) not readable")
        if self.skipped:
            top = ", ".join(f"{name} {n}" for name, n in self.skipped.most_common(5))
            more = "" if len(self.skipped) <= 5 else ", …"
            parts.append(f"{sum(self.skipped.values())} skipped ({top}{more})")
        return "; ".join(parts)


def to_json_line(event: ActivityIn) -> str:
    """One event as a JSON line, without the fields it does not have."""
    return json.dumps(event.model_dump(mode="json", exclude_none=True), ensure_ascii=False)


def plain_errors(exc: ValidationError) -> str:
    """A pydantic error in words: the field and what is wrong with it."""
    parts = []
    for error in exc.errors():
        name = ".".join(str(p) for p in error["loc"]) or "event"
        message = str(error["msg"])
        if error["type"] == "missing":
            message = "missing"
        elif error["type"] == "enum":
            message = "not one of " + ", ".join(a.value for a in Action if a in EXTERNAL_ACTIONS)
        elif error["type"] == "timezone_aware":
            message = "has no time zone; give one (e.g. 2026-12-01T03:12:00Z)"
        parts.append(f"{name}: {message}")
    return "; ".join(parts)


def ip_or_none(value: object) -> str | None:
    """An IP address as text, without a port or IPv6 brackets; None when not an address
    (CloudTrail writes 'AWS Internal' or a service name for calls made by AWS itself)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _address(value.strip())


@lru_cache(maxsize=65_536)  # a log repeats its few addresses; parsing one costs microseconds
def _address(text: str) -> str | None:
    candidates = [text]
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        candidates.insert(0, text[1 : text.index("]")])
    elif text.count(":") == 1:  # 203.0.113.5:51234
        candidates.insert(0, text.split(":", 1)[0])
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(address)
    return None


def utc(moment: datetime) -> datetime:
    """A datetime in UTC; a naive one is taken as UTC (the sources write UTC without a zone)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def nonempty(values: Iterable[object]) -> str | None:
    """The first value that is a non-empty string."""
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None
