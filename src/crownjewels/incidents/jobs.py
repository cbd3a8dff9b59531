"""The deadline job: `incidents.remind_deadlines` mails each open case's lead and counsel once
when a deadline enters its last stretch and once when it passes (it decides from the notices
already sent, so running it again sends nothing new)."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.incidents import clocking

#: how often the worker looks at the clocks (the shortest clock, China's CIIO one, is an hour)
INTERVAL_SECONDS = 300.0


def remind_deadlines(ctx: JobContext) -> str | None:
    """Send the reminders that are due; a line per reminder."""
    with ctx.db.unit_of_work() as session:
        sent = clocking.remind(session, actor=ctx.actor, tz=ctx.settings.timezone)
    return "\n".join(sent) or None


JOBS = (
    Job(
        name="incidents.remind_deadlines", run=remind_deadlines, interval=lambda s: INTERVAL_SECONDS
    ),
)
