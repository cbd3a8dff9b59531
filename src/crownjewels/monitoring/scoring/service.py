"""The scoring verbs: one batch of the queue, from claimed rows to stored alerts, in the
caller's transaction (the edge, a command or the continuous scorer, owns it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.monitoring.detection.engine import Detector
from crownjewels.monitoring.detection.types import Finding, Observation
from crownjewels.monitoring.scoring import alerts, observations, queue, state

#: events claimed per batch: large enough to amortise the queries, small enough that an alert
#: is stored within a fraction of a second of its event's arrival
BATCH = 500


class DetectorLike(Protocol):
    """What scoring needs of the detection engine (`detection.engine.Detector`)."""

    def subjects(self, o: Observation) -> list[str]: ...
    def restore(self, subject: str, data: dict[str, Any]) -> None: ...
    def observe(self, o: Observation) -> list[Finding]: ...
    def state_of(self, subject: str) -> dict[str, Any]: ...


class ScoreResult(BaseModel):
    """What one batch (or a run of batches) did."""

    events: int = 0
    alerts_raised: list[str] = []
    alerts_updated: list[str] = []

    def add(self, other: ScoreResult) -> None:
        """Count another batch in."""
        self.events += other.events
        self.alerts_raised += other.alerts_raised
        self.alerts_updated += [r for r in other.alerts_updated if r not in self.alerts_updated]


def score_batch(
    session: Session,
    *,
    actor: Actor,
    detector: DetectorLike,
    limit: int = BATCH,
    held: dict[str, datetime] | None = None,
    facts: observations.Facts | None = None,
) -> ScoreResult:
    """Claim up to `limit` queued events, run them through `detector`, store what it found as
    alerts and take the events off the queue. Nothing is claimed: an empty result.

    The detector's state of each subject the batch touches is restored from the database and
    saved back. A detector kept across batches passes `held` (subject -> the version it saved
    last; updated here): a subject nobody else wrote since is not read again. If the
    transaction fails, the caller must drop that detector and `held` together. `facts`: the
    people and secrets an earlier batch read (see `observations.Facts`), added to here."""
    claimed = queue.claim(session, limit=limit)
    if not claimed:
        return ScoreResult()
    now = clock.now()
    events = observations.load_events(session, claimed)
    seen = observations.observations(session, events, facts)
    subjects = sorted({s for o in seen for s in detector.subjects(o)})
    stored_states = state.load(session, subjects, now=now, held=held)
    for subject, data in stored_states.items():
        if data or held is not None:
            detector.restore(subject, data)  # {}: start afresh (forget what it held)
    findings = [f for o in seen for f in detector.observe(o)]
    state.save(session, {s: detector.state_of(s) for s in subjects}, now=now)
    if held is not None:
        held.update(dict.fromkeys(subjects, now))
    queue.release(session, [c.event_id for c in claimed])
    # last: numbering alerts and their custody events hold the append lock until the commit
    stored = alerts.store(session, actor=actor, findings=findings, now=now)
    raised = [s.ref for s in stored if s.new]
    updated = sorted({s.ref for s in stored if not s.new} - set(raised))
    return ScoreResult(events=len(claimed), alerts_raised=raised, alerts_updated=updated)


def score_queued(session: Session, *, actor: Actor) -> ScoreResult:
    """Score everything queued, in the caller's transaction, with the shipped rules and one
    detector across the batches (the demo's seeding; a scorer process uses `scorer.Scorer`)."""
    detector: DetectorLike = Detector()
    held: dict[str, datetime] = {}
    facts = observations.Facts()
    total = ScoreResult()
    while (
        result := score_batch(session, actor=actor, detector=detector, held=held, facts=facts)
    ).events:
        total.add(result)
    return total


def backlog(session: Session) -> int:
    """How many stored events wait to be scored."""
    return queue.backlog(session)
