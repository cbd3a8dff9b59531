"""The feed job: `leaks.fetch_feeds` fetches every feed whose cadence is due (working and
failed ones; paused and removed are left alone). It decides from the rows, so running it again
fetches nothing until a feed is due again."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.leaks.watchlists import fetching, service
from crownjewels.leaks.watchlists.fetch import FeedLimits

#: how often the worker looks for due feeds (each feed has its own cadence in hours)
INTERVAL_SECONDS = 300.0


def fetch_feeds(ctx: JobContext) -> str | None:
    """Fetch the due feeds; a line per feed fetched."""
    results = fetching.fetch_due(
        ctx.db, actor=ctx.actor, limits=FeedLimits.from_settings(ctx.settings), stop=ctx.stop
    )
    return "\n".join(service.describe(r) for r in results) or None


JOBS = (Job(name="leaks.fetch_feeds", run=fetch_feeds, interval=lambda s: INTERVAL_SECONDS),)
