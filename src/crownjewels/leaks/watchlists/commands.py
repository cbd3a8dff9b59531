"""`crownjewels leaks watchlist|feeds|reviews ...`: set and show a secret's watchlist; add,
list, change, fetch and remove feeds; list and mark the review queue."""

from __future__ import annotations

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.schemas import ReviewStatus
from crownjewels.leaks.watchlists import fetching, reviews, service
from crownjewels.leaks.watchlists.fetch import FeedLimits
from crownjewels.leaks.watchlists.schemas import (
    DEFAULT_THRESHOLD,
    FeedCreate,
    FeedUpdate,
    FetchOutcome,
    ReviewMark,
    WatchlistSet,
)

watchlist_app = typer.Typer(
    no_args_is_help=True, help="A secret's watch terms, competitors and review threshold."
)
feeds_app = typer.Typer(no_args_is_help=True, help="The RSS and Atom feeds watched.")
reviews_app = typer.Typer(no_args_is_help=True, help="Items queued for legal review.")
FEED_COLUMNS = ["ref", "name", "url", "every_hours", "status", "error", "last_fetched_at", "items"]
REVIEW_COLUMNS = ["ref", "secret_ref", "score", "status", "title", "reason", "link"]


def mount(parent: typer.Typer) -> None:
    """Add `watchlist`, `feeds` and `reviews` to the `leaks` CLI app."""
    parent.add_typer(watchlist_app, name="watchlist")
    parent.add_typer(feeds_app, name="feeds")
    parent.add_typer(reviews_app, name="reviews")


@watchlist_app.command("set")
def set_(
    ctx: typer.Context,
    secret: str = typer.Argument(..., help="The secret: TS-0003 or its name."),
    terms: list[str] = typer.Option([], "--term", help="A word or phrase to watch (repeat)."),
    competitors: list[str] = typer.Option(
        [], "--competitor", help="A competitor's name to watch (repeat)."
    ),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", help="Queue items scoring at least this (0.01-1)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Set (replace) a secret's watchlist; its description is always part of it."""
    data = WatchlistSet.model_validate(
        {"terms": terms, "competitors": competitors, "threshold": threshold}
    )
    with state(ctx).unit_of_work() as (session, actor):
        row = service.set_watchlist(session, actor=actor, secret_ref=secret, data=data)
    if as_json:
        emit_json(row)
    else:
        emit_record(row)


@watchlist_app.command("show")
def show(
    ctx: typer.Context,
    secret: str | None = typer.Argument(None, help="One secret's; every watchlist without."),
    as_json: bool = JsonOpt,
) -> None:
    """A secret's watchlist, or every watchlist."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        if secret:
            row = service.get_watchlist(session, actor=actor, secret_ref=secret)
            emit_json(row) if as_json else emit_record(row)
            return
        rows = service.list_watchlists(session, actor=actor)
    if as_json:
        emit_json(rows)
        return
    emit_table(
        rows,
        ["secret_ref", "secret_name", "terms", "competitors", "threshold", "pending"],
        empty="no watchlists yet: `crownjewels leaks watchlist set TS-0001 --term ...`",
    )


@feeds_app.command("add")
def add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="The feed's http(s) URL (RSS or Atom)."),
    name: str = typer.Option(..., "--name", help="A name people recognise."),
    every_hours: int = typer.Option(6, "--every", help="Fetch every this many hours (1-168)."),
    as_json: bool = JsonOpt,
) -> None:
    """Add a feed; the worker fetches it at once, then on its cadence."""
    data = FeedCreate.model_validate({"name": name, "url": url, "every_hours": every_hours})
    with state(ctx).unit_of_work() as (session, actor):
        row = service.add_feed(session, actor=actor, data=data)
    if as_json:
        emit_json(row)
    else:
        typer.echo(f"added {row.ref} {row.name}: fetched every {row.every_hours} h")


@feeds_app.command("list")
def list_(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """The feeds with their state and why a failed one failed."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = service.list_feeds(session, actor=actor)
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, FEED_COLUMNS, empty="no feeds yet: `crownjewels leaks feeds add URL --name`")


