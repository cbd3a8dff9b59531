"""Monitoring's intake jobs: `monitoring.read_custody` reads the custody log's accesses into
activity every few seconds; `monitoring.apply_retention` removes activity past the retention
setting once a day. Both decide from the data, so several workers do no harm."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.monitoring import feed, service

#: passes of the feed per run at most (5,000 custody events each), so a run stays short
MAX_PASSES = 20
RETENTION_SECONDS = 24 * 3600.0


def read_custody(ctx: JobContext) -> str | None:
    """Read the custody log's new accesses into activity, pass after pass until caught up."""
    read = stored = 0
    for _ in range(MAX_PASSES):
        if ctx.stop.is_set():
            break
        with ctx.db.unit_of_work() as session:
            result = feed.run_once(session)
        read, stored = read + result.read, stored + result.stored
        if result.read < feed.BATCH:
            break
    return f"custody feed: {stored} accesses of {read} events" if stored else None


def apply_retention(ctx: JobContext) -> str | None:
    """Remove activity older than the retention setting."""
    days = ctx.settings.monitoring_retention_days
    with ctx.db.unit_of_work() as session:
        result = service.purge_activity(session, actor=ctx.actor, days=days)
    if not (result.partitions or result.rows):
        return None
    return f"activity retention ({days} days): removed {result.rows} events"


JOBS = (
    Job(
        name="monitoring.read_custody",
        run=read_custody,
        interval=lambda s: s.monitoring_feed_seconds,
    ),
    Job(
        name="monitoring.apply_retention",
        run=apply_retention,
        interval=lambda s: RETENTION_SECONDS,
    ),
)
