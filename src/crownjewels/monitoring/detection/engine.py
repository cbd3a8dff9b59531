"""The detection engine: `Detector(rules).observe(observation) -> [Finding]`, stateful and in
memory. Each observation updates the day so far of its person (in their own zone), their peer
group and their organisation; the rules whose actions it matches then judge it (checks.py,
each behind its gate in gates.py).

State is kept per subject (`subjects(o)`: `person:<key>` or `actor:<name>` for an unknown
actor, `peers:<organisation>:<role>`, `organisation:<id>`) and can be saved and restored as
plain JSON (`state_of`, `restore`), so the scoring pipeline persists it between batches."""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from crownjewels.monitoring.detection import checks, gates, places
from crownjewels.monitoring.detection.event import EPOCH_ORDINAL, Event
from crownjewels.monitoring.detection.rules import ACCESS, MOVES, RuleSet, load_rules
from crownjewels.monitoring.detection.state import (
    SEEN_CAP,
    Day,
    GroupState,
    OrgState,
    PersonState,
)
from crownjewels.monitoring.detection.types import Finding, Observation, PersonFacts
from crownjewels.monitoring.schemas import Action

#: per action: plain gates, gates of novel places, the rare family, access, move, counted for
#: organisations
_Dispatch = tuple[
    tuple[gates.Gate, ...], tuple[gates.Gate, ...], gates.Family | None, bool, bool, bool
]


