"""One check per kind of rule: given a rule and an event (the observation with its subject's
state), a finding or None. A rule that fired fires again for the same day or window only when
its figure has doubled (the alert is refreshed, not repeated). `gates.py` puts each check
behind a cheap test of the common case."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

from crownjewels.monitoring.detection import explain, places
from crownjewels.monitoring.detection.event import (
    EPOCH_ORDINAL,
    Event,
    above,
    again,
    clock,
    days,
    documents,
    duration,
    finding,
    span,
)
from crownjewels.monitoring.detection.rules import Rule, pick_severity, tiered
from crownjewels.monitoring.detection.state import PersonState, Tally, Window
from crownjewels.monitoring.detection.types import Finding
from crownjewels.monitoring.schemas import SIGNAL_TITLES, Severity
from crownjewels.monitoring.stats import MAD_SCALE, robust_z


def bulk(rule: Rule, ev: Event) -> Finding | None:
    """N distinct documents (or bytes) of one secret, or of all, within the window."""
    window = bulk_window(rule, ev)
    if window is None:
        return None
    ratio = bulk_ratio(rule, ev, window)
    if ratio < 1.0 or not again(window.fired, ratio):
        return None
    return bulk_finding(rule, ev, window, ratio)


def bulk_window(rule: Rule, ev: Event) -> Window | None:
    """The rule's window for the event's secret (or all secrets), with the event added."""
    o = ev.o
    secret = o.secret
    if secret is None:
        return None
    spec = rule.spec
    key = rule.id if spec.scope == "all" else rule.id + ":" + secret.id
    window = ev.st.windows.get(key)
    if window is None:
        window = ev.st.windows[key] = Window()
    window.add(ev.epoch, o.document_id or o.resource, o.bytes or 0, o.event_id, spec.window)
    return window


def bulk_ratio(rule: Rule, ev: Event, window: Window) -> float:
    """How far the window is towards the rule's limit (1: at it)."""
    spec = rule.spec
    tier = None if spec.scope == "all" else ev.tier
    factor = ev.factor(rule)
    ratio = 0.0
    if spec.documents is not None:
        ratio = len(window.keys) / max(1.0, tiered(spec.documents, tier) * factor)
    if spec.bytes is not None:
        ratio = max(ratio, window.bytes / max(1.0, tiered(spec.bytes, tier) * factor))
    return ratio


def bulk_finding(rule: Rule, ev: Event, window: Window, ratio: float) -> Finding:
    """The finding of a window that reached the rule's limit."""
    o = ev.o
    spec = rule.spec
    scope_all = spec.scope == "all"
    window.fired = ratio
    items = window.items
    first, last = items[0][0], items[-1][0]
    count = len(window.keys)
    what = explain.of_secret(o) if not scope_all else f"of {len(ev.st.today.secrets)} secrets"
    volume = f"({explain.size(window.bytes)}) " if window.bytes else ""
    words = (
        f"{explain.who(o)} {explain.VERBS[o.action]} {explain.plural(count, 'documents')} "
        f"{volume}{what} {explain.span(ev.tz, first, last)}, "
        f"within {duration(spec.window)}; "
        + explain.usual("documents", ev.own("documents", 3), ev.peers("documents"))
    )
    facts = {"documents": count, "bytes": window.bytes, "window_seconds": spec.window}
    ids = [item[3] for item in items]
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=ids,
        first=first,
        last=last,
        group="*" if scope_all else "",
    )


def unusual_day(rule: Rule, ev: Event) -> Finding | None:
    """The day so far far above the person's own days and their peers'."""
    spec = rule.spec
    today = ev.st.today
    value = today.value(spec.measure)
    factor = ev.factor(rule)
    tally = ev.tally(rule.id)
    if value < tally.next:
        return None
    own = ev.own(spec.measure, spec.min_days)
    peers = ev.peers(spec.measure)
    # the value today must reach to fire, solved once: the gate compares against it
    needed = tiered(spec.minimum, ev.tier) * factor
    if own is not None:
        needed = max(needed, above(own, spec.z_own * factor, spec.floor))
        if peers is not None:
            needed = max(needed, above(peers, spec.z_peers * factor, spec.floor))
    elif peers is not None:
        needed = max(needed, above(peers, spec.z_own * factor, spec.floor))
    else:
        needed = math.inf
    if tally.fired:
        needed = max(needed, 2 * tally.fired)
    if value < needed:
        tally.next = needed
        return None
    z_own = robust_z(value, *own, floor=spec.floor) if own is not None else None
    z_peers = robust_z(value, *peers, floor=spec.floor) if peers is not None else None
    tally.next = 2 * value
    tally.fired = value
    words = (
        f"{explain.who(ev.o)} reached {explain.amount(value, spec.measure)} today "
        f"{explain.span(ev.tz, today.first, today.last)}; "
        + explain.usual(spec.measure, own, peers)
    )
    facts = {
        "measure": spec.measure,
        "value": value,
        "own_median": own[0] if own else None,
        "own_mad": own[1] if own else None,
        "peers_median": peers[0] if peers else None,
        "z_own": z_own,
        "z_peers": z_peers,
    }
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=today.ids,
        first=today.first,
        last=today.last,
        group="day",
    )


