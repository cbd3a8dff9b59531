"""CLI sub-commands of the custody log: `crownjewels custody verify|log|show|checkpoint|
checkpoints|timestamp|prove|consistency|export|verify-bundle`."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, moment, state
from crownjewels.core.errors import Invalid
from crownjewels.core.pagination import Page, PageParams
from crownjewels.core.permissions import Permission
from crownjewels.custody import (
    bundle,
    checkpoints,
    export,
    jobs,
    keys,
    labels,
    service,
    timestamps,
    tsa,
)
from crownjewels.custody.errors import EventNotFound, TsaNotConfigured
from crownjewels.custody.schemas import EventFilter, EventRead, EventType

app = typer.Typer(no_args_is_help=True, help="The tamper-evident chain-of-custody log.")


def _event_type(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return EventType(value.strip().upper().replace("-", "_")).value
    except ValueError:
        raise Invalid(
            f"--type {value!r} is not an event type; e.g. {EventType.SECRET_REGISTERED.value}, "
            f"{EventType.PERSON_DEPARTED.value} (all: {', '.join(e.value for e in EventType)})"
        ) from None


@app.command("verify")
def verify(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Recompute every event's hash and link; exit 1 naming the first broken event."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        actor.require(Permission.CUSTODY_VERIFY)
        result = service.verify(
            session, actor=actor, public_key=keys.load_public_key(state(ctx).settings.home)
        )
        service.record_verification(session, actor=actor, result=result)
        broken: EventRead | None = None
        if not result.ok and result.first_broken_seq is not None:
            try:
                broken = service.get_event(session, seq=result.first_broken_seq)
            except EventNotFound:
                broken = None  # deleted: the problem says so
    if as_json:
        emit_json(result)
    elif result.ok:
        typer.echo(
            f"chain intact: {result.checked} events, head {result.head_seq} {result.head_hash}"
        )
    if result.ok:
        return
    where = f" at event #{result.first_broken_seq}" if result.first_broken_seq else ""
    typer.echo(f"chain BROKEN{where}: {result.problem}", err=True)
    if broken is not None:
        typer.echo(
            f"first broken event: #{broken.seq} {broken.event_type} "
            f"{broken.subject_type}:{broken.subject_id} by {broken.actor} "
            f"at {broken.recorded_at:%Y-%m-%d %H:%M:%S} UTC",
            err=True,
        )
    typer.echo(
        f"the {result.checked} events before it verify; last good head "
        f"{result.head_seq} {result.head_hash}",
        err=True,
    )
    raise typer.Exit(1)


def _row(event: EventRead, named: dict[str, labels.Label]) -> dict[str, Any]:
    """An event as the table shows it: names and refs, the type in words (--json keeps ids)."""
    subject = f"{event.subject_type}:{event.subject_id}"
    return {
        "seq": event.seq,
        "at": f"{event.recorded_at:%Y-%m-%d %H:%M:%S}",
        "actor": named[event.actor].text if event.actor in named else event.actor,
        "type": event.title,
        "subject": named[subject].text if subject in named else subject,
    }


@app.command("log")
def log(
    ctx: typer.Context,
    subject: str | None = typer.Option(
        None, "--subject", help="Only this subject: a ref (TS-0001, AG-2026-001), email or name."
    ),
    by: str | None = typer.Option(None, "--actor", help="Only this person: an email or a name."),
    event_type: str | None = typer.Option(
        None, "--type", help="Only this event type, e.g. SECRET_REGISTERED."
    ),
    since: str | None = typer.Option(None, "--since", help="From this ISO date or time on."),
    until: str | None = typer.Option(None, "--until", help="Before this ISO date or time."),
    limit: int = typer.Option(50, "--limit", help="At most this many events (1-500)."),
    offset: int = typer.Option(0, "--offset", help="Skip this many newest events first."),
    as_json: bool = JsonOpt,
) -> None:
    """The custody log, newest first."""
    page = PageParams(limit=limit, offset=offset)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        actor.require(Permission.CUSTODY_READ)
        subject_type, subject_id = labels.find(session, subject) if subject else (None, None)
        flt = EventFilter(
            subject_type=subject_type,
            subject_id=subject_id,
            actor=labels.find_actor(session, by) if by else None,
            event_type=_event_type(event_type),
            since=moment(since, "--since"),
            until=moment(until, "--until"),
        )
        rows, total = service.list_events(session, actor=actor, filters=flt, page=page)
        keys_ = [e.actor for e in rows] + [f"{e.subject_type}:{e.subject_id}" for e in rows]
        named = labels.refs(session, keys_)
    if as_json:
        emit_json(Page(items=rows, total=total, limit=page.limit, offset=page.offset))
        return
    emit_table(
        [_row(e, named) for e in rows],
        ["seq", "at", "actor", "type", "subject"],
        empty="no events",
    )
    if total > offset + len(rows):
        typer.echo(
            f"({offset + 1}-{offset + len(rows)} of {total}; see more with --offset)", err=True
        )


@app.command("show")
def show(
    ctx: typer.Context,
    seq: int = typer.Argument(..., help="The event's sequence number."),
    as_json: bool = JsonOpt,
) -> None:
    """One event with its details and hashes."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        actor.require(Permission.CUSTODY_READ)
        event = service.get_event(session, seq=seq)
    if as_json:
        emit_json(event)
    else:
        emit_record(event)


