"""CLI of access reviews, mounted under `crownjewels access review`:
`start|list|show|decide|close|export|overdue`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import typer

from crownjewels.access.reviews import schemas
from crownjewels.access.reviews import service as reviews
from crownjewels.core import clock
from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Invalid

review_app = typer.Typer(no_args_is_help=True, help="Access reviews: owners confirm or revoke.")
ITEM_COLUMNS = [
    "id",
    "grant_ref",
    "person_name",
    "secret_ref",
    "level",
    "flagged_unused",
    "reviewer_name",
    "decision",
    "decided_at",
]


def mount(app: typer.Typer) -> None:
    """Add `review` to the `access` CLI app."""
    app.add_typer(review_app, name="review")


def _due(value: str | None) -> date:
    if not value:
        return clock.today() + timedelta(days=14)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"--due {value!r} is not a date; use YYYY-MM-DD") from None


@review_app.command("start")
def review_start(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="e.g. 'Q4 2026 access review'"),
    due: str | None = typer.Option(None, "--due", help="YYYY-MM-DD (default: in 14 days)"),
    as_json: bool = JsonOpt,
) -> None:
    """Open a campaign: every approved or active grant, reviewed by its secret's owner."""
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        made = reviews.start(
            session,
            actor=actor,
            name=name,
            due_on=_due(due),
            unused_days=st.settings.access_unused_days,
        )
    if as_json:
        emit_json(made)
        return
    typer.echo(f"started {made.ref} with {made.total} item(s), due {made.due_on}")


@review_app.command("list")
def review_list(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Every campaign with its progress."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = reviews.list_campaigns(session, actor=actor)
    if as_json:
        emit_json(found)
        return
    emit_table(found, ["ref", "name", "status", "due_on", "decided", "total"])


@review_app.command("show")
def review_show(
    ctx: typer.Context, ref: str = typer.Argument(..., help="AR-0001"), as_json: bool = JsonOpt
) -> None:
    """One campaign and its items (a reviewer sees their own)."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = reviews.get(session, actor=actor, campaign_ref=ref)
    if as_json:
        emit_json(found)
        return
    emit_record(found, skip=("items",))
    typer.echo("")
    emit_table(found.items, ITEM_COLUMNS, empty="no items")


@review_app.command("decide")
def review_decide(
    ctx: typer.Context,
    item: str = typer.Argument(..., help="the item id (`access review show`)"),
    decision: schemas.Decision = typer.Argument(..., help="confirm or revoke"),
    note: str | None = typer.Option(None, "--note", help="why (required to revoke)"),
) -> None:
    """Confirm (the grant stays) or revoke (the grant is revoked) one of your items."""
    with state(ctx).unit_of_work() as (session, actor):
        done = reviews.decide(session, actor=actor, item_id=item, decision=decision, note=note)
    typer.echo(f"{done.grant_ref}: {done.decision}")


@review_app.command("close")
def review_close(ctx: typer.Context, ref: str = typer.Argument(...)) -> None:
    """Close a campaign; undecided items stay on record as undecided."""
    with state(ctx).unit_of_work() as (session, actor):
        done = reviews.close(session, actor=actor, campaign_ref=ref)
    typer.echo(f"closed {done.ref}: {done.decided} of {done.total} decided")


@review_app.command("export")
def review_export(
    ctx: typer.Context,
    ref: str = typer.Argument(...),
    out: Path | None = typer.Option(None, "--out", help="write the CSV here (default: stdout)"),
) -> None:
    """The campaign's results as CSV."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        text = reviews.export_csv(session, actor=actor, campaign_ref=ref)
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(text, nl=False)


@review_app.command("overdue")
def review_overdue(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Undecided items of open campaigns past their due date."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = reviews.overdue(session, actor=actor)
    if as_json:
        emit_json(found)
        return
    emit_table(found, ITEM_COLUMNS, empty="nothing overdue")
