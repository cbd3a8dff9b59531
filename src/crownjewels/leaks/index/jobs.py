"""`leaks.index_pending`: the worker fingerprints the versions still queued (an upload whose
prompt indexing did not run: a CLI upload, a crash), then the versions fingerprinted with
other parameters than this version's (after an upgrade), one unit of work per version."""

from __future__ import annotations

import logging

from crownjewels.core.jobs import Job, JobContext
from crownjewels.core.wording import counted
from crownjewels.leaks.index import service
from crownjewels.vault import service as vault_service

_log = logging.getLogger(__name__)
INTERVAL_SECONDS = 60.0
#: versions per run (the rest wait for the next)
BATCH = 50


def index_pending(ctx: JobContext) -> str | None:
    """Fingerprint the queued versions; a summary when there were any."""
    with ctx.db.unit_of_work(write=False) as session:
        versions = service.pending(session, limit=BATCH)
        if len(versions) < BATCH:
            versions += service.stale(session, limit=BATCH - len(versions))
    if not versions:
        return None
    vault = vault_service.open_vault(ctx.settings)
    done = 0
    failed = 0
    for document_id, number in versions:
        if ctx.stop.is_set():
            break
        try:
            with ctx.db.unit_of_work() as session:
                service.index_version(
                    session,
                    actor=ctx.actor,
                    vault=vault,
                    document_id=document_id,
                    version_number=number,
                )
            done += 1
        except Exception:  # one version that cannot be read must not hold up the others
            _log.exception("fingerprinting %s v%d failed; it stays queued", document_id, number)
            failed += 1
    summary = f"fingerprinted {counted(done, 'document version')}"
    return summary + (f"; {failed} failed (see the log), left queued" if failed else "")


JOBS = (Job(name="leaks.index_pending", run=index_pending, interval=lambda s: INTERVAL_SECONDS),)
