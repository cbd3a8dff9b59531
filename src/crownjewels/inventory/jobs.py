"""Scheduled register jobs: `inventory.notify_reviews_due` mails each secret's owner once its
review falls due (once per due date), so running it again does nothing."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.inventory import reminders

#: hourly: a review that falls due at midnight UTC is reminded of within the hour
INTERVAL_SECONDS = 3600.0


def notify_reviews_due(ctx: JobContext) -> str | None:
    """Queue the review reminders due today (mailed after the commit)."""
    with ctx.db.unit_of_work() as session:
        refs = reminders.notify_reviews_due(session, actor=ctx.actor)
    return f"review reminders: {', '.join(refs)}" if refs else None


JOBS = (
    Job(
        name="inventory.notify_reviews_due",
        run=notify_reviews_due,
        interval=lambda s: INTERVAL_SECONDS,
    ),
)
