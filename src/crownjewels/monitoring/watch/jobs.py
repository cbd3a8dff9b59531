"""Scheduled jobs of the departure watch and the log reviews: `monitoring.create_log_reviews`
asks each secret's owner for the last complete period's review (once per secret and period);
`monitoring.close_departure_watches` closes watches well past the last day. Both decide from
the data, so running them again does nothing."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.monitoring.watch import service

#: hourly: a new month's reviews appear within the hour of its first day
INTERVAL_SECONDS = 3600.0


def create_log_reviews(ctx: JobContext) -> str | None:
    """The reviews of the period just ended, with their summaries."""
    with ctx.db.unit_of_work() as session:
        made = service.create_due(
            session, actor=ctx.actor, months=ctx.settings.monitoring_review_months
        )
    return f"log reviews asked: {', '.join(r.ref for r in made)}" if made else None


def close_departure_watches(ctx: JobContext) -> str | None:
    """Close the watches whose last day is past their grace."""
    with ctx.db.unit_of_work() as session:
        refs = service.close_ended(session, actor=ctx.actor)
    return f"departure watches closed: {', '.join(refs)}" if refs else None


JOBS = (
    Job(
        name="monitoring.create_log_reviews",
        run=create_log_reviews,
        interval=lambda s: INTERVAL_SECONDS,
    ),
    Job(
        name="monitoring.close_departure_watches",
        run=close_departure_watches,
        interval=lambda s: INTERVAL_SECONDS,
    ),
)