def sustained(rule: Rule, ev: Event) -> Finding | None:
    """Today would take the person's cumulative excess over their usual past the limit."""
    spec = rule.spec
    own = ev.own(spec.measure, spec.min_days)
    if own is None:
        return None
    today = ev.st.today
    value = today.value(spec.measure)
    tally = ev.tally(rule.id)
    if value < tally.next:
        return None
    peers = ev.peers(spec.measure)
    cusum = ev.st.cusum.get(rule.id, 0.0)
    # today's value that takes the sum past the limit (and above the peers), solved once
    needed = above(own, spec.limit * ev.factor(rule) + spec.slack - cusum, spec.floor)
    if peers is not None:
        needed = max(needed, above(peers, spec.z_peers, spec.floor))
    if value < needed:
        tally.next = needed
        return None
    tally.next = math.inf
    total = cusum + robust_z(value, *own, floor=spec.floor) - spec.slack
    tally.fired = total
    words = (
        f"{explain.who(ev.o)} has been above their usual day after day: today "
        f"{explain.amount(value, spec.measure)} {explain.span(ev.tz, today.first, today.last)}, "
        f"a cumulative excess of {total:.1f} robust deviations (limit {spec.limit:g}); "
        + explain.usual(spec.measure, own, peers)
    )
    facts = {"measure": spec.measure, "value": value, "cusum": total, "own_median": own[0]}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=today.ids,
        first=today.first,
        last=today.last,
        group="drift",
    )


def close_sustained(rule: Rule, st: PersonState) -> None:
    """Fold the closing day into the person's cumulative excess (before it joins the
    baseline); a day that fired starts the sum afresh."""
    spec = rule.spec
    history = st.history
    if history.days < spec.min_days:
        return
    tally = st.tallies.get(rule.id)
    if tally is not None and tally.fired:
        st.cusum[rule.id] = 0.0
        return
    z = robust_z(st.today.value(spec.measure), *history.stats(spec.measure), floor=spec.floor)
    st.cusum[rule.id] = max(0.0, st.cusum.get(rule.id, 0.0) + z - spec.slack)


def new_secret(rule: Rule, ev: Event) -> Finding | None:
    """Secrets the person never used, that their peers do not use either."""
    o = ev.o
    secret, person = o.secret, o.person
    if secret is None or person is None or secret.id in ev.st.secrets:
        return None
    spec = rule.spec
    if ev.st.history.days < spec.min_days:
        return None
    users = ev.group.users.get(secret.id, ()) if ev.group is not None else ()
    if sum(1 for u in users if u != person.key) >= spec.peers_using:
        return None
    tally = ev.tally(rule.id)
    tally.add(ev.epoch, o.event_id, secret.ref)
    count = len(tally.keys)
    need = max(1, math.ceil(tiered(spec.secrets, ev.tier) * ev.factor(rule)))
    if count < need or not again(tally.fired, count):
        return None
    tally.fired = count
    words = (
        f"{explain.who(o)} opened {count} secrets they had never used and that their peers "
        f"({person.organisation_name}, {person.role}) do not use: {', '.join(sorted(tally.keys))}, "
        f"{explain.span(ev.tz, tally.first, tally.last)}"
    )
    facts = {"secrets": sorted(tally.keys), "history_days": ev.st.history.days}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=tally.ids,
        first=tally.first,
        last=tally.last,
        group="day",
    )


