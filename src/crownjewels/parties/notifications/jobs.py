"""The outbox job: `parties.send_mail` mails every due message (new ones the prompt send
missed, and retries whose backoff passed). It decides from the rows, so running it again does
nothing."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.parties.notifications import sender

#: every minute: a failed message is retried soon after its backoff
INTERVAL_SECONDS = 60.0


def send_mail(ctx: JobContext) -> str | None:
    """Mail the due messages; a summary when there were any."""
    report = sender.deliver(ctx.db, ctx.settings)
    if not report.sent and not report.failed:
        return None
    return f"mail sent: {report.sent}, failed: {report.failed}"


JOBS = (Job(name="parties.send_mail", run=send_mail, interval=lambda s: INTERVAL_SECONDS),)
