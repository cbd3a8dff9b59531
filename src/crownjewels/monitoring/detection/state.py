"""What the engine remembers per subject, and how it is saved (`to_dict`/`from_dict`, plain
JSON): a person's (or unknown actor's) day so far and their past days, what they have been seen
with, sliding windows; a peer group's person-days; an organisation's days.

Baselines are windows of daily values (active days only: a day off says nothing about a
working day) whose median and MAD are recomputed when a day closes, not per event."""

from __future__ import annotations

import base64
import math
import zlib
from collections import deque
from typing import Any

from crownjewels.monitoring.stats import median_mad

MEASURES = ("events", "documents", "bytes", "secrets", "moves", "new-documents")
#: the attribute of a `Day` holding each measure
MEASURE_ATTRIBUTES = {
    "events": "events",
    "documents": "ndocs",
    "bytes": "bytes",
    "secrets": "nsecrets",
    "moves": "moves",
    "new-documents": "fresh",
}
#: event ids kept per day or window as an alert's evidence
EVIDENCE = 200
#: values remembered per kind of novelty (countries, networks, devices)
SEEN_CAP = 500


class Day:
    """One subject's figures for the day so far."""

    __slots__ = (
        "bytes",
        "docs",
        "events",
        "first",
        "fresh",
        "ids",
        "last",
        "moves",
        "ndocs",
        "nsecrets",
        "secrets",
    )

    def __init__(self) -> None:
        self.events = 0
        #: len(docs) and len(secrets), kept so a rule reads a measure as an attribute
        self.ndocs = 0
        self.nsecrets = 0
        #: documents touched for the first time (as far as the subject's memory goes)
        self.fresh = 0
        self.bytes = 0
        self.moves = 0
        self.docs: set[str] = set()
        self.secrets: set[str] = set()
        self.first = 0.0
        self.last = 0.0
        self.ids: list[int] = []

    def add(
        self,
        epoch: float,
        doc: str,
        secret: str,
        nbytes: int,
        move: bool,
        event_id: int,
        fresh: bool = False,
    ) -> None:
        if fresh:
            self.fresh += 1
        if not self.events:
            self.first = epoch
        self.events += 1
        self.last = epoch
        self.bytes += nbytes
        if move:
            self.moves += 1
        docs = self.docs
        docs.add(doc)
        self.ndocs = len(docs)
        if secret:
            secrets = self.secrets
            secrets.add(secret)
            self.nsecrets = len(secrets)
        if len(self.ids) < EVIDENCE:
            self.ids.append(event_id)

    def value(self, measure: str) -> float:
        return getattr(self, MEASURE_ATTRIBUTES[measure])  # type: ignore[no-any-return]

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "bytes": self.bytes,
            "moves": self.moves,
            "fresh": self.fresh,
            "docs": sorted(self.docs),
            "secrets": sorted(self.secrets),
            "first": self.first,
            "last": self.last,
            "ids": self.ids,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Day:
        day = cls()
        day.events, day.bytes, day.moves = data["events"], data["bytes"], data["moves"]
        day.fresh = data["fresh"]
        day.docs, day.secrets = set(data["docs"]), set(data["secrets"])
        day.ndocs, day.nsecrets = len(day.docs), len(day.secrets)
        day.first, day.last, day.ids = data["first"], data["last"], list(data["ids"])
        return day


class Bloom:
    """Which documents a person has touched: a Bloom filter of fixed size (8 KiB, two bit
    positions from one CRC-32: under 1 % false "seen before" at 3,000 documents), so that a
    person's state stays small however much they read. A false "seen" only hides a first
    touch, never invents one.

    Saved as base64 of its zlib-compressed bits: compressed fast (level 1: a tenth of the
    default level's time for a third more bytes, and a scorer saves every person of every
    batch), and not again while no bit changed."""

    __slots__ = ("_text", "bits")

    def __init__(self, bits: bytearray | None = None, text: str | None = None) -> None:
        self.bits = bits if bits is not None else bytearray(8192)
        #: the saved form of the bits as they are (None: changed since)
        self._text = text

    def add(self, key: str) -> bool:
        """Remember `key`; whether it was new."""
        h = zlib.crc32(key.encode())
        bits = self.bits
        low, high = h & 0xFFFF, h >> 16
        a, b = low >> 3, high >> 3
        ma, mb = 1 << (low & 7), 1 << (high & 7)
        if bits[a] & ma and bits[b] & mb:
            return False
        bits[a] |= ma
        bits[b] |= mb
        self._text = None
        return True

    def to_text(self) -> str:
        text = self._text
        if text is None:
            text = self._text = base64.b64encode(zlib.compress(bytes(self.bits), 1)).decode()
        return text

    @classmethod
    def from_text(cls, text: str) -> Bloom:
        return cls(bytearray(zlib.decompress(base64.b64decode(text))), text)


