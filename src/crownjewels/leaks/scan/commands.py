"""CLI of scans, mounted on `crownjewels leaks`: `scan PATH... [--text FILE|-]`, `scans`,
`scan-show LS-0001`, `matches`, `match LM-0001`, `confirm|dismiss|investigate LM-0001`, and
`watches add|list|pause|resume|remove|run`; each with `--json`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from crownjewels.core.cli import CliState, JsonOpt, emit_json, emit_record, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import PageParams
from crownjewels.core.wording import counted
from crownjewels.leaks.scan import review, service, watches
from crownjewels.leaks.scan.schemas import MatchFilter, MatchRead, ScanDetail, WatchCreate
from crownjewels.leaks.schemas import TargetKind

SCAN_COLUMNS = ["ref", "started_at", "target_kind", "target", "status", "files", "matches"]
MATCH_COLUMNS = ["ref", "scan_ref", "secret_ref", "file_path", "similarity", "status", "verdict"]
WATCH_COLUMNS = ["ref", "name", "target_kind", "target", "every_hours", "next_due", "status"]

watches_app = typer.Typer(
    no_args_is_help=True,
    help="Scheduled scans of a folder, repository, bucket or URL, reporting only new matches.",
)


def mount(app: typer.Typer) -> None:
    """Add the scan commands and `watches` to the `leaks` CLI app."""
    app.command("scan")(scan)
    app.command("scans")(scans)
    app.command("scan-show")(scan_show)
    app.command("matches")(matches)
    app.command("match")(match)
    app.command("confirm")(confirm)
    app.command("dismiss")(dismiss)
    app.command("investigate")(investigate)
    app.add_typer(watches_app, name="watches")


def _text(source: str) -> tuple[str, str]:
    """The text to scan and its label, from a file or ('-') stdin."""
    if source == "-":
        return sys.stdin.read(), "text from standard input"
    path = Path(source).expanduser()
    try:
        return path.read_text(encoding="utf-8", errors="replace"), f"text of {path.name}"
    except OSError:
        raise Invalid(f"cannot read {source!r}: no such file here; check the path") from None


def _summary(detail: ScanDetail) -> None:
    skipped = ", ".join(f"{why}: {n:,}" for why, n in detail.skipped.items())
    typer.echo(
        f"{detail.ref} {detail.target_kind.value} {detail.target}: "
        f"{counted(detail.files, 'file')}, "
        f"{counted(detail.bytes, 'byte')}, {counted(detail.matches, 'match', 'matches')}"
        + (f", {detail.identified} traced by watermark or original" if detail.identified else "")
        + (f"; skipped: {skipped}" if skipped else "")
    )
    for m in detail.found:
        typer.echo(f"  {m.ref} {m.file_path}: {m.verdict} (similarity {m.similarity:.0%})")


def scan(
    ctx: typer.Context,
    targets: list[str] = typer.Argument(
        None,
        help="Files, folders, zip/tar archives, git repositories (path or URL), "
        "s3://bucket/prefix or http(s) URLs.",
    ),
    text: str | None = typer.Option(
        None, "--text", help="Scan the text of this file as pasted text ('-' for stdin)."
    ),
    kind: TargetKind | None = typer.Option(
        None, "--kind", help="Read every target as this kind instead of guessing."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Scan targets for the secrets' content and watermarks: one scan (LS-…) per target, its
    matches (LM-…) with their verdicts. With --json, a list of the scans with their files and
    matches."""
    st = state(ctx)
    wanted = [t for t in targets or [] if t.strip()]
    if not wanted and text is None:
        raise Invalid("give something to scan: a PATH, a URL, or --text FILE")
    done: list[ScanDetail] = []
    if text is not None:
        body, label = _text(text)
        done.append(_scan_one(st, text=body, label=label))
    done.extend(_scan_one(st, target=target, kind=kind) for target in wanted)
    if as_json:
        emit_json(done)
        return
    for detail in done:
        _summary(detail)


def _scan_one(
    st: CliState,
    *,
    target: str | None = None,
    kind: TargetKind | None = None,
    text: str | None = None,
    label: str | None = None,
) -> ScanDetail:
    """One scan read with no write lock held (a clone can take minutes), then written in one
    short transaction of its own."""
    with st.unit_of_work(write=False) as (session, actor):
        reading = service.read(
            session, actor=actor, settings=st.settings, target=target, kind=kind, text=text,
            label=label,
        )  # fmt: skip
    with st.database().unit_of_work() as session:
        return service.record(session, reading).scan


def scans(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = JsonOpt,
) -> None:
    """The scans, latest first."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, _ = service.list_scans(session, actor=actor, page=PageParams(limit=limit))
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, SCAN_COLUMNS, empty="no scans yet")


def scan_show(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """One scan (LS-0004): its files and matches."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        detail = service.get_scan(session, actor=actor, ref=ref)
    if as_json:
        emit_json(detail)
        return
    _summary(detail)
    emit_table(detail.scanned, ["path", "size", "sha256", "verdict"], empty="no files read")


