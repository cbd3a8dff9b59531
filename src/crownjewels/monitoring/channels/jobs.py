"""The delivery job: `monitoring.send_alerts` sends every due webhook and syslog delivery (new
ones the prompt send missed, and retries whose backoff passed). It decides from the rows, so
running it again does nothing."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.monitoring.channels import sender

#: a failed delivery is retried soon after its backoff (the first is 30 seconds)
INTERVAL_SECONDS = 15.0


def send_alerts(ctx: JobContext) -> str | None:
    """Send the due deliveries; a summary when there were any."""
    report = sender.deliver(ctx.db, ctx.settings)
    if not report.sent and not report.failed:
        return None
    return f"alert deliveries sent: {report.sent}, failed: {report.failed}"


JOBS = (Job(name="monitoring.send_alerts", run=send_alerts, interval=lambda s: INTERVAL_SECONDS),)
