"""Scheduled agreement jobs: `agreements.mark_expired` records as expired the agreements whose
expiry date has passed, and `agreements.flag_renewals` records one AGREEMENT_RENEWAL_DUE per
agreement per renewal window, `agreements.notify_expiring` mails legal as an agreement comes
within 90, 30 and 7 days of expiry (once each). All decide from the data, so running them
again does nothing."""

from __future__ import annotations

from crownjewels.agreements import reminders, service
from crownjewels.core.jobs import Job, JobContext

#: hourly: an expiry takes effect within the hour after midnight UTC
INTERVAL_SECONDS = 3600.0


def mark_expired(ctx: JobContext) -> str | None:
    """Mark lapsed agreements expired; a summary when there were any."""
    with ctx.db.unit_of_work() as session:
        refs = service.mark_expired(session, actor=ctx.actor)
    return f"expired {', '.join(refs)}" if refs else None


def flag_renewals(ctx: JobContext) -> str | None:
    """Record renewal reminders for agreements inside their notice window."""
    with ctx.db.unit_of_work() as session:
        refs = service.flag_renewals(session, actor=ctx.actor)
    return f"renewal due: {', '.join(refs)}" if refs else None


def notify_expiring(ctx: JobContext) -> str | None:
    """Queue the expiry reminders due today (mailed after the commit)."""
    with ctx.db.unit_of_work() as session:
        refs = reminders.notify_expiring(session, actor=ctx.actor)
    return f"expiry reminders: {', '.join(refs)}" if refs else None


JOBS = (
    Job(name="agreements.mark_expired", run=mark_expired, interval=lambda s: INTERVAL_SECONDS),
    Job(name="agreements.flag_renewals", run=flag_renewals, interval=lambda s: INTERVAL_SECONDS),
    Job(
        name="agreements.notify_expiring", run=notify_expiring, interval=lambda s: INTERVAL_SECONDS
    ),
)
