"""`crownjewels leaks …`: the fingerprint index, scans, watches, canary tokens and watchlists
(each part mounts its commands on this app from registry.py)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Leak detection: fingerprints, scans of files, repositories, buckets and URLs, "
    "canary tokens and watchlists.",
    no_args_is_help=True,
)
