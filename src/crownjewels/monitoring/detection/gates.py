"""Gates: each rule's check behind a test that settles the common case in a few operations
(a million events a second leaves a few microseconds per event for all rules), and families of
gates behind one test that all of them would fail."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from crownjewels.monitoring.detection.checks import CHECKS, bulk_finding, bulk_ratio, bulk_window
from crownjewels.monitoring.detection.event import Event
from crownjewels.monitoring.detection.rules import DEFAULT, Rule, tiered
from crownjewels.monitoring.detection.state import MEASURE_ATTRIBUTES
from crownjewels.monitoring.detection.types import Finding

Gate = Callable[[Event], Finding | None]


def gate(rule: Rule) -> Gate:
    """The check of `rule` behind a gate that returns None cheaply for most events (a million
    events a second leaves a few microseconds per event for all rules)."""
    check = CHECKS[rule.kind]
    spec = rule.spec
    kind = rule.kind
    if kind == "bulk":
        # the window must see every event; the limit is compared without a call for the
        # usual event far below it (documents of one tier, no byte figures to reach)
        documents, sizes, factor = spec.documents, spec.bytes, spec.heightened
        scope_all = spec.scope == "all"

        def bulk(ev: Event) -> Finding | None:
            window = bulk_window(rule, ev)
            if window is None:
                return None
            tier = None if scope_all else ev.tier
            f = factor if ev.heightened else 1.0
            if (
                documents is not None
                and len(window.keys)
                < (documents[tier] if tier in documents else documents[DEFAULT]) * f
                and (
                    sizes is None
                    or window.bytes < (sizes[tier] if tier in sizes else sizes[DEFAULT]) * f
                )
            ):
                return None
            ratio = bulk_ratio(rule, ev, window)
            if ratio < 1.0 or (window.fired and ratio < 2 * window.fired):
                return None
            return bulk_finding(rule, ev, window, ratio)

        return bulk
    if kind == "unusual-day":
        rule_id = rule.id
        measure = attrgetter(MEASURE_ATTRIBUTES[spec.measure])
        # the day's least value worth a look, per tier (None: no secret) and heightened
        usual = {tier: tiered(spec.minimum, tier) for tier in (*spec.minimum, None)}
        high = {tier: limit * spec.heightened for tier, limit in usual.items()}

        def unusual(ev: Event) -> Finding | None:
            value = measure(ev.st.today)
            limit = (high if ev.heightened else usual).get(ev.tier)
            if limit is None:  # a tier the rule does not name: its default
                limit = tiered(spec.minimum, ev.tier) * (spec.heightened if ev.heightened else 1.0)
            if value < limit:
                return None
            tally = ev.st.tallies.get(rule_id)
            if tally is not None and value < tally.next:
                return None
            return check(rule, ev)

        return unusual
    if kind == "new-country":

        def country(ev: Event) -> Finding | None:
            value = ev.o.country
            if not value or (value in ev.st.seen["country"] and not ev.st.fresh):
                return None
            return check(rule, ev)

        return country
    if kind == "new-device":

        def device(ev: Event) -> Finding | None:
            value = ev.o.device
            if not value or (value in ev.st.seen["device"] and not ev.st.fresh):
                return None
            return check(rule, ev)

        return device
    if kind == "new-network":

        def network(ev: Event) -> Finding | None:
            if not ev.o.ip:
                return None
            value = ev.network
            if not value or (value in ev.st.seen["network"] and not ev.st.fresh):
                return None
            return check(rule, ev)

        return network
    if kind == "off-hours":
        start, end, days = spec.start, spec.end, spec.working_days

        def off(ev: Event) -> Finding | None:
            if (ev.day + 3) % 7 in days and start <= int(ev.local % 86400) // 60 < end:
                return None
            return check(rule, ev)

        return off
    if kind == "sustained":
        min_days, rule_id = spec.min_days, rule.id
        measure = attrgetter(MEASURE_ATTRIBUTES[spec.measure])

        def drift(ev: Event) -> Finding | None:
            st = ev.st
            if st.history.days < min_days:
                return None
            tally = st.tallies.get(rule_id)
            if tally is not None and measure(st.today) < tally.next:
                return None
            return check(rule, ev)

        return drift
    if kind == "new-secret":
        min_days = spec.min_days

        def seasoned(ev: Event) -> Finding | None:
            secret = ev.o.secret
            if secret is None or ev.st.history.days < min_days or secret.id in ev.st.secrets:
                return None
            return check(rule, ev)

        return seasoned
    if kind == "region":

        def region_gate(ev: Event) -> Finding | None:
            secret = ev.o.secret
            if secret is None or not ev.o.country or "*" in secret.allowed_regions:
                return None
            return check(rule, ev)

        return region_gate
    if kind == "outside-grant":
        return lambda ev: None if ev.o.grants is None else check(rule, ev)
    if kind == "organisation-volume":
        external_only = spec.external_only

        def volume(ev: Event) -> Finding | None:
            person = ev.o.person
            if person is None or (external_only and not person.external):
                return None
            return check(rule, ev)

        return volume
    if kind == "departing":

        def leaving(ev: Event) -> Finding | None:
            person = ev.o.person
            if person is None or (person.notice_on is None and person.last_day is None):
                return None
            return check(rule, ev)

        return leaving
    if kind == "impossible-travel":

        def travelled(ev: Event) -> Finding | None:
            country = ev.o.country
            if not country or country == ev.st.last_country:
                return None
            return check(rule, ev)

        return travelled
    return lambda ev: check(rule, ev)


# -- families: several gates behind one test that all of them would fail ------------------------

PLACES = frozenset({"new-country", "new-network", "new-device", "impossible-travel"})
RARE = frozenset({"region", "outside-grant", "organisation-volume", "departing"})

Family = Callable[[Event], "list[Finding] | None"]


def family(rules: list[Rule], gates: list[Gate]) -> Family:
    """The gates of the `RARE` rules behind one test that holds only when every one of them
    would find nothing: most events are about a secret anyone may reach from anywhere, by
    someone who is not leaving. (The `PLACES` rules are judged only for an event that is not
    from a known place: that test is the engine's, in `Detector.observe`, next to what it
    remembers of places.)"""
    everyone = any(r.kind == "organisation-volume" and not r.spec.external_only for r in rules)
    precheck = _ordinary_everyone if everyone else _ordinary

    def run(ev: Event) -> list[Finding] | None:
        if precheck(ev):
            return None
        found = [f for f in (g(ev) for g in gates) if f is not None]
        return found or None

    return run


def _ordinary(ev: Event) -> bool:
    o = ev.o
    if o.grants is not None:
        return False
    person = o.person
    if person is not None and (
        person.external or person.notice_on is not None or person.last_day is not None
    ):
        return False
    secret = o.secret
    return secret is None or not o.country or "*" in secret.allowed_regions


def _ordinary_everyone(ev: Event) -> bool:
    return ev.o.person is None and _ordinary(ev)
