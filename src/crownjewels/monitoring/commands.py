"""`crownjewels monitor ...`: each part of monitoring mounts its commands on this app."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Monitoring: ingest activity, alerts and triage, channels, departures, log reviews.",
    no_args_is_help=True,
)