def off_hours(rule: Rule, ev: Event) -> Finding | None:
    """Several events outside the person's working hours, which they rarely work."""
    o = ev.o
    if o.person is None or o.secret is None:
        return None
    spec = rule.spec
    minute = int(ev.local % 86400) // 60
    weekday = (ev.day + 3) % 7
    if weekday in spec.working_days and spec.start <= minute < spec.end:
        return None
    tally = ev.tally(rule.id)
    tally.add(ev.epoch, o.event_id, o.document_id or o.resource)
    habit = ev.st.habits.get(rule.id)
    if habit is None or len(habit) < spec.min_days:
        return None
    need = tiered(spec.events, ev.tier) * ev.factor(rule)
    if tally.count < need or not again(tally.fired, tally.count):
        return None
    share = sum(habit) / len(habit)
    if share >= spec.usual_share:
        return None
    tally.fired = tally.count
    hours = f"{clock(spec.start)}–{clock(spec.end)} on {days(spec.working_days)}"
    words = (
        f"{explain.who(o)} {explain.VERBS[o.action]} {documents(tally)} "
        f"({tally.count} events) {explain.of_secret(o)} {span(ev, tally)}, "
        f"outside their working hours ({hours}); they worked outside those hours on "
        f"{sum(habit)} of their last {len(habit)} active days"
    )
    facts = {"events": tally.count, "documents": len(tally.keys), "usual_share": share}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=tally.ids,
        first=tally.first,
        last=tally.last,
        group="day",
    )


def new_country(rule: Rule, ev: Event) -> Finding | None:
    """A country the person has not been seen in."""
    value = ev.o.country
    if not value:
        return None
    return _novelty(rule, ev, "country", value)


def new_network(rule: Rule, ev: Event) -> Finding | None:
    """An IP network the person has not been seen on."""
    if not ev.o.ip:
        return None
    value = ev.network
    if not value:
        return None
    return _novelty(rule, ev, "network", value)


def new_device(rule: Rule, ev: Event) -> Finding | None:
    """A device the person has not been seen with."""
    value = ev.o.device
    if not value:
        return None
    return _novelty(rule, ev, "device", value)


def _novelty(rule: Rule, ev: Event, kind: str, value: str) -> Finding | None:
    """A value seen for the first time, or on the day it first appeared, once the person has
    a history; a finding when enough documents were touched from it that day."""
    st = ev.st
    seen = st.seen[kind]
    fresh = st.fresh.get(kind)
    if value in seen and (fresh is None or value not in fresh):
        return None
    spec = rule.spec
    if st.events < spec.min_events or st.history.days < spec.min_days:
        return None
    if fresh is None:
        fresh = st.fresh[kind] = set()
    fresh.add(value)
    o = ev.o
    tally = ev.tally(f"{rule.id}:{value}")
    tally.add(ev.epoch, o.event_id, o.document_id or o.resource if o.secret is not None else None)
    need = tiered(spec.documents, ev.tier) * ev.factor(rule)
    count = len(tally.keys) if need > 1 else tally.count
    if count < need or tally.fired:
        return None
    tally.fired = count
    usual = sorted(((v, n) for v, n in seen.items() if v not in fresh), key=lambda i: -i[1])[:3]
    before = ", ".join(f"{v} ({explain.plural(n, 'events')})" for v, n in usual)
    many = f"{documents(tally)} {explain.of_secret(o)}"
    what = many if need > 1 else explain.target(o)
    words = (
        f"{explain.who(o)} {explain.VERBS[o.action]} {what} from {kind} {value}, new for "
        f"them, {span(ev, tally)}; "
        + (f"until then from {before}" if before else f"no {kind} of theirs was known before")
    )
    facts = {kind: value, "usual": dict(usual), "events_before": st.events}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=tally.ids,
        first=tally.first,
        last=tally.last,
        group=value,
    )


def travel(rule: Rule, ev: Event) -> Finding | None:
    """Two countries too far apart for the time between the person's events."""
    o = ev.o
    country, last = o.country, ev.st.last_country
    if not country or not last or country == last:
        return None
    spec = rule.spec
    if spec.known_after and ev.st.seen["country"].get(country, 0) >= spec.known_after:
        return None
    km = places.distance_km(last, country)
    if km is None or km < spec.min_km:
        return None
    hours = max(ev.epoch - ev.st.last_epoch, 60.0) / 3600
    speed = km / hours
    if speed <= spec.speed_kmh:
        return None
    words = (
        f"{explain.who(o)} was seen in {last} "
        f"{explain.span(ev.tz, ev.st.last_epoch, ev.st.last_epoch)} "
        f"and in {country} {explain.span(ev.tz, ev.epoch, ev.epoch)}: {km:,.0f} km in "
        f"{hours * 60:,.0f} minutes ({speed:,.0f} km/h)"
    )
    facts = {"from": last, "to": country, "km": round(km), "hours": hours, "speed_kmh": speed}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=[o.event_id],
        first=ev.st.last_epoch,
        last=ev.epoch,
        group=f"{last}>{country}",
    )


