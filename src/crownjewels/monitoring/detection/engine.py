"""The detection engine: `Detector(rules).observe(observation) -> [Finding]`, stateful and in
memory. Each observation updates the day so far of its person (in their own zone), their peer
group and their organisation; the rules whose actions it matches then judge it (checks.py,
each behind its gate in gates.py).

State is kept per subject (`subjects(o)`: `person:<key>` or `actor:<name>` for an unknown
actor, `peers:<organisation>:<role>`, `organisation:<id>`) and can be saved and restored as
plain JSON (`state_of`, `restore`), so the scoring pipeline persists it between batches."""

from __future__ import annotations

from collections import deque
from typing import Any

from crownjewels.monitoring.detection import checks, gates, places
from crownjewels.monitoring.detection.event import Event
from crownjewels.monitoring.detection.rules import ACCESS, MOVES, RuleSet, load_rules
from crownjewels.monitoring.detection.state import (
    SEEN_CAP,
    Day,
    GroupState,
    OrgState,
    PersonState,
)
from crownjewels.monitoring.detection.types import Finding, Observation
from crownjewels.monitoring.schemas import Action


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
        self._plan: dict[Action, list[gates.Family]] = {}
        gated = {rule.id: gates.gate(rule) for rule in self.rules.enabled}
        for action in Action:
            mine = [r for r in self.rules.enabled if action in r.spec.actions]
            plan: list[gates.Family] = [
                gated[r.id] for r in mine if r.kind not in gates.PLACES | gates.RARE
            ]
            for kinds in (gates.PLACES, gates.RARE):
                members = [r for r in mine if r.kind in kinds]
                if members:
                    plan.append(gates.family(members, [gated[r.id] for r in members]))
            self._plan[action] = plan
        self._cusum = [r for r in self.rules.enabled if r.kind == "sustained"]
        self._habits = [r for r in self.rules.enabled if r.kind == "off-hours"]
        #: the organisation figures are kept for our own organisation too only when a rule
        #: judges it
        volume = [r for r in self.rules.enabled if r.kind == "organisation-volume"]
        self._all_orgs = any(not r.spec.external_only for r in volume)
        #: the actions an organisation's figures count (none: they are not kept)
        self._org_actions = frozenset(a for r in volume for a in r.spec.actions)

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
        """Update the baselines with one observation and return what the rules found."""
        ev = self._event(o)
        found: list[Finding] = []
        for check in self._plan[o.action]:
            finding = check(ev)
            if finding is not None:
                if type(finding) is list:
                    found.extend(finding)
                else:
                    found.append(finding)  # type: ignore[arg-type]
        self._remember(ev)
        return found

    def _state(self, o: Observation) -> tuple[str, PersonState]:
        person = o.person
        if person is not None:
            found = self._keyed.get(person.key)
            if found is not None:
                return found
            subject = "person:" + person.key
        else:
            subject = "actor:" + o.actor.lower()
        st = self.people.get(subject)
        if st is None:
            st = self.people[subject] = PersonState(self.window_days)
        if person is not None:
            self._keyed[person.key] = (subject, st)
        return subject, st

    def _event(self, o: Observation) -> Event:
        person = o.person
        known = self._keyed.get(person.key) if person is not None else None
        subject, st = known if known is not None else self._state(o)
        if st.tz_of is not person or st.tz is None:
            # another person's facts (a new batch, a changed role): bind zone and groups again
            if person is None:
                st.tz = places.zone(None)
            else:
                st.tz = places.zone(person.timezone, person.country)
                self._bind(st, person.organisation_id, person.role)
            st.tz_of = person
            st.tz_hour = -1
        tz = st.tz
        group, org = st.group, st.org
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
        action = o.action
        if action in ACCESS:
            secret = o.secret
            doc = o.document_id or o.resource
            nbytes = o.bytes or 0
            move = action in MOVES
            sid = secret.id if secret is not None else ""
            st.today.add(epoch, doc, sid, nbytes, move, o.event_id, st.docs_seen.add(doc))
            if (
                org is not None
                and action in self._org_actions
                and (self._all_orgs or person.external)  # type: ignore[union-attr]
            ):
                utc_day = int(epoch // 86400)
                if utc_day > org.day:
                    if org.today.events:
                        org.history.close(org.today)
                    org.today = Day()
                    org.tallies = {}
                    org.day = utc_day
                org.today.add(epoch, doc, sid, nbytes, move, o.event_id)
        return Event(o, subject, st, group, org, tz, epoch, local, day)

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

    def _remember(self, ev: Event) -> None:
        """What the person was seen with, after the rules judged the event as new."""
        o, st = ev.o, ev.st
        st.events += 1
        seen = st.seen
        country = o.country
        if country:
            counts = seen["country"]
            if country in counts:
                counts[country] += 1
            else:
                _count(counts, country)
            st.last_country, st.last_epoch = country, ev.epoch
        if o.ip:
            network = ev.network
            if network is not None:
                counts = seen["network"]
                if network in counts:
                    counts[network] += 1
                else:
                    _count(counts, network)
        device = o.device
        if device:
            counts = seen["device"]
            if device in counts:
                counts[device] += 1
            else:
                _count(counts, device)
        secret = o.secret
        if secret is not None and secret.id not in st.secrets and o.action in ACCESS:
            st.secrets.add(secret.id)
            if ev.group is not None and o.person is not None:
                users = ev.group.users.setdefault(secret.id, [])
                if o.person.key not in users and len(users) < 50:
                    users.append(o.person.key)


def _count(seen: dict[str, int], value: str) -> None:
    """Count a value first seen; a full memory forgets its rarer half at once (one sort per
    few hundred new values, not a scan per value), so a roaming person's memory stays
    bounded."""
    if len(seen) >= SEEN_CAP:
        keep = sorted(seen.items(), key=lambda item: -item[1])[: SEEN_CAP // 2]
        seen.clear()
        seen.update(keep)
    seen[value] = 1