class Tally:
    """What one rule counted for a subject today: events, their span, distinct keys."""

    __slots__ = ("count", "fired", "first", "ids", "keys", "last", "next")

    def __init__(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0
        self.ids: list[int] = []
        self.keys: set[str] = set()
        #: the value at which the rule last fired (it fires again at twice that)
        self.fired = 0.0
        #: below this value today the rule cannot fire (its thresholds solved once a day)
        self.next = 0.0

    def add(self, epoch: float, event_id: int, key: str | None = None) -> None:
        if not self.count:
            self.first = epoch
        self.count += 1
        self.last = epoch
        if len(self.ids) < EVIDENCE:
            self.ids.append(event_id)
        if key is not None:
            self.keys.add(key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "first": self.first,
            "last": self.last,
            "ids": self.ids,
            "keys": sorted(self.keys),
            "fired": self.fired,
            "next": self.next if self.next != math.inf else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tally:
        tally = cls()
        tally.count, tally.first, tally.last = data["count"], data["first"], data["last"]
        tally.ids, tally.keys, tally.fired = list(data["ids"]), set(data["keys"]), data["fired"]
        tally.next = math.inf if data.get("next", 0.0) is None else data.get("next", 0.0)
        return tally


class Window:
    """A sliding window of events (time, key, bytes, event id) with its distinct keys."""

    __slots__ = ("bytes", "fired", "items", "keys")

    def __init__(self) -> None:
        self.items: deque[tuple[float, str, int, int]] = deque()
        self.keys: dict[str, int] = {}
        self.bytes = 0
        self.fired = 0.0

    def add(self, epoch: float, key: str, nbytes: int, event_id: int, span: float) -> None:
        items, keys = self.items, self.keys
        horizon = epoch - span
        while items and items[0][0] < horizon:
            _, old, old_bytes, _ = items.popleft()
            self.bytes -= old_bytes
            left = keys[old] - 1
            if left:
                keys[old] = left
            else:
                del keys[old]
        if not items:
            self.fired = 0.0
        items.append((epoch, key, nbytes, event_id))
        keys[key] = keys.get(key, 0) + 1
        self.bytes += nbytes

    def to_dict(self) -> dict[str, Any]:
        return {"items": [list(item) for item in self.items], "fired": self.fired}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Window:
        window = cls()
        for epoch, key, nbytes, event_id in data["items"]:
            window.items.append((epoch, key, nbytes, event_id))
            window.keys[key] = window.keys.get(key, 0) + 1
            window.bytes += nbytes
        window.fired = data["fired"]
        return window


class History:
    """A rolling window of daily values per measure; their median and MAD are computed when
    first asked after a day closed (most days no rule needs them)."""

    __slots__ = ("_stats", "days", "values")

    def __init__(self, size: int) -> None:
        self.values: dict[str, deque[float]] = {m: deque(maxlen=size) for m in MEASURES}
        self._stats: dict[str, tuple[float, float]] = {}
        #: active days seen in all (not only those still in the window)
        self.days = 0

    def close(self, day: Day) -> None:
        """Add a finished day."""
        self.days += 1
        for measure in MEASURES:
            self.values[measure].append(day.value(measure))
        self._stats = {}

    def stats(self, measure: str) -> tuple[float, float]:
        """The median and MAD of the window's values."""
        found = self._stats.get(measure)
        if found is None:
            found = self._stats[measure] = median_mad(self.values[measure])
        return found

    def to_dict(self) -> dict[str, Any]:
        return {"values": {m: list(v) for m, v in self.values.items()}, "days": self.days}

    def load(self, data: dict[str, Any]) -> None:
        self.days = data["days"]
        for measure, values in data["values"].items():
            if measure in self.values:
                self.values[measure].extend(values)
        self._stats = {}


class PersonState:
    """A person's (or an unknown actor's) memory."""

    __slots__ = (
        "cusum",
        "day",
        "docs_seen",
        "events",
        "fresh",
        "group",
        "group_of",
        "habits",
        "heightened_from",
        "history",
        "ip",
        "last_country",
        "last_epoch",
        "network",
        "notable",
        "org",
        "secrets",
        "seen",
        "tallies",
        "today",
        "tz",
        "tz_hour",
        "tz_of",
        "tz_offset",
        "windows",
    )

    def __init__(self, window_days: int) -> None:
        #: the local day number (days since 1970-01-01 in the person's zone); -1: none yet
        self.day = -1
        self.today = Day()
        self.history = History(window_days)
        self.events = 0
        self.docs_seen = Bloom()
        self.seen: dict[str, dict[str, int]] = {"country": {}, "network": {}, "device": {}}
        #: countries, networks and devices first seen today (still new until the day ends)
        self.fresh: dict[str, set[str]] = {}
        self.secrets: set[str] = set()
        self.last_country: str | None = None
        self.last_epoch = 0.0
        self.tallies: dict[str, Tally] = {}
        self.windows: dict[str, Window] = {}
        #: per rule: 1/0 per active day (e.g. worked off-hours that day)
        self.habits: dict[str, deque[int]] = {}
        self.cusum: dict[str, float] = {}
        #: the zone offset cached for one UTC hour (not saved)
        self.tz_hour = -1
        self.tz_offset = 0
        #: caches (not saved): the zone and whose facts it came from, the peer group and
        #: organisation and the (organisation, role) they were bound for
        self.ip: str | None = None
        self.network: str | None = None
        self.tz: Any = None
        self.tz_of: Any = None
        self.group: GroupState | None = None
        self.org: OrgState | None = None
        self.group_of: tuple[str, str] | None = None
        #: the local day from which the person is under heightened thresholds (a cache of
        #: their facts, bound with the zone: -inf always, inf never)
        self.heightened_from = math.inf
        #: unknown, outside staff, or leaving (the rare rules judge their events): bound too
        self.notable = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "today": self.today.to_dict(),
            "history": self.history.to_dict(),
            "events": self.events,
            "docs_seen": self.docs_seen.to_text(),
            "seen": self.seen,
            "fresh": {k: sorted(v) for k, v in self.fresh.items()},
            "secrets": sorted(self.secrets),
            "last_country": self.last_country,
            "last_epoch": self.last_epoch,
            "tallies": {k: v.to_dict() for k, v in self.tallies.items()},
            "windows": {k: v.to_dict() for k, v in self.windows.items()},
            "habits": {k: list(v) for k, v in self.habits.items()},
            "cusum": self.cusum,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], window_days: int) -> PersonState:
        state = cls(window_days)
        state.day = data["day"]
        state.today = Day.from_dict(data["today"])
        state.history.load(data["history"])
        state.events = data["events"]
        state.docs_seen = Bloom.from_text(data["docs_seen"])
        state.seen = {k: dict(v) for k, v in data["seen"].items()}
        state.fresh = {k: set(v) for k, v in data["fresh"].items()}
        state.secrets = set(data["secrets"])
        state.last_country, state.last_epoch = data["last_country"], data["last_epoch"]
        state.tallies = {k: Tally.from_dict(v) for k, v in data["tallies"].items()}
        state.windows = {k: Window.from_dict(v) for k, v in data["windows"].items()}
        state.habits = {k: deque(v, maxlen=window_days) for k, v in data["habits"].items()}
        state.cusum = dict(data["cusum"])
        return state


