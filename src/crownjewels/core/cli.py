"""What every CLI command shares: settings and database from the root callback, the acting
user, one unit of work per command, and output as a table or as JSON (`--json`)."""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel
from pydantic_core import to_jsonable_python
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Invalid
from crownjewels.core.files import write_whole
from crownjewels.core.migrate import ensure_current
from crownjewels.core.tables import ImportReport
from crownjewels.settings import Settings

T = TypeVar("T")


@dataclass
class CliState:
    """Built once by the root callback and handed to every sub-command through typer's context."""

    settings: Settings
    acting_as: str | None = None
    #: resolves `--as EMAIL` to that user's Actor (installed by cli.py, which may import parties)
    resolve_actor: Callable[[Session, str], Actor] | None = None
    _db: Database | None = field(default=None, repr=False)

    def database(self, *, check: bool = True) -> Database:
        """The database, checked to be at the newest migration unless `check` is off."""
        if self._db is None:
            self._db = Database(self.settings.resolved_database_url())
            if check:
                ensure_current(self._db.engine, self._db.url)
        return self._db

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[tuple[Session, Actor]]:
        """One transaction and the acting user for one command."""
        with self.database().unit_of_work(write=write) as session:
            yield session, self.actor(session)

    def actor(self, session: Session) -> Actor:
        """The user named by --as (or CROWNJEWELS_AS), else the local operator with every role."""
        if self.acting_as and self.resolve_actor is not None:
            return self.resolve_actor(session, self.acting_as)
        who = getpass.getuser()
        base = system_actor(f"cli-{who}")
        return Actor(kind="cli", id=who, name=f"{who} (command line)", roles=base.roles, mfa=True)


def state(ctx: typer.Context) -> CliState:
    """The CliState of the running command."""
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState), "the root callback sets the CLI state"
    return obj


def to_plain(value: Any) -> Any:
    """JSON-safe data for output."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return to_jsonable_python(value)


def emit_json(value: Any) -> None:
    """Print as indented JSON."""
    typer.echo(json.dumps(to_plain(value), indent=2, ensure_ascii=False))


def emit_table(
    rows: Sequence[BaseModel | dict[str, Any]],
    columns: Sequence[str],
    *,
    empty: str = "nothing found",
) -> None:
    """Print rows as an aligned plain-text table with the given columns."""
    if not rows:
        typer.echo(empty)
        return
    data = [to_plain(r) for r in rows]
    cells = [[_cell(d.get(c)) for c in columns] for d in data]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    typer.echo("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        typer.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def emit_record(value: BaseModel | dict[str, Any], *, skip: Sequence[str] = ()) -> None:
    """Print one record as `field: value` lines."""
    data = to_plain(value)
    width = max(len(k) for k in data) if data else 0
    for key, val in data.items():
        if key in skip:
            continue
        typer.echo(f"{key.ljust(width)}  {_cell(val, limit=200)}")


def _cell(value: Any, *, limit: int = 60) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        text = ", ".join(_cell(v) for v in value) or "-"
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


JsonOpt = typer.Option(False, "--json", help="Print JSON instead of a table.")


def moment(value: str | None, option: str) -> datetime | None:
    """An ISO date or date-time typed for `option`; without a zone it is taken as UTC."""
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(
            f"{option} {value!r} is not an ISO date or time, e.g. 2026-03-01 or "
            "2026-03-01T09:30:00+01:00"
        ) from None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def read_import_file(path: Path) -> bytes:
    """The bytes of a file to import, or Invalid naming the path."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise Invalid(f"{path}: no such file; give the path of a .csv or .xlsx file") from None


def emit_import(report: ImportReport, *, dry_run: bool) -> None:
    """Print an import's outcome; every bad row on stderr as FILE:LINE: problem, exit code 2."""
    if report.problems:
        for line in report.lines:
            typer.echo(line, err=True)
        typer.echo(
            f"error: {len(report.problems)} problem(s) in {report.rows} row(s); nothing was "
            "imported. Fix the rows above and run the import again",
            err=True,
        )
        raise typer.Exit(2)
    if dry_run:
        typer.echo(f"{report.source}: all {report.rows} row(s) are good; nothing was written yet")
        return
    typer.echo(f"{report.source}: imported {report.rows} row(s): {', '.join(report.created)}")


def write_export(content: bytes, *, out: Path | None) -> None:
    """An export to the file `out` (written whole), or to stdout."""
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    write_whole(out, content)
    typer.echo(f"wrote {out}", err=True)
