"""An event as the rules judge it (the observation with its subject's state, zone and local
day) and the shape of what they find: `finding` builds one with its grouping key, severity and
facts; small helpers put thresholds and spans into words."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from crownjewels.monitoring.detection import explain, places
from crownjewels.monitoring.detection.rules import Rule
from crownjewels.monitoring.detection.state import (
    EVIDENCE,
    GroupState,
    OrgState,
    PersonState,
    Tally,
)
from crownjewels.monitoring.detection.types import Finding, Observation
from crownjewels.monitoring.schemas import Severity
from crownjewels.monitoring.stats import MAD_SCALE

#: days from 0001-01-01 (date.toordinal's origin) to 1970-01-01
EPOCH_ORDINAL = 719163
#: peer person-days needed before peers are a baseline
PEER_DAYS = 20


class Event:
    """An observation with what judging it needs: its subject's state, peers, organisation,
    zone, instant, local instant and local day, tier, network, and whether thresholds are
    heightened (all worked out once by the engine, `Detector.observe`)."""

    __slots__ = (
        "day",
        "epoch",
        "group",
        "heightened",
        "local",
        "network",
        "o",
        "org",
        "st",
        "subject",
        "tier",
        "tz",
    )

    def __init__(
        self,
        o: Observation,
        subject: str,
        st: PersonState,
        group: GroupState | None,
        org: OrgState | None,
        tz: ZoneInfo,
        epoch: float,
        local: float,
        day: int,
        heightened: bool,
        network: str | None,
    ) -> None:
        self.o = o
        self.subject = subject
        self.st = st
        self.group = group
        self.org = org
        self.tz = tz
        self.epoch = epoch
        self.local = local
        self.day = day
        secret = o.secret
        self.tier = secret.tier if secret is not None else None
        self.heightened = heightened
        #: the /24 or /48 of the event's address (None: no address, or not an address)
        self.network = network

    def factor(self, rule: Rule) -> float:
        return float(rule.spec.heightened) if self.heightened else 1.0

    def own(self, measure: str, min_days: int) -> tuple[float, float] | None:
        history = self.st.history
        return history.stats(measure) if history.days >= min_days else None

    def peers(self, measure: str) -> tuple[float, float] | None:
        group = self.group
        if group is None or group.days < PEER_DAYS:
            return None
        return group.stats(measure)

    def tally(self, key: str) -> Tally:
        tally = self.st.tallies.get(key)
        if tally is None:
            tally = self.st.tallies[key] = Tally()
        return tally


def finding(
    rule: Rule,
    ev: Event,
    *,
    words: str,
    facts: dict[str, Any],
    ids: list[int],
    first: float,
    last: float,
    group: str = "",
    severity: Severity | None = None,
    title: str | None = None,
) -> Finding:
    """A finding of `rule` about the event's subject, grouped by rule, subject and secret."""
    o = ev.o
    secret = o.secret
    person = o.person
    if severity is None:
        severity = rule.severity(ev.tier, heightened=ev.heightened)
    facts = {
        **facts,
        "heightened": ev.heightened,
        "tier": ev.tier,
        "group_window_s": rule.spec.group_window,
    }
    secret_key = secret.id if secret is not None else "*"
    return Finding(
        rule_id=rule.id,
        rule_version=rule.version,
        severity=severity,
        title=title or str(rule.spec.title),
        explanation=words + explain.departure(o),
        facts=facts,
        actor=o.actor,
        person_key=person.key if person is not None else None,
        organisation_id=person.organisation_id if person is not None else None,
        secret_ids=[secret.id] if secret is not None else [],
        group_key=f"{rule.id}|{ev.subject}|{group or secret_key}",
        event_ids=ids[-EVIDENCE:],
        first_event_at=places.utc(first),
        last_event_at=places.utc(last),
    )


def above(stats: tuple[float, float], z: float, floor: float) -> float:
    """The value that lies `z` robust deviations above a median and MAD."""
    return stats[0] + z * max(MAD_SCALE * stats[1], floor)


def again(fired: float, value: float) -> bool:
    """Fire the first time, then only when the figure has doubled since."""
    return not fired or value >= 2 * fired


def documents(tally: Tally) -> str:
    return explain.plural(len(tally.keys), "documents")


def span(ev: Event, tally: Tally) -> str:
    return explain.span(ev.tz, tally.first, tally.last)


def duration(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400} days" if seconds != 86400 else "a day"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} hours" if seconds != 3600 else "an hour"
    return f"{seconds // 60} minutes"


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def days(days: frozenset[int]) -> str:
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    ordered = sorted(days)
    if ordered and ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 2:
        return f"{names[ordered[0]]}–{names[ordered[-1]]}"
    return ", ".join(names[d] for d in ordered)
