"""Scheduled vault jobs: `vault.sweep_orphans` removes, once a day, blobs that no committed
version names (see `sweep.py`)."""

from __future__ import annotations

from crownjewels.core.jobs import Job, JobContext
from crownjewels.vault import sweep
from crownjewels.vault.blobs import blob_store


def sweep_orphans(ctx: JobContext) -> str | None:
    """Sweep the installation's blob store; a summary when it deleted anything."""
    store = blob_store(ctx.settings)  # no keys needed: nothing is decrypted
    with ctx.db.unit_of_work() as session:
        gone = sweep.sweep_orphans(session, actor=ctx.actor, store=store)
    return f"deleted {len(gone)} orphan blobs" if gone else None


JOBS = (Job(name="vault.sweep_orphans", run=sweep_orphans, interval=lambda settings: 86_400.0),)