def departing(rule: Rule, ev: Event) -> Finding | None:
    """Taking documents after notice (above the person's usual day) or after the last day."""
    o = ev.o
    person = o.person
    if person is None or o.secret is None or (person.notice_on is None and person.last_day is None):
        return None
    spec = rule.spec
    today = date.fromordinal(ev.day + EPOCH_ORDINAL)
    tally = ev.tally(rule.id)
    if person.last_day is not None and today > person.last_day:
        tally.add(ev.epoch, o.event_id, o.document_id or o.resource)
        if not again(tally.fired, tally.count):
            return None
        tally.fired = tally.count
        words = (
            f"{explain.who(o)} {explain.VERBS[o.action]} {documents(tally)} "
            f"{explain.of_secret(o)} {explain.span(ev.tz, tally.first, tally.last)}, after "
            f"their last day"
        )
        severity = pick_severity(spec.after_last_day, ev.tier)
        return finding(
            rule,
            ev,
            words=words,
            facts={"after_last_day": True},
            ids=tally.ids,
            first=tally.first,
            last=tally.last,
            group="after",
            severity=severity,
        )
    if person.notice_on is None or today < person.notice_on:
        return None
    value = ev.st.today.value("documents")
    own = ev.own("documents", 3)
    limit = 0.0
    if own is not None and spec.above_usual:
        limit = own[0] + spec.above_usual * max(MAD_SCALE * own[1], 1.0)
    if value <= limit or not again(tally.fired, value):
        return None
    tally.fired = value
    today_figures = ev.st.today
    words = (
        f"{explain.who(o)} {explain.VERBS[o.action]} documents {explain.of_secret(o)}, "
        f"{explain.amount(value, 'documents')} today "
        f"{explain.span(ev.tz, today_figures.first, today_figures.last)}, after giving notice; "
        + explain.usual("documents", own, ev.peers("documents"))
    )
    facts = {"documents": value, "own_median": own[0] if own else None}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=today_figures.ids,
        first=today_figures.first,
        last=today_figures.last,
        group="notice",
    )


def outside_grant(rule: Rule, ev: Event) -> Finding | None:
    """External access to a secret at a time no grant of the person's covers: a grant they
    held had expired or not begun, or they are outside staff (a vendor's) with no grant at
    all. Our own staff reach secrets through their role too, so holding no grant is not, by
    itself, a finding for them."""
    o = ev.o
    if o.grants is None or o.secret is None:
        return None
    if not o.grants and (o.person is None or not o.person.external):
        return None
    at = o.occurred_at
    if any(g.starts_at <= at < g.expires_at for g in o.grants):
        return None
    tally = ev.tally(rule.id + ":" + o.secret.id)
    tally.add(ev.epoch, o.event_id, o.document_id or o.resource)
    if not again(tally.fired, tally.count):
        return None
    tally.fired = tally.count
    if o.grants:
        nearest = max(o.grants, key=lambda g: g.expires_at)
        why = (
            f"their grant ran from {nearest.starts_at.date().isoformat()} to "
            f"{nearest.expires_at.date().isoformat()}"
        )
    else:
        why = "they hold no grant on it"
    words = (
        f"{explain.who(o)} {explain.VERBS[o.action]} {documents(tally)} "
        f"{explain.of_secret(o)} through {o.source} {span(ev, tally)}; " + why
    )
    return finding(
        rule,
        ev,
        words=words,
        facts={"events": tally.count},
        ids=tally.ids,
        first=tally.first,
        last=tally.last,
    )


def denial_burst(rule: Rule, ev: Event) -> Finding | None:
    """Many denials or failed logins by one actor within the window."""
    o = ev.o
    spec = rule.spec
    window = ev.st.windows.get(rule.id)
    if window is None:
        window = ev.st.windows[rule.id] = Window()
    window.add(ev.epoch, o.resource, 0, o.event_id, spec.window)
    count = len(window.items)
    if count < tiered(spec.events, ev.tier) * ev.factor(rule) or not again(window.fired, count):
        return None
    window.fired = count
    first, last = window.items[0][0], window.items[-1][0]
    words = (
        f"{explain.who(o)} was refused {count} times {explain.span(ev.tz, first, last)}, "
        f"within {duration(spec.window)} ({', '.join(sorted(window.keys)[:3])})"
    )
    return finding(
        rule,
        ev,
        words=words,
        facts={"events": count},
        ids=[item[3] for item in window.items],
        first=first,
        last=last,
        group="*",
    )


