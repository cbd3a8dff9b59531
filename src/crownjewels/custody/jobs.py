"""Scheduled custody jobs: `custody.take_checkpoint` signs (and timestamps) a checkpoint when
the newest one is older than `checkpoint_interval_seconds` and the log grew since, then asks the
TSA for the timestamps that are still missing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.jobs import Job, JobContext
from crownjewels.custody import checkpoints, keys, repository, timestamps, tsa
from crownjewels.custody.errors import BadTimestamp, TsaUnavailable
from crownjewels.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class StampRun:
    """What one pass over the untimestamped checkpoints did."""

    stamped: list[int] = field(default_factory=list)
    #: why it stopped early (the TSA is down), else None
    failure: str | None = None


def stamp_pending(
    db: Database, *, actor: Actor, config: tsa.TsaConfig, limit: int = 20
) -> StampRun:
    """Timestamp the checkpoints that lack a token, oldest first; the HTTP request runs outside
    any transaction, each token is recorded in its own unit of work. Stops at the first failure."""
    run = StampRun()
    with db.unit_of_work(write=False) as session:
        todo = timestamps.pending(session, limit=limit)
    for size, note in todo:
        try:
            stamp = tsa.request_stamp(note.encode(), config)
        except (TsaUnavailable, BadTimestamp) as exc:
            run.failure = exc.message
            log.warning("checkpoint %s still has no timestamp: %s", size, exc.message)
            break
        with db.unit_of_work() as session:
            if timestamps.record_late(session, actor=actor, tree_size=size, stamp=stamp):
                run.stamped.append(size)
    return run


def _due(ctx: JobContext) -> bool:
    """No checkpoint yet, or the newest is at least the interval old (the log may have grown)."""
    with ctx.db.unit_of_work(write=False) as session:
        if repository.head(session) is None:
            return False  # nothing to sign in an empty log
        latest = repository.latest_checkpoint(session)
        signed_at_us = latest.signed_at_us if latest else None
    if signed_at_us is None:
        return True
    age = clock.to_micros(clock.now()) - signed_at_us
    return age >= ctx.settings.checkpoint_interval_seconds * 1_000_000


def take_checkpoint(ctx: JobContext) -> str:
    """Sign a checkpoint when due and the log grew; then timestamp what lacks a timestamp."""
    config = tsa.TsaConfig.from_settings(ctx.settings)
    said: list[str] = []
    if _due(ctx):
        key = keys.load_signing_key(ctx.settings.home)
        with ctx.db.unit_of_work() as session:
            before = repository.latest_checkpoint(session)
            before_size = before.tree_size if before else None
            made = checkpoints.create(session, actor=ctx.actor, key=key, timestamper=config)
        fresh = made.tree_size != before_size
        stamped = " (timestamped)" if made.timestamped else ""
        said.append(
            f"signed checkpoint {made.tree_size}{stamped}" if fresh else "the log did not grow"
        )
    else:
        said.append("no checkpoint due")
    if config is not None:
        run = stamp_pending(ctx.db, actor=ctx.actor, config=config)
        if run.stamped:
            said.append(f"timestamped checkpoints {', '.join(map(str, run.stamped))}")
        if run.failure:
            said.append(f"timestamps still pending: {run.failure}")
    return "; ".join(said)


def _checkpoint_every(settings: Settings) -> float:
    # Look often enough that a checkpoint is never more than a tenth of the interval late.
    return float(max(1, min(60, settings.checkpoint_interval_seconds // 10)))


JOBS = (Job("custody.take_checkpoint", take_checkpoint, _checkpoint_every),)
