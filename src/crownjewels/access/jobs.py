"""Scheduled grant jobs: `access.expire_grants` moves approved grants whose start came to
active and past-expiry grants to expired; `access.suspend_lapsed` re-checks every live grant
and suspends those whose holder no longer passes (an NDA expired, due diligence lapsed,
training expired, the person is leaving), queueing a message to each secret owner in the mail
outbox (mailed after the commit). Both decide from the data, so running them again does nothing."""

from __future__ import annotations

from crownjewels.access import service
from crownjewels.access.lifecycle import service as lifecycle
from crownjewels.core.jobs import Job, JobContext

#: hourly: an expiry or a lapsed NDA takes effect within the hour
INTERVAL_SECONDS = 3600.0


def expire_grants(ctx: JobContext) -> str | None:
    """Activate and expire grants by their dates; a summary when there were any."""
    with ctx.db.unit_of_work() as session:
        refs = service.expire_due(session, actor=ctx.actor)
    return f"grants moved: {', '.join(refs)}" if refs else None


def suspend_lapsed(ctx: JobContext) -> str | None:
    """Suspend grants whose holder no longer meets the rules; queue the owners' messages."""
    with ctx.db.unit_of_work() as session:
        done = lifecycle.suspend_lapsed(session, actor=ctx.actor)
    if not done.refs:
        return None
    return f"suspended {', '.join(done.refs)}; owners told: {len(done.notice_ids)}"


JOBS = (
    Job(name="access.expire_grants", run=expire_grants, interval=lambda s: INTERVAL_SECONDS),
    Job(name="access.suspend_lapsed", run=suspend_lapsed, interval=lambda s: INTERVAL_SECONDS),
)
