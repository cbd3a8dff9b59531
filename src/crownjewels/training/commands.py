"""CLI of training: `crownjewels training courses add|list`, `complete`, `import FILE.csv`,
`status PERSON`, `attestations PERSON`, `acknowledge`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.training import service
from crownjewels.training.schemas import (
    CompletionCreate,
    CourseCreate,
    CourseKind,
    RequiredFor,
    Result,
)

app = typer.Typer(no_args_is_help=True, help="Training: courses, completions, attestations.")
courses_app = typer.Typer(no_args_is_help=True, help="Courses.")
app.add_typer(courses_app, name="courses")


def _day(value: str | None, flag: str) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{flag} {value!r} is not a date; use YYYY-MM-DD") from None


@courses_app.command("add")
def add_course(
    ctx: typer.Context,
    code: str = typer.Argument(..., help="Short code, e.g. TS-101."),
    name: str = typer.Argument(..., help="The course's name."),
    kind: CourseKind = typer.Option(CourseKind.OTHER, "--kind"),
    validity_days: int | None = typer.Option(
        None, "--validity-days", help="A completion counts this long."
    ),
    required_for: RequiredFor = typer.Option(RequiredFor.NONE, "--required-for"),
    as_json: bool = JsonOpt,
) -> None:
    """Add a course."""
    data = CourseCreate(
        code=code, name=name, kind=kind, validity_days=validity_days, required_for=required_for
    )
    with state(ctx).unit_of_work() as (session, actor):
        course = service.create_course(session, actor=actor, data=data)
    if as_json:
        emit_json(course)
    else:
        typer.echo(f"Added course {course.code} {course.name}")


@courses_app.command("list")
def list_courses(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Every course with its number of completions."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        items = service.list_courses(session, actor=actor)
    if as_json:
        emit_json(items)
        return
    rows = [
        {
            "code": c.code,
            "name": c.name,
            "kind": c.kind.value,
            "required": c.required_for.value,
            "valid_days": c.validity_days or "-",
            "completions": c.completions,
        }
        for c in items
    ]
    emit_table(
        rows, ["code", "name", "kind", "required", "valid_days", "completions"], empty="no courses"
    )


@app.command("complete")
def complete(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person (email or id)."),
    course: str = typer.Argument(..., help="The course code."),
    on: str | None = typer.Option(None, "--on", help="Completion date (YYYY-MM-DD; today)."),
    failed: bool = typer.Option(False, "--failed", help="Record a failed result (e.g. phishing)."),
    score: float | None = typer.Option(None, "--score"),
    as_json: bool = JsonOpt,
) -> None:
    """Record a completion by hand."""
    data = CompletionCreate(
        person=person,
        course=course,
        completed_on=_day(on, "--on"),
        result=Result.FAILED if failed else Result.PASSED,
        score=score,
    )
    with state(ctx).unit_of_work() as (session, actor):
        done = service.record_completion(session, actor=actor, data=data)
    if as_json:
        emit_json(done)
    else:
        typer.echo(
            f"Recorded {done.course_code} {done.result.value} on {done.completed_on}"
            + (f", current until {done.expires_on}" if done.expires_on else "")
        )


@app.command("import")
def import_file(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="LMS export (CSV)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and count, record nothing."),
    as_json: bool = JsonOpt,
) -> None:
    """Import completions from an LMS export: columns email, course, completed_on, result
    (score optional); all rows or none."""
    text = file.read_text("utf-8-sig")
    with state(ctx).unit_of_work() as (session, actor):
        result = service.import_completions(
            session, actor=actor, text=text, source=file.name, dry_run=dry_run
        )
    if as_json:
        emit_json(result)
    else:
        verb = "Would record" if dry_run else "Recorded"
        typer.echo(
            f"{verb} {result.recorded} of {result.rows} rows "
            f"({result.skipped_duplicates} already recorded)"
        )


@app.command("status")
def status(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person (email or id)."),
    as_json: bool = JsonOpt,
) -> None:
    """A person's required courses, current or not."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        st = service.status(session, actor=actor, person=person)
    if as_json:
        emit_json(st)
        return
    rows = [
        {
            "course": c.code,
            "name": c.name,
            "current": "yes" if c.current else "NO",
            "until": c.expires_on or "-",
        }
        for c in st.required
    ]
    emit_table(rows, ["course", "name", "current", "until"], empty="no required courses")


@app.command("attestations")
def attestations(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person (email or id)."),
    as_json: bool = JsonOpt,
) -> None:
    """A person's acknowledgements, newest first, with the SHA-256 of each text."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        items = service.attestations(session, actor=actor, person=person)
    if as_json:
        emit_json(items)
        return
    rows = [
        {
            "when": f"{a.acknowledged_at:%Y-%m-%d %H:%M}",
            "kind": a.kind.value,
            "secret": a.secret_id or "-",
            "channel": a.channel,
            "sha256": a.text_sha256[:16],
        }
        for a in items
    ]
    emit_table(rows, ["when", "kind", "secret", "channel", "sha256"], empty="no attestations")
