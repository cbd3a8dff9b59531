"""The scheduled job of containments: `incidents.end_containment_watches` ends the heightened
monitoring a containment started once its case is closed or dismissed (a case's containment
lasts as long as the case). It decides from the data, so running it again does nothing."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.incidents.containment import service

#: hourly: a closed case's people are back to normal thresholds within the hour
INTERVAL_SECONDS = 3600.0


def end_containment_watches(ctx: JobContext) -> str | None:
    """End the heightened watches of the cases closed or dismissed since."""
    with ctx.db.unit_of_work() as session:
        refs = service.end_watches_of_ended_cases(session, actor=ctx.actor)
    return f"heightened monitoring ended for {', '.join(refs)}" if refs else None


JOBS = (
    Job(
        name="incidents.end_containment_watches",
        run=end_containment_watches,
        interval=lambda s: INTERVAL_SECONDS,
    ),
)
