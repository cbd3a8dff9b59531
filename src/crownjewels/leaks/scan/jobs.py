"""`leaks.run_watches`: each due scan watch read in a read-only transaction and written in a
short one of its own, reporting only new matches; a run that fails is kept as a failed scan
saying why, and the others still run."""

from __future__ import annotations

from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.jobs import Job, JobContext
from crownjewels.core.wording import counted
from crownjewels.leaks.scan import watches

#: every ten minutes: a watch runs within ten minutes of being due
INTERVAL_SECONDS = 600.0


def run_watches(ctx: JobContext) -> str | None:
    """Run the due watches; what each found, in words."""
    with ctx.db.unit_of_work() as session:
        refs = watches.due(session)
    done: list[str] = []
    for ref in refs:
        if ctx.stop.is_set():
            break
        try:
            # read with no write lock held (a clone can take minutes), then one short write
            with ctx.db.unit_of_work(write=False) as session:
                reading = watches.read_run(session, actor=ctx.actor, settings=ctx.settings, ref=ref)
            with ctx.db.unit_of_work() as session:
                outcome = watches.record_run(session, reading)
            found = counted(outcome.scan.matches, "new match", "new matches")
            done.append(f"{ref}: {outcome.scan.ref}, {found}")
        except CrownJewelsError as exc:
            with ctx.db.unit_of_work() as session:
                scan_ref = watches.failed(session, actor=ctx.actor, ref=ref, error=exc.message)
            done.append(f"{ref}: {scan_ref} failed ({exc.message})")
    return "scan watches run: " + "; ".join(done) if done else None


JOBS = (Job(name="leaks.run_watches", run=run_watches, interval=lambda s: INTERVAL_SECONDS),)