def matches(
    ctx: typer.Context,
    status: MatchFilter = typer.Option(
        MatchFilter.NEW, "--status", help="new, confirmed, dismissed or all"
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = JsonOpt,
) -> None:
    """The matches, latest first (by default those still to review)."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = service.list_matches(
            session, actor=actor, status=status, page=PageParams(limit=limit)
        )
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, MATCH_COLUMNS, empty="no matches")


def _show(found: MatchRead) -> None:
    emit_record(found, skip=("passages", "secret_id", "document_id"))
    for p in found.passages:
        source = found.document_name or "the source"
        typer.echo(
            f"  lines {p.source_lines[0]}-{p.source_lines[1]} of {source}"
            f" = lines {p.suspect_lines[0]}-{p.suspect_lines[1]} of {found.file_path}"
            f" ({p.units} units)"
        )


def match(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """One match (LM-0007): the secret, document, similarity, verdict and passages."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        found = service.get_match(session, actor=actor, ref=ref)
    if as_json:
        emit_json(found)
        return
    _show(found)


def confirm(
    ctx: typer.Context,
    ref: str,
    note: str | None = typer.Option(None, "--note", help="What was confirmed."),
    as_json: bool = JsonOpt,
) -> None:
    """Confirm a match: the secret's content is out there."""
    with state(ctx).unit_of_work() as (session, actor):
        found = review.confirm(session, actor=actor, ref=ref, note=note)
    if as_json:
        emit_json(found)
        return
    typer.echo(f"{found.ref} confirmed")


def dismiss(
    ctx: typer.Context,
    ref: str,
    reason: str = typer.Option(..., "--reason", help="Why it is not a leak."),
    as_json: bool = JsonOpt,
) -> None:
    """Dismiss a match, with the reason."""
    with state(ctx).unit_of_work() as (session, actor):
        found = review.dismiss(session, actor=actor, ref=ref, reason=reason)
    if as_json:
        emit_json(found)
        return
    typer.echo(f"{found.ref} dismissed: {found.review_note}")


def investigate(
    ctx: typer.Context,
    ref: str,
    note: str = typer.Option("", "--note", help="Why it is escalated."),
    as_json: bool = JsonOpt,
) -> None:
    """Open an investigation of a match (through the incident capability)."""
    with state(ctx).unit_of_work() as (session, actor):
        done = review.investigate(session, actor=actor, ref=ref, note=note)
    if as_json:
        emit_json(done)
        return
    typer.echo(done.message)


@watches_app.command("add")
def watches_add(
    ctx: typer.Context,
    target: str = typer.Argument(..., help="A folder, git repository, s3://bucket/prefix or URL."),
    name: str = typer.Option(..., "--name", help="What people call it."),
    every: int = typer.Option(24, "--every", min=1, max=24 * 90, help="Hours between runs."),
    kind: TargetKind | None = typer.Option(None, "--kind", help="Instead of guessing."),
    as_json: bool = JsonOpt,
) -> None:
    """Watch a target: re-scanned every --every hours by the worker."""
    data = WatchCreate(name=name, target=target, kind=kind, every_hours=every)
    with state(ctx).unit_of_work() as (session, actor):
        watch = watches.add(session, actor=actor, data=data)
    if as_json:
        emit_json(watch)
        return
    typer.echo(f"{watch.ref} {watch.name}: {watch.target} every {watch.every_hours} h")


@watches_app.command("list")
def watches_list(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Every watch not removed."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows = watches.list_watches(session, actor=actor)
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, WATCH_COLUMNS, empty="no watches")


def _changed(ctx: typer.Context, ref: str, as_json: bool, verb: str) -> None:
    do = {"paused": watches.pause, "resumed": watches.resume, "removed": watches.remove}[verb]
    with state(ctx).unit_of_work() as (session, actor):
        watch = do(session, actor=actor, ref=ref)
    if as_json:
        emit_json(watch)
        return
    typer.echo(f"{watch.ref} {verb}")


@watches_app.command("pause")
def watches_pause(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """Stop running a watch until resumed."""
    _changed(ctx, ref, as_json, "paused")


@watches_app.command("resume")
def watches_resume(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """Run a paused watch again."""
    _changed(ctx, ref, as_json, "resumed")


@watches_app.command("remove")
def watches_remove(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """Remove a watch (its scans and matches stay)."""
    _changed(ctx, ref, as_json, "removed")


@watches_app.command("run")
def watches_run(ctx: typer.Context, ref: str, as_json: bool = JsonOpt) -> None:
    """Run a watch now: only matches it has not reported before."""
    st = state(ctx)
    with st.unit_of_work(write=False) as (session, actor):  # no write lock while it reads
        reading = watches.read_run(session, actor=actor, settings=st.settings, ref=ref)
    with st.database().unit_of_work() as session:
        outcome = watches.record_run(session, reading)
    if as_json:
        emit_json(outcome.scan)
        return
    _summary(outcome.scan)
