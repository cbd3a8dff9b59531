"""CLI of the departure watch and the log reviews, mounted under `crownjewels monitor`:
`departures notice|list|show|report|close` and `reviews create|list|overdue|show|sign-off|
concern`, each with `--json`."""

from __future__ import annotations

from datetime import date

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.monitoring.watch import service
from crownjewels.monitoring.watch.schemas import ReviewStatus, WatchStatus

departures_app = typer.Typer(
    no_args_is_help=True, help="Departure watches: notice, look-back, report for HR and legal."
)
reviews_app = typer.Typer(
    no_args_is_help=True, help="Log reviews: owners sign off their secrets' activity monthly."
)
WATCH_COLUMNS = ["ref", "person_name", "notice_on", "last_day", "status", "heightened"]
REVIEW_COLUMNS = ["ref", "secret_ref", "period_start", "period_end", "reviewer_name", "due_on"]


def mount(app: typer.Typer) -> None:
    """Add `departures` and `reviews` to the `monitor` CLI app."""
    app.add_typer(departures_app, name="departures")
    app.add_typer(reviews_app, name="reviews")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"{option} {value!r} is not a date; use YYYY-MM-DD") from None


@departures_app.command("notice")
def departures_notice(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person's email or id."),
    notice: str = typer.Option(..., "--notice", help="The day notice was given, YYYY-MM-DD."),
    last_day: str = typer.Option(..., "--last-day", help="Their last day, YYYY-MM-DD."),
    as_json: bool = JsonOpt,
) -> None:
    """Record a notice of departure: opens the person's watch with its 90-day look-back."""
    with state(ctx).unit_of_work() as (session, actor):
        watch = service.give_notice(
            session,
            actor=actor,
            person_ref=person,
            notice_on=_day(notice, "--notice"),
            last_day=_day(last_day, "--last-day"),
        )
    if as_json:
        emit_json(watch)
        return
    typer.echo(f"{watch.ref} open for {watch.person_name} until {watch.last_day}")
    if watch.lookback:
        typer.echo(watch.lookback.summary)


@departures_app.command("list")
def departures_list(
    ctx: typer.Context,
    status: WatchStatus | None = typer.Option(None, "--status", help="open or closed"),
    as_json: bool = JsonOpt,
) -> None:
    """Every departure watch, newest first."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.list_watches(session, actor=actor, status=status)
    if as_json:
        emit_json(found)
        return
    emit_table(found, WATCH_COLUMNS)


@departures_app.command("show")
def departures_show(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """One watch with its look-back."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        watch = service.get_watch(session, actor=actor, ref=ref)
    if as_json:
        emit_json(watch)
        return
    emit_record(watch, skip=("lookback",))
    if watch.lookback:
        typer.echo(watch.lookback.summary)


@departures_app.command("report")
def departures_report(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """The report for HR and legal: what they took and accessed, alerts, grants, agreements
    and the exit obligations they attested."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.report(session, actor=actor, ref=ref)
    if as_json:
        emit_json(found)
        return
    w = found.watch
    typer.echo(f"{w.ref} {w.person_name}: notice {w.notice_on}, last day {w.last_day}")
    if w.lookback:
        typer.echo(w.lookback.summary)
    typer.echo(f"from {found.since:%Y-%m-%d} to {found.until:%Y-%m-%d}")
    for title, lines in (("Taken", found.taken), ("Accessed", found.accessed)):
        typer.echo(f"\n{title}:")
        emit_table(lines, ["secret_ref", "resource", "action", "count", "bytes", "last_at"])
    typer.echo("\nAlerts:")
    emit_table(found.alerts, ["ref", "severity", "status", "title"])
    typer.echo("\nGrants:")
    emit_table(found.grants, ["ref", "secret", "level", "status"])
    typer.echo("\nAgreements in force: " + (", ".join(a.ref for a in found.agreements) or "none"))
    attested = "yes" if found.exit_obligations_attested else "no"
    typer.echo(f"Exit obligations attested: {attested}")


@departures_app.command("close")
def departures_close(
    ctx: typer.Context,
    ref: str,
    reason: str = typer.Option(..., "--reason", help="Why the watch closes."),
    as_json: bool = JsonOpt,
) -> None:
    """Close a watch: thresholds back to normal."""
    with state(ctx).unit_of_work() as (session, actor):
        watch = service.close_watch(session, actor=actor, ref=ref, reason=reason)
    if as_json:
        emit_json(watch)
        return
    typer.echo(f"{watch.ref} closed")


@reviews_app.command("create")
def reviews_create(
    ctx: typer.Context,
    on: str | None = typer.Option(None, "--on", help="As if today were YYYY-MM-DD."),
    months: int | None = typer.Option(None, "--months", help="Period length (default setting)."),
    as_json: bool = JsonOpt,
) -> None:
    """Ask each active secret's owner for the last complete period's review (as the worker
    does once a period ends); already asked ones are left alone."""
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        made = service.create_due(
            session,
            actor=actor,
            on=_day(on, "--on") if on else None,
            months=months or st.settings.monitoring_review_months,
        )
    if as_json:
        emit_json(made)
        return
    typer.echo(f"{len(made)} review(s) asked")
    if made:
        emit_table(made, REVIEW_COLUMNS)


@reviews_app.command("list")
def reviews_list(
    ctx: typer.Context,
    status: ReviewStatus | None = typer.Option(None, "--status", help="due, signed-off, concern"),
    as_json: bool = JsonOpt,
) -> None:
    """The reviews you may see (all, for readers of the custody log), newest first."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.list_reviews(session, actor=actor, status=status)
    if as_json:
        emit_json(found)
        return
    emit_table(found, [*REVIEW_COLUMNS, "status", "overdue"])


@reviews_app.command("overdue")
def reviews_overdue(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Reviews still due past their date."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.list_reviews(session, actor=actor, overdue=True)
    if as_json:
        emit_json(found)
        return
    emit_table(found, REVIEW_COLUMNS)


@reviews_app.command("show")
def reviews_show(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """One review with its summary."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.get_review(session, actor=actor, ref=ref)
    if as_json:
        emit_json(found)
        return
    emit_record(found, skip=("summary",))
    typer.echo(found.summary.get("text", ""))


@reviews_app.command("sign-off")
def reviews_sign_off(
    ctx: typer.Context,
    ref: str,
    comment: str | None = typer.Option(None, "--comment"),
    as_json: bool = JsonOpt,
) -> None:
    """Sign off a review of your secret: nothing amiss."""
    with state(ctx).unit_of_work() as (session, actor):
        done = service.sign_off(session, actor=actor, ref=ref, comment=comment)
    if as_json:
        emit_json(done)
        return
    typer.echo(f"{done.ref} signed off")


@reviews_app.command("concern")
def reviews_concern(
    ctx: typer.Context,
    ref: str,
    comment: str = typer.Option(..., "--comment", help="What concerns you: who, what, when."),
    as_json: bool = JsonOpt,
) -> None:
    """Raise a concern in a review of your secret."""
    with state(ctx).unit_of_work() as (session, actor):
        done = service.raise_concern(session, actor=actor, ref=ref, comment=comment)
    if as_json:
        emit_json(done)
        return
    typer.echo(f"{done.ref}: concern raised")
