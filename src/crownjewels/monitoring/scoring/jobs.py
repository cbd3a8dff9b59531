"""`monitoring.score_events`: the worker's pass over the scoring queue, every few seconds (the
prompt path is `crownjewels monitor score`, woken by each stored batch; this one makes sure
nothing waits long when no scorer runs, and is the embedded server's scorer)."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.monitoring.scoring import detectors, scorer

#: seconds between passes
INTERVAL_SECONDS = 2.0


def score_events(ctx: JobContext) -> str | None:
    """Score everything queued; a summary when there was anything."""
    runner = scorer.Scorer(
        ctx.db, detector=detectors.default_factory(ctx.settings), actor=ctx.actor
    )
    result = runner.drain(ctx.stop)
    if not result.events:
        return None
    raised = f", raised {', '.join(result.alerts_raised)}" if result.alerts_raised else ""
    return f"scored {result.events} event(s){raised}"


JOBS = (Job(name="monitoring.score_events", run=score_events, interval=lambda s: INTERVAL_SECONDS),)