class Detector:
    """Judges a stream of observations against a rule set, keeping baselines as it goes."""

    def __init__(self, rules: RuleSet | None = None) -> None:
        self.rules = rules if rules is not None else load_rules()
        self.window_days = self.rules.baselines.window_days
        self.peer_days = self.rules.baselines.peer_days
        self.people: dict[str, PersonState] = {}
        self.groups: dict[str, GroupState] = {}
        self.organisations: dict[str, OrgState] = {}
        #: person key → (subject, state): the people's states without building the subject
        self._keyed: dict[str, tuple[str, PersonState]] = {}
        #: what an action's events need, looked up once per event: the plain gates, the gates
        #: of novel places (judged only when the event is not from a known place), the rare
        #: family, and whether the action is an access, a move, and counted for organisations
        self._dispatch: dict[Action, _Dispatch] = {}
        gated = {rule.id: gates.gate(rule) for rule in self.rules.enabled}
        volume = [r for r in self.rules.enabled if r.kind == "organisation-volume"]
        #: the organisation figures are kept for our own organisation too only when a rule
        #: judges it
        self._all_orgs = any(not r.spec.external_only for r in volume)
        #: the actions an organisation's figures count (none: they are not kept)
        org_actions = frozenset(a for r in volume for a in r.spec.actions)
        for action in Action:
            mine = [r for r in self.rules.enabled if action in r.spec.actions]
            rare = [r for r in mine if r.kind in gates.RARE]
            self._dispatch[action] = (
                tuple(gated[r.id] for r in mine if r.kind not in gates.PLACES | gates.RARE),
                tuple(gated[r.id] for r in mine if r.kind in gates.PLACES),
                gates.family(rare, [gated[r.id] for r in rare]) if rare else None,
                action in ACCESS,
                action in MOVES,
                action in ACCESS and action in org_actions,
            )
        self._cusum = [r for r in self.rules.enabled if r.kind == "sustained"]
        self._habits = [r for r in self.rules.enabled if r.kind == "off-hours"]

    # -- subjects and their state ------------------------------------------------------------

    @staticmethod
    def subjects(o: Observation) -> list[str]:
        """The subjects whose state judging `o` reads and changes."""
        person = o.person
        if person is None:
            return [f"actor:{o.actor.lower()}"]
        return [
            f"person:{person.key}",
            f"peers:{person.organisation_id}:{person.role}",
            f"organisation:{person.organisation_id}",
        ]

    def state_of(self, subject: str) -> dict[str, Any]:
        """A subject's state as plain JSON ({} when the detector holds none)."""
        kind, _, _ = subject.partition(":")
        if kind in ("person", "actor"):
            person = self.people.get(subject)
            return person.to_dict() if person is not None else {}
        if kind == "peers":
            group = self.groups.get(subject)
            return group.to_dict() if group is not None else {}
        if kind == "organisation":
            org = self.organisations.get(subject)
            return org.to_dict() if org is not None else {}
        raise ValueError(f"{subject!r} is not a subject; see Detector.subjects")

    def restore(self, subject: str, data: dict[str, Any]) -> None:
        """Put back a subject's state saved by `state_of` (an empty dict: start afresh)."""
        kind, _, key = subject.partition(":")
        if kind in ("person", "actor"):
            self._keyed.pop(key, None)
            if data:
                self.people[subject] = PersonState.from_dict(data, self.window_days)
            else:
                self.people.pop(subject, None)
        elif kind == "peers":
            if data:
                self.groups[subject] = GroupState.from_dict(data, self.peer_days)
            else:
                self.groups.pop(subject, None)
        elif kind == "organisation":
            if data:
                self.organisations[subject] = OrgState.from_dict(data, self.window_days)
            else:
                self.organisations.pop(subject, None)
        else:
            raise ValueError(f"{subject!r} is not a subject; see Detector.subjects")

    def forget(self, subject: str) -> None:
        """Drop a subject's state from memory (after it is saved)."""
        self._keyed.pop(subject.partition(":")[2], None)
        self.people.pop(subject, None)
        self.groups.pop(subject, None)
        self.organisations.pop(subject, None)

    # -- judging -------------------------------------------------------------------------------

    def observe(self, o: Observation) -> list[Finding]:
        """Update the baselines with one observation and return what the rules found.

        The hot path of scoring, kept in one function: the person's state, clock and day so
        far, the event's network, then the rules (the gates of novel places only when the
        event is not from a known place), then what the person was seen with."""
        plain, novel, rare, access, move, org_counted = self._dispatch[o.action]
        person = o.person
        known = self._keyed.get(person.key) if person is not None else None
        subject, st = known if known is not None else self._state(o)
        if st.tz_of is not person or st.tz is None:
            self._rebind(st, person)
        tz, group, org = st.tz, st.group, st.org
        epoch = o.occurred_at.timestamp()
        hour = int(epoch // 3600)
        if hour != st.tz_hour:
            st.tz_hour, st.tz_offset = hour, places.offset_seconds(tz, epoch)
        local = epoch + st.tz_offset
        day = int(local // 86400)
        if day > st.day:
            if st.day >= 0:
                self._close(st, group)
            st.day = day
        else:
            day = st.day
        secret = o.secret
        if access:
            doc = o.document_id or o.resource
            nbytes = o.bytes or 0
            sid = secret.id if secret is not None else ""
            st.today.add(epoch, doc, sid, nbytes, move, o.event_id, st.docs_seen.add(doc))
            if org_counted and org is not None and (self._all_orgs or person.external):  # type: ignore[union-attr]
                self._count_organisation(org, epoch, doc, sid, nbytes, move, o.event_id)
        ip = o.ip
        network: str | None = None
        if ip:
            # the person's last /24 is kept: most of their addresses share it
            head = ip.rpartition(".")[0]
            if head and head == st.ip:
                network = st.network
            else:
                network = places.network_of(ip)
                st.ip, st.network = head, network
        ev = Event(
            o, subject, st, group, org, tz, epoch, local, day, day >= st.heightened_from, network
        )

        found: list[Finding] = []
        for check in plain:
            finding = check(ev)
            if finding is not None:
                found.append(finding)
        seen, fresh = st.seen, st.fresh
        country, device = o.country, o.device
        if novel and not (
            (
                not country
                or (
                    country == st.last_country
                    and country in seen["country"]
                    and not (fresh and country in fresh.get("country", ()))
                )
            )
            and (
                not device
                or (device in seen["device"] and not (fresh and device in fresh.get("device", ())))
            )
            and (
                not ip
                or (
                    network in seen["network"]
                    and not (fresh and network in fresh.get("network", ()))
                )
            )
        ):
            for check in novel:
                finding = check(ev)
                if finding is not None:
                    found.append(finding)
        if rare is not None and (
            st.notable
            or self._all_orgs
            or o.grants is not None
            or (secret is not None and country and "*" not in secret.allowed_regions)
        ):
            # the family judges it (an ordinary event of an ordinary person is passed over
            # here without a call, unless a rule counts our own organisation's volume)
            findings = rare(ev)
            if findings:
                found.extend(findings)

        # what the person was seen with, after the rules judged the event as new
        st.events += 1
        if country:
            counts = seen["country"]
            if country in counts:
                counts[country] += 1
            else:
                _count(counts, country)
            st.last_country, st.last_epoch = country, epoch
        if network is not None:
            counts = seen["network"]
            if network in counts:
                counts[network] += 1
            else:
                _count(counts, network)
        if device:
            counts = seen["device"]
            if device in counts:
                counts[device] += 1
            else:
                _count(counts, device)
        if access and secret is not None and secret.id not in st.secrets:
            st.secrets.add(secret.id)
            if group is not None and person is not None:
                users = group.users.setdefault(secret.id, [])
                if person.key not in users and len(users) < 50:
                    users.append(person.key)
        return found

    def _state(self, o: Observation) -> tuple[str, PersonState]:
        person = o.person
        subject = "person:" + person.key if person is not None else "actor:" + o.actor.lower()
        st = self.people.get(subject)
        if st is None:
            st = self.people[subject] = PersonState(self.window_days)
        if person is not None:
            self._keyed[person.key] = (subject, st)
        return subject, st

    def _rebind(self, st: PersonState, person: PersonFacts | None) -> None:
        """Another person's facts (a new batch, a changed role): bind the zone, the peer
        group and organisation, and when thresholds are heightened, again."""
        if person is None:
            st.tz = places.zone(None)
            st.heightened_from = math.inf
            st.notable = True
        else:
            st.notable = (
                person.external or person.notice_on is not None or person.last_day is not None
            )
            st.tz = places.zone(person.timezone, person.country)
            self._bind(st, person.organisation_id, person.role)
            if person.heightened:
                st.heightened_from = -math.inf
            elif person.notice_on is not None:
                # notice given: heightened from that day on (and after the last day, when
                # any access is a finding of its own)
                st.heightened_from = person.notice_on.toordinal() - EPOCH_ORDINAL
            else:
                st.heightened_from = math.inf
        st.tz_of = person
        st.tz_hour = -1

    @staticmethod
    def _count_organisation(
        org: OrgState, epoch: float, doc: str, sid: str, nbytes: int, move: bool, event_id: int
    ) -> None:
        """Add an access to its organisation's UTC day (closing the day before)."""
        utc_day = int(epoch // 86400)
        if utc_day > org.day:
            if org.today.events:
                org.history.close(org.today)
            org.today = Day()
            org.tallies = {}
            org.day = utc_day
        org.today.add(epoch, doc, sid, nbytes, move, event_id)

    def _bind(
        self, st: PersonState, organisation_id: str, role: str
    ) -> tuple[GroupState, OrgState]:
        """The person's peer group and organisation (kept on their state: not looked up per
        event)."""
        key = f"peers:{organisation_id}:{role}"
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = GroupState(self.peer_days)
        key = "organisation:" + organisation_id
        org = self.organisations.get(key)
        if org is None:
            org = self.organisations[key] = OrgState(self.window_days)
        st.group, st.org, st.group_of = group, org, (organisation_id, role)
        return group, org

    def _close(self, st: PersonState, group: GroupState | None) -> None:
        """The person's day is over: fold it into their baseline and their peers'."""
        today = st.today
        if today.events:
            for rule in self._cusum:
                checks.close_sustained(rule, st)
            for rule in self._habits:
                habit = st.habits.get(rule.id)
                if habit is None:
                    habit = st.habits[rule.id] = deque(maxlen=self.window_days)
                tally = st.tallies.get(rule.id)
                habit.append(1 if tally is not None and tally.count else 0)
            st.history.close(today)
            if group is not None:
                group.close(today)
        st.today = Day()
        st.tallies = {}
        st.fresh = {}


def _count(seen: dict[str, int], value: str) -> None:
    """Count a value first seen; a full memory forgets its rarer half at once (one sort per
    few hundred new values, not a scan per value), so a roaming person's memory stays
    bounded."""
    if len(seen) >= SEEN_CAP:
        keep = sorted(seen.items(), key=lambda item: -item[1])[: SEEN_CAP // 2]
        seen.clear()
        seen.update(keep)
    seen[value] = 1
