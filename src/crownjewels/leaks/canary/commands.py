"""CLI of canary tokens, mounted on `crownjewels leaks`: `tokens`, `plant`, `retire` and
`hits`, each with `--json`."""

from __future__ import annotations

from pathlib import Path

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.files import write_whole
from crownjewels.leaks.canary import service
from crownjewels.leaks.canary.schemas import TokenCreate
from crownjewels.leaks.schemas import TokenKind, TokenStatus

COLUMNS = ["ref", "kind", "secret_ref", "label", "recipient_name", "status", "hits", "last_hit_at"]
HIT_COLUMNS = ["at", "via", "ip", "user_agent", "referrer"]


def tokens(
    ctx: typer.Context,
    secret: str | None = typer.Option(None, "--secret", help="Only this secret's (TS-0003)."),
    status: TokenStatus | None = typer.Option(None, "--status", help="active or retired"),
    kind: TokenKind | None = typer.Option(None, "--kind", help="url, image, docx, pdf, honey"),
    as_json: bool = JsonOpt,
) -> None:
    """Canary tokens, newest first, with their hits."""
    st = state(ctx)
    with st.unit_of_work(write=False) as (session, actor):
        found = service.list_tokens(
            session,
            actor=actor,
            base_url=st.settings.resolved_canary_base_url(),
            secret_ref=secret,
            status=status,
            kind=kind,
        )
    if as_json:
        emit_json(found)
        return
    emit_table(found, COLUMNS, empty="no canary token planted")


def plant(
    ctx: typer.Context,
    secret: str = typer.Argument(..., help="The secret's reference (TS-0003)."),
    kind: TokenKind = typer.Option(..., "--kind", help="url, image, docx, pdf or honey"),
    label: str | None = typer.Option(
        None, "--label", help="Where it goes; a document's title (default: the secret's name)."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Write a DOCX, PDF or honey token's file here."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Plant a canary token for a secret; its URL (or, with --out, its file) is where it fires.
    To plant one in a recipient's copy: `crownjewels vault get … --plant docx`."""
    st = state(ctx)
    base = st.settings.resolved_canary_base_url()
    with st.unit_of_work() as (session, actor):
        made = service.plant(
            session,
            actor=actor,
            data=TokenCreate(secret=secret, kind=kind, label=label),
            base_url=base,
        )
        artefact = None
        if out is not None and kind in (TokenKind.DOCX, TokenKind.PDF, TokenKind.HONEY):
            artefact = service.artefact(session, actor=actor, ref=made.ref, base_url=base)
    if artefact is not None and out is not None:
        write_whole(out, artefact.data)
    if as_json:
        emit_json(made)
        return
    typer.echo(f"{made.ref} planted for {made.secret_ref} ({made.kind.value})")
    if made.url:
        typer.echo(f"fires at {made.url}")
    if artefact is not None:
        typer.echo(f"wrote {out}")
    elif made.kind in (TokenKind.DOCX, TokenKind.PDF, TokenKind.HONEY):
        typer.echo("its file: add --out FILE, or download it from the token's page")


def retire(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The token (CT-0001)."),
    reason: str = typer.Option(..., "--reason", help="Why it stops alerting (recorded)."),
    as_json: bool = JsonOpt,
) -> None:
    """Retire a token: it no longer alerts."""
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        base = st.settings.resolved_canary_base_url()
        done = service.retire(session, actor=actor, ref=ref, reason=reason, base_url=base)
    if as_json:
        emit_json(done)
        return
    typer.echo(f"{done.ref} retired")


def hits(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The token (CT-0001)."),
    as_json: bool = JsonOpt,
) -> None:
    """Each time a token fired: when, from where, with which user agent and referrer."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.hits(session, actor=actor, ref=ref)
    if as_json:
        emit_json(found)
        return
    emit_table(found, HIT_COLUMNS, empty=f"{ref} has not fired")


def mount(app: typer.Typer) -> None:
    """Add `tokens`, `plant`, `retire` and `hits` to the `leaks` CLI app."""
    app.command("tokens")(tokens)
    app.command("plant")(plant)
    app.command("retire")(retire)
    app.command("hits")(hits)
