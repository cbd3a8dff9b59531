"""`crownjewels monitor score [--once]`: the continuous scorer (until Ctrl-C or SIGTERM), or
one pass over the queue for cron and scripts."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

import typer

from crownjewels.core.cli import JsonOpt, emit_json, state
from crownjewels.monitoring.scoring import detectors, scorer
from crownjewels.monitoring.scoring.service import BATCH, ScoreResult


def mount(app: typer.Typer) -> None:
    """Add `score` to the `monitor` CLI app."""
    app.command("score")(score)


def _summary(result: ScoreResult) -> str:
    words = [f"scored {result.events} event(s)"]
    if result.alerts_raised:
        words.append(f"raised {', '.join(result.alerts_raised)}")
    if result.alerts_updated:
        words.append(f"added to {', '.join(result.alerts_updated)}")
    if not result.alerts_raised and not result.alerts_updated:
        words.append("no alert")
    return "; ".join(words)


def score(
    ctx: typer.Context,
    once: bool = typer.Option(
        False, "--once", help="Score what is queued now and exit (cron, scripts)."
    ),
    batch: int = typer.Option(
        BATCH, "--batch", min=1, max=10_000, help="Events claimed per transaction."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Score the queue of stored activity into alerts: continuously (woken by new events on
    PostgreSQL, polling on SQLite; several scorers may run at once), or once with --once."""
    st = state(ctx)
    db = st.database()
    with db.unit_of_work(write=False) as session:
        actor = st.actor(session)
    runner = scorer.Scorer(
        db, detector=detectors.default_factory(st.settings), actor=actor, batch=batch
    )
    if once:
        result = runner.drain()
        if as_json:
            emit_json(result)
        else:
            typer.echo(_summary(result).capitalize())
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    typer.echo("Scoring activity as it arrives; Ctrl-C stops.")
    try:
        runner.run(stop, on_batch=lambda r: typer.echo(_summary(r).capitalize()))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    typer.echo("Stopped.")