class GroupState:
    """A peer group's (organisation + role) person-days, and who in it uses which secret."""

    __slots__ = ("_stats", "pending", "users", "values")

    def __init__(self, size: int) -> None:
        self.values: dict[str, deque[float]] = {m: deque(maxlen=size) for m in MEASURES}
        self._stats: dict[str, tuple[float, float]] = {}
        #: person-days added since the figures were computed
        self.pending = 0
        self.users: dict[str, list[str]] = {}

    def close(self, day: Day) -> None:
        for measure in MEASURES:
            self.values[measure].append(day.value(measure))
        self.pending += 1
        # the median of hundreds of values per person-day would dominate the cost; the
        # figures move slowly, so they are recomputed after a few percent of new days
        if self.pending * 20 >= len(self.values["events"]) or self.pending >= 50:
            self.pending = 0
            self._stats = {}

    def stats(self, measure: str) -> tuple[float, float]:
        """The median and MAD of the group's recent person-days."""
        found = self._stats.get(measure)
        if found is None:
            found = self._stats[measure] = median_mad(self.values[measure])
        return found

    @property
    def days(self) -> int:
        return len(self.values["events"])

    def to_dict(self) -> dict[str, Any]:
        return {"values": {m: list(v) for m, v in self.values.items()}, "users": self.users}

    @classmethod
    def from_dict(cls, data: dict[str, Any], size: int) -> GroupState:
        state = cls(size)
        for measure, values in data["values"].items():
            if measure in state.values:
                state.values[measure].extend(values)
        state.users = {k: list(v) for k, v in data["users"].items()}
        return state


class OrgState:
    """An organisation's UTC days."""

    __slots__ = ("day", "history", "tallies", "today")

    def __init__(self, window_days: int) -> None:
        self.day = -1
        self.today = Day()
        self.history = History(window_days)
        self.tallies: dict[str, Tally] = {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "today": self.today.to_dict(),
            "history": self.history.to_dict(),
            "tallies": {k: v.to_dict() for k, v in self.tallies.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], window_days: int) -> OrgState:
        state = cls(window_days)
        state.day = data["day"]
        state.today = Day.from_dict(data["today"])
        state.history.load(data["history"])
        state.tallies = {k: Tally.from_dict(v) for k, v in data["tallies"].items()}
        return state