@app.command("checkpoint")
def checkpoint(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """Sign a checkpoint of the whole log now (tree size, root hash, time), timestamped by the
    TSA when CROWNJEWELS_TSA_URL is set."""
    st = state(ctx)
    config = tsa.TsaConfig.from_settings(st.settings)
    with st.unit_of_work() as (session, actor):
        actor.require(Permission.CUSTODY_SIGN)
        key = keys.load_signing_key(st.settings.home)
        made = checkpoints.create(session, actor=actor, key=key, timestamper=config)
    if as_json:
        emit_json(made)
    else:
        typer.echo(f"checkpoint {made.tree_size} root {made.root_hash}")
        typer.echo(made.note, nl=False)
    if config is not None and not made.timestamped:
        typer.echo(
            "warning: not timestamped (see above); `crownjewels custody timestamp --pending` "
            "retries",
            err=True,
        )


@app.command("timestamp")
def timestamp(
    ctx: typer.Context,
    tree_size: int | None = typer.Argument(
        None, help="Show and verify this checkpoint's timestamp."
    ),
    pending: bool = typer.Option(
        False, "--pending", help="Ask the TSA for every checkpoint that has no timestamp yet."
    ),
    limit: int = typer.Option(100, "--limit", help="With --pending: at most this many."),
    as_json: bool = JsonOpt,
) -> None:
    """RFC 3161 timestamps of checkpoints: verify one, or fill in the missing ones (--pending)."""
    st = state(ctx)
    config = tsa.TsaConfig.from_settings(st.settings)
    if pending == (tree_size is not None):
        raise Invalid("give either a checkpoint's tree size or --pending")
    if config is None:
        raise TsaNotConfigured(
            "no time-stamping authority: set CROWNJEWELS_TSA_URL and CROWNJEWELS_TSA_CA_FILE"
        )
    if tree_size is not None:
        with st.unit_of_work(write=False) as (session, actor):
            actor.require(Permission.CUSTODY_READ)
            found = timestamps.verify(session, actor=actor, tree_size=tree_size, roots=config.roots)
        if as_json:
            emit_json(found)
        else:
            typer.echo(
                f"checkpoint {tree_size} timestamp verified: {found.gen_time:%Y-%m-%d %H:%M:%S} "
                f"UTC by {found.tsa} (serial {found.serial_number}, in the {found.stored_in})"
            )
        return
    with st.unit_of_work(write=False) as (session, actor):
        actor.require(Permission.CUSTODY_SIGN)
    run = jobs.stamp_pending(st.database(), actor=actor, config=config, limit=limit)
    if as_json:
        emit_json({"stamped": run.stamped, "failure": run.failure})
    elif run.stamped:
        typer.echo(f"timestamped checkpoints {', '.join(map(str, run.stamped))}")
    elif not run.failure:
        typer.echo("every checkpoint has a timestamp")
    if run.failure:
        typer.echo(f"error: {run.failure}", err=True)
        raise typer.Exit(1)


@app.command("checkpoints")
def list_checkpoints(
    ctx: typer.Context,
    limit: int = typer.Option(50, "--limit", help="At most this many (1-500)."),
    as_json: bool = JsonOpt,
) -> None:
    """The signed checkpoints, largest tree first."""
    page = PageParams(limit=limit, offset=0)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        actor.require(Permission.CUSTODY_READ)
        rows, total = checkpoints.list_checkpoints(session, actor=actor, limit=page.limit)
    if as_json:
        emit_json(Page(items=rows, total=total, limit=page.limit, offset=0))
        return
    table = [
        {"size": c.tree_size, "signed": f"{c.signed_at:%Y-%m-%d %H:%M:%S}", "root": c.root_hash}
        for c in rows
    ]
    emit_table(table, ["size", "signed", "root"], empty="no checkpoints yet")


@app.command("prove")
def prove(
    ctx: typer.Context,
    seq: int = typer.Argument(..., help="The event's sequence number."),
    size: int | None = typer.Option(
        None, "--size", help="Tree size (default: the first checkpoint holding the event)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """The inclusion proof of one event (RFC 9162 audit path)."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        actor.require(Permission.CUSTODY_READ)
        proof = checkpoints.prove(session, actor=actor, seq=seq, size=size)
    if as_json:
        emit_json(proof)
    else:
        emit_record(proof.model_dump(exclude={"checkpoint"}))
        signed = "signed checkpoint" if proof.checkpoint else "no checkpoint of this size yet"
        typer.echo(f"({signed})")


@app.command("consistency")
def consistency(
    ctx: typer.Context,
    old: int = typer.Argument(..., help="The older tree size."),
    new: int = typer.Argument(..., help="The newer tree size."),
    as_json: bool = JsonOpt,
) -> None:
    """The consistency proof that tree NEW extends tree OLD (RFC 9162)."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        actor.require(Permission.CUSTODY_READ)
        proof = checkpoints.consistency(session, actor=actor, old=old, new=new)
    if as_json:
        emit_json(proof)
    else:
        emit_record(proof)


@app.command("export")
def export_bundle(
    ctx: typer.Context,
    subject: str = typer.Option(
        ..., "--subject", help="The subject's ref, e.g. TS-0001, AG-2026-001 or VN-0001."
    ),
    out: Path = typer.Option(..., "--out", help="The zip file to write."),
) -> None:
    """Write the evidence bundle of one subject (signs a fresh checkpoint)."""
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        actor.require(Permission.CUSTODY_SIGN)
        subject_type, subject_id = labels.find(session, subject)
        key = keys.load_signing_key(st.settings.home)
        data = export.export(
            session, actor=actor, key=key, subject_type=subject_type, subject_id=subject_id
        )
    out.write_bytes(data)
    typer.echo(f"wrote {out}; check it with `crownjewels custody verify-bundle {out}`")


@app.command("verify-bundle")
def verify_bundle(
    bundle_file: Path = typer.Argument(..., help="The bundle zip."),
    public_key: Path | None = typer.Option(
        None, "--public-key", help="The installation's public key (PEM) that you trust."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Verify an evidence bundle offline (no database); exit 1 when anything is wrong."""
    try:
        trusted = public_key.read_bytes() if public_key else None
        report = bundle.verify(bundle_file, trusted_key=trusted)
    except (OSError, bundle.BadBundle) as exc:
        raise Invalid(str(exc)) from None
    if as_json:
        emit_json({"ok": report.ok, **asdict(report)})
    elif report.ok:
        typer.echo(f"bundle verified: {report.subject_name or report.subject}, key {report.key_id}")
        for fact in report.facts:
            typer.echo(f"  {fact}")
    if not report.ok:
        for problem in report.problems:
            typer.echo(f"bundle BROKEN: {problem}", err=True)
        raise typer.Exit(1)