@feeds_app.command("update")
def update(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The feed: WF-0001."),
    name: str | None = typer.Option(None, "--name"),
    url: str | None = typer.Option(None, "--url"),
    every_hours: int | None = typer.Option(None, "--every", help="Hours between fetches."),
    paused: bool | None = typer.Option(None, "--pause/--resume", help="Pause or resume it."),
    as_json: bool = JsonOpt,
) -> None:
    """Change, pause or resume a feed (only what is given)."""
    data = FeedUpdate.model_validate(
        {"name": name, "url": url, "every_hours": every_hours, "paused": paused}
    )
    with state(ctx).unit_of_work() as (session, actor):
        row = service.update_feed(session, actor=actor, feed_ref=ref, data=data)
    if as_json:
        emit_json(row)
    else:
        emit_record(row)


@feeds_app.command("fetch")
def fetch(
    ctx: typer.Context,
    ref: str | None = typer.Argument(None, help="This feed now; every due feed without."),
    as_json: bool = JsonOpt,
) -> None:
    """Fetch a feed now (or every due one); exit 1 when a feed failed."""
    cli = state(ctx)
    limits = FeedLimits.from_settings(cli.settings)
    with cli.unit_of_work(write=False) as (_session, actor):
        if ref is None:  # fetching writes items and queues reviews: leaks:manage
            actor.require(P.LEAKS_MANAGE, what="fetching feeds")
    db = cli.database()
    if ref:
        results = [fetching.fetch_now(db, actor=actor, feed_ref=ref, limits=limits)]
    else:
        results = fetching.fetch_due(db, actor=actor, limits=limits)
    if as_json:
        emit_json(results)
    else:
        typer.echo("\n".join(service.describe(r) for r in results) or "no feed is due")
    if any(r.outcome is FetchOutcome.FAILED for r in results):
        raise typer.Exit(1)


@feeds_app.command("remove")
def remove(ctx: typer.Context, ref: str = typer.Argument(..., help="The feed: WF-0001.")) -> None:
    """Stop fetching a feed; its items and reviews stay."""
    with state(ctx).unit_of_work() as (session, actor):
        gone = service.remove_feed(session, actor=actor, feed_ref=ref)
    typer.echo(f"removed the feed {gone.ref} {gone.name}")


def _status(value: str) -> ReviewStatus | None:
    if value == "all":
        return None
    try:
        return ReviewStatus(value.strip().lower())
    except ValueError:
        choices = ", ".join(s.value for s in ReviewStatus)
        raise Invalid(f"no review status {value!r}; use {choices} or all", field="status") from None


@reviews_app.command("list")
def list_reviews(
    ctx: typer.Context,
    status: str = typer.Option("pending", "--status", help="pending, relevant, not-relevant, all"),
    secret: str | None = typer.Option(None, "--secret", help="Of this secret only."),
    limit: int = typer.Option(50, "--limit", help="At most this many rows (1-500)."),
    as_json: bool = JsonOpt,
) -> None:
    """Queued items, newest first, with their score and reason."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, total = reviews.list_reviews(
            session,
            actor=actor,
            status=_status(status),
            secret_ref=secret,
            page=PageParams(limit=limit),
        )
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, REVIEW_COLUMNS, empty="nothing in the queue")
    if total > len(rows):
        typer.echo(f"(1-{len(rows)} of {total}; see more with --limit)", err=True)


@reviews_app.command("mark")
def mark(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The queued item: WR-0001."),
    relevant: bool = typer.Option(
        ..., "--relevant/--not-relevant", help="Whether the item concerns the secret."
    ),
    note: str = typer.Option(..., "--note", help="Why (kept in the custody log)."),
    investigate: bool = typer.Option(
        False, "--investigate", help="Open an investigation (relevant items only)."
    ),
    disclosed: bool = typer.Option(
        False, "--disclosed", help="Record the secret disclosed (relevant items only)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Mark a queued item relevant or not; a relevant one alerts monitoring."""
    data = ReviewMark.model_validate(
        {
            "relevant": relevant,
            "note": note,
            "open_investigation": investigate,
            "mark_disclosed": disclosed,
        }
    )
    with state(ctx).unit_of_work() as (session, actor):
        row = reviews.mark_review(session, actor=actor, review_ref=ref, data=data)
    if as_json:
        emit_json(row)
        return
    typer.echo(f"{row.ref} marked {row.status}" + (f": {row.outcome}" if row.outcome else ""))
