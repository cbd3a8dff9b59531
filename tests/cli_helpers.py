"""Run the real `crownjewels` CLI against a throw-away installation: in-process through `main()`
(fast: the same exit codes and stderr lines as the installed command) or as a subprocess of the
installed entry point."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from crownjewels.cli import main
from crownjewels.core.db import normalise_url

BINARY = Path(sys.executable).parent / "crownjewels"
#: variables of the developer's shell that must not leak into a test run
_CLEARED = (
    "CROWNJEWELS_AS",
    "CROWNJEWELS_SECRET_KEY",
    "CROWNJEWELS_COMPANY_NAME",
    "CROWNJEWELS_NEW_PASSWORD",
    "CROWNJEWELS_BASE_URL",
)


@dataclass(frozen=True)
class Run:
    """The outcome of one command."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.out)

    @property
    def err_lines(self) -> list[str]:
        """The non-empty lines written to stderr."""
        return [line for line in self.err.splitlines() if line.strip()]


class Cli:
    """One installation (a home folder and a database URL) and the CLI run against it."""

    def __init__(self, home: Path, url: str | None = None) -> None:
        self.home = home
        self.url = url or f"sqlite:///{home / 'crownjewels.db'}"
        self.env: dict[str, str | None] = {
            **dict.fromkeys(_CLEARED),
            "CROWNJEWELS_HOME": str(home),
            "CROWNJEWELS_DATABASE_URL": self.url,
        }

    def __call__(self, *args: str, input: str | None = None, **env: str) -> Run:
        """Run `crownjewels ARGS...` in-process through main(); never raises SystemExit."""
        argv = sys.argv
        with CliRunner().isolation(input=input, env={**self.env, **env}) as (out, err, _):
            sys.argv = ["crownjewels", *args]
            try:
                main()
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
            finally:
                sys.argv = argv
            return Run(code, out.getvalue().decode(), err.getvalue().decode())

    def binary(self, *args: str, **env: str) -> Run:
        """Run the installed `crownjewels` command in a subprocess."""
        full_env = {k: v for k, v in {**_base_env(), **self.env, **env}.items() if v is not None}
        done = subprocess.run(
            [str(BINARY), *args], env=full_env, capture_output=True, text=True, timeout=120
        )
        return Run(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, input: str | None = None, **env: str) -> Run:
        """Run a command that must succeed."""
        run = self(*args, input=input, **env)
        assert run.code == 0, f"crownjewels {' '.join(args)} -> {run.code}\n{run.out}\n{run.err}"
        return run

    def sql(self, statement: str, **params: Any) -> list[Any]:
        """Rows of a statement run directly on the database (committed)."""
        engine = create_engine(normalise_url(self.url))
        try:
            with engine.begin() as conn:
                result = conn.execute(text(statement), params)
                return list(result.all()) if result.returns_rows else []
        finally:
            engine.dispose()

    def count(self, table: str) -> int:
        """Rows in a table."""
        return int(self.sql(f"SELECT count(*) FROM {table}")[0][0])

    def copy_to(self, home: Path) -> Cli:
        """A copy of this SQLite installation (database and secret key) in another home."""
        home.mkdir(parents=True, exist_ok=True)
        target = Cli(home)
        src = self.url.removeprefix("sqlite:///")
        with (
            closing(sqlite3.connect(src)) as a,
            closing(sqlite3.connect(home / "crownjewels.db")) as b,
        ):
            a.backup(b)
        key = self.home / "secret.key"
        if key.exists():
            (home / "secret.key").write_text(key.read_text())
        return target


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CROWNJEWELS_")}


def assert_user_error(run: Run, *needles: str) -> None:
    """Exit code 2 and exactly one line on stderr that contains every needle."""
    assert run.code == 2, f"exit {run.code}\n{run.out}\n{run.err}"
    assert len(run.err_lines) == 1, run.err
    assert run.err_lines[0].startswith("error: "), run.err
    for needle in needles:
        assert needle in run.err_lines[0], run.err
