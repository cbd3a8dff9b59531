"""A detector for scoring's tests, with the engine's interface and none of its rules: it
counts each person's downloads (its state), remembers the last time it saw them (to catch
events handed over out of order), and finds "bulk" once a person has downloaded `threshold`
documents of one secret, grouping by person and secret; a signal is found at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from crownjewels.monitoring.detection.types import Finding, Observation
from crownjewels.monitoring.schemas import Action, Severity


class TinyDetector:
    """Counts per person; finds bulk downloads and signals."""

    def __init__(self, threshold: int = 3) -> None:
        self.threshold = threshold
        self.states: dict[str, dict[str, Any]] = {}
        self.seen: list[Observation] = []

    def subjects(self, o: Observation) -> list[str]:
        key = o.person.key if o.person else f"actor:{o.actor.lower()}"
        out = [f"person:{key}"]
        if o.person:
            out.append(f"organisation:{o.person.organisation_id}")
        return out

    def restore(self, subject: str, data: dict[str, Any]) -> None:
        if data:
            self.states[subject] = dict(data)
        else:  # start afresh, as the engine does
            self.states.pop(subject, None)

    def state_of(self, subject: str) -> dict[str, Any]:
        return self.states.get(subject, {})

    def observe(self, o: Observation) -> list[Finding]:
        self.seen.append(o)
        subjects = self.subjects(o)
        person, org = subjects[0], (subjects[1] if len(subjects) > 1 else None)
        fresh: dict[str, Any] = {"events": 0, "out_of_order": 0, "by_secret": {}}
        state = self.states.setdefault(person, fresh)
        state["events"] += 1
        last = state.get("last")
        if last is not None and datetime.fromisoformat(last) > o.occurred_at:
            state["out_of_order"] += 1
        state["last"] = o.occurred_at.isoformat()
        if org:
            org_state = self.states.setdefault(org, {"events": 0})
            org_state["events"] += 1
            org_state["median"] = 1.5
            org_state["days"] = 3
        if o.action == Action.SIGNAL:
            return [self._finding(o, "signal", Severity.HIGH, "A canary fired", 1)]
        if o.action != Action.DOWNLOAD or o.secret is None:
            return []
        counts = state["by_secret"]
        counts[o.secret.id] = counts.get(o.secret.id, 0) + 1
        if counts[o.secret.id] < self.threshold:
            return []
        name = o.person.name if o.person else o.actor
        text = f"{name} downloaded {counts[o.secret.id]} documents of {o.secret.ref}"
        return [self._finding(o, "bulk-download", Severity.MEDIUM, text, counts[o.secret.id])]

    def _finding(self, o: Observation, rule: str, severity: Severity, text: str, n: int) -> Finding:
        person_key = o.person.key if o.person else None
        secret = o.secret.id if o.secret else "-"
        return Finding(
            rule_id=rule,
            rule_version="test.1",
            severity=severity,
            title=text,
            explanation=text,
            facts={"count": n},
            actor=o.actor,
            person_key=person_key,
            organisation_id=o.person.organisation_id if o.person else None,
            secret_ids=[o.secret.id] if o.secret else [],
            group_key=f"{rule}:{person_key or o.actor}:{secret}",
            event_ids=[o.event_id],
            first_event_at=o.occurred_at,
            last_event_at=o.occurred_at,
        )