def organisation_volume(rule: Rule, ev: Event) -> Finding | None:
    """The organisation's day far above its own days."""
    o, org = ev.o, ev.org
    person = o.person
    if org is None or person is None:
        return None
    spec = rule.spec
    if spec.external_only and not person.external:
        return None
    history = org.history
    if history.days < spec.min_days:
        return None
    value = org.today.value(spec.measure)
    centre, mad = history.stats(spec.measure)
    if value < spec.ratio * max(centre, 1.0):
        return None
    tally = org.tallies.get(rule.id)
    if tally is None:
        tally = org.tallies[rule.id] = Tally()
    if not again(tally.fired, value):
        return None
    z = robust_z(value, centre, mad)
    if z < spec.z * ev.factor(rule):
        return None
    tally.fired = value
    words = (
        f"{person.organisation_name} reached {explain.amount(value, spec.measure)} today "
        f"(UTC), {value / max(centre, 1.0):.1f} times its daily median of "
        f"{explain.amount(centre, spec.measure)} over its last {len(history.values[spec.measure])} "
        f"active days (MAD {explain.number(mad)}); the latest by {explain.who(o)}"
    )
    facts = {"value": value, "median": centre, "mad": mad, "z": z}
    f = finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=org.today.ids,
        first=org.today.first,
        last=org.today.last,
    )
    f.group_key = f"{rule.id}|organisation:{person.organisation_id}"
    return f


def region(rule: Rule, ev: Event) -> Finding | None:
    """Access from a country outside the secret's allowed regions."""
    o = ev.o
    secret, country = o.secret, o.country
    if secret is None or not country or "*" in secret.allowed_regions:
        return None
    if country in secret.allowed_regions or not secret.allowed_regions:
        return None
    tally = ev.tally(f"{rule.id}:{secret.id}:{country}")
    tally.add(ev.epoch, o.event_id, o.document_id or o.resource)
    if not again(tally.fired, tally.count):
        return None
    tally.fired = tally.count
    words = (
        f"{explain.who(o)} {explain.VERBS[o.action]} {documents(tally)} "
        f"{explain.of_secret(o)} from {country} {explain.span(ev.tz, tally.first, tally.last)}; "
        f"{secret.ref} may be accessed from {', '.join(secret.allowed_regions)} only"
    )
    facts = {"country": country, "allowed": list(secret.allowed_regions)}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=tally.ids,
        first=tally.first,
        last=tally.last,
        group=country,
    )


def signal(rule: Rule, ev: Event) -> Finding | None:
    """A signal from another capability: an alert at the signal's own severity."""
    o = ev.o
    details = o.details
    try:
        severity = Severity(str(details.get("severity")))
    except ValueError:
        severity = rule.severity(ev.tier)
    kind = str(details.get("kind", "signal"))
    summary = str(details.get("summary", "")).strip() or f"a {kind} signal"
    reference = str(details.get("reference", "")).strip()
    about = f" {explain.of_secret(o)}" if o.secret is not None else ""
    words = f"{summary} ({kind}{', ' + reference if reference else ''}){about}, "
    words += explain.span(ev.tz, ev.epoch, ev.epoch)
    if o.person is not None:
        words += f"; the signal names {o.person.name}"
    facts = {"kind": kind, "reference": reference}
    return finding(
        rule,
        ev,
        words=words,
        facts=facts,
        ids=[o.event_id],
        first=ev.epoch,
        last=ev.epoch,
        group=f"{kind}:{reference}",
        severity=severity,
        title=SIGNAL_TITLES.get(kind),
    )


CHECKS: dict[str, Callable[[Rule, Event], Finding | None]] = {
    "bulk": bulk,
    "unusual-day": unusual_day,
    "sustained": sustained,
    "new-secret": new_secret,
    "off-hours": off_hours,
    "new-country": new_country,
    "new-network": new_network,
    "new-device": new_device,
    "impossible-travel": travel,
    "departing": departing,
    "outside-grant": outside_grant,
    "denial-burst": denial_burst,
    "organisation-volume": organisation_volume,
    "region": region,
    "signal": signal,
}
