"""Scheduled due-diligence jobs: `vendors.flag_reassessments` records, once a day, REASSESSMENT_DUE
for each vendor whose last completed assessment is older than its review cadence."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.vendors.diligence import schedule


def flag_reassessments(ctx: JobContext) -> str | None:
    """Flag the vendors due for reassessment; a summary when it flagged any."""
    with ctx.db.unit_of_work() as session:
        flagged = schedule.flag_reassessments(session, actor=ctx.actor)
    return f"reassessment due: {', '.join(flagged)}" if flagged else None


JOBS = (
    Job(name="vendors.flag_reassessments", run=flag_reassessments, interval=lambda s: 86_400.0),
)
