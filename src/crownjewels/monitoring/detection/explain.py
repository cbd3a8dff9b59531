"""Plain words for findings, with the numbers: who, what, how many, when in the person's own
zone with its abbreviation, against what usual, and the departure if any."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from crownjewels.monitoring.detection import places
from crownjewels.monitoring.detection.types import Observation
from crownjewels.monitoring.schemas import Action

VERBS = {
    Action.LOGIN: "logged in to",
    Action.VIEW: "viewed",
    Action.DOWNLOAD: "downloaded",
    Action.UPLOAD: "uploaded",
    Action.COPY: "copied",
    Action.PRINT: "printed",
    Action.SHARE: "shared",
    Action.DELETE: "deleted",
    Action.CLONE: "cloned",
    Action.PUSH: "pushed",
    Action.FAILED_LOGIN: "failed to log in to",
    Action.DENIED: "was denied",
    Action.GRANT_CHANGE: "changed a grant",
    Action.EXPORT: "exported",
    Action.SIGNAL: "was named in a signal",
}

UNITS = {
    "documents": "documents",
    "events": "events",
    "bytes": "bytes",
    "secrets": "secrets",
    "moves": "downloads and copies",
    "new-documents": "documents never touched before",
}


def who(o: Observation) -> str:
    """The person's name, or the actor as the source named them."""
    return o.person.name if o.person is not None else f"unknown actor {o.actor!r}"


def number(value: float) -> str:
    """`3`, `2.5`."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def amount(value: float, measure: str) -> str:
    """`48 documents`, `1.2 GB`."""
    if measure == "bytes":
        return size(value)
    if measure == "moves":
        return f"{number(value)} downloads and copies"
    if measure == "new-documents":
        return f"{plural(value, 'documents')} never touched before"
    return plural(value, UNITS[measure])


def size(value: float) -> str:
    """Bytes as a person reads them: 512 bytes, 3.4 MB, 1.2 GB."""
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value:.0f} bytes"


def span(tz: ZoneInfo, first: float, last: float) -> str:
    """`between 02:10 and 02:24 IST`, `at 02:10 IST`, with dates when the days differ."""
    zone = places.abbreviation(tz, last)
    first_day, last_day = places.local_date(tz, first), places.local_date(tz, last)
    if first_day != last_day:
        return (
            f"between {first_day} {places.clock(tz, first)} and "
            f"{last_day} {places.clock(tz, last)} {zone}"
        )
    start, end = places.clock(tz, first), places.clock(tz, last)
    if start == end:
        return f"on {last_day} at {end} {zone}"
    return f"on {last_day} between {start} and {end} {zone}"


def plural(count: float, word: str) -> str:
    """`1 document`, `3 documents`."""
    singular = count == 1 and word.endswith("s")
    return f"{number(count)} {word[:-1] if singular else word}"


def target(o: Observation) -> str:
    """`TS-0003`, or `an unclassified resource`."""
    return o.secret.ref if o.secret is not None else "an unclassified resource"


def of_secret(o: Observation) -> str:
    """`of TS-0003`, or `of an unclassified resource`."""
    return f"of {o.secret.ref}" if o.secret is not None else "of unclassified resources"


def departure(o: Observation) -> str:
    """`; notice of departure given on 2026-11-28, last day 2026-12-15`, or nothing."""
    person = o.person
    if person is None or (person.notice_on is None and person.last_day is None):
        return ""
    parts = []
    if person.notice_on is not None:
        parts.append(f"notice of departure given on {person.notice_on.isoformat()}")
    if person.last_day is not None:
        parts.append(f"last day {person.last_day.isoformat()}")
    return "; " + ", ".join(parts)


def usual(measure: str, own: tuple[float, float] | None, peers: tuple[float, float] | None) -> str:
    """`their daily median is 2 documents (MAD 1), their peers' 3`."""
    parts = []
    if own is not None:
        parts.append(f"their daily median is {amount(own[0], measure)} (MAD {number(own[1])})")
    else:
        parts.append("they have too little history of their own")
    if peers is not None:
        parts.append(f"their peers' {amount(peers[0], measure)}")
    return ", ".join(parts)
