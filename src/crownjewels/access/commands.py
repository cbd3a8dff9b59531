"""CLI sub-commands of need-to-know access: `crownjewels access check|who-can|what-can|grants|
request|approve|deny|suspend|resume|revoke|grant show|policies check`. `check` exits 0 when the
request is allowed and 1 when it is denied (user errors exit 2, as everywhere)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import typer

from crownjewels.access import bulk, service
from crownjewels.access import decision as policy
from crownjewels.access.engine import PolicyEngine, policy_engine
from crownjewels.access.facts import Level
from crownjewels.access.rules import GrantStatus
from crownjewels.access.schemas import Decision, GrantFilter, GrantRead, GrantRequest
from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, state, write_export
from crownjewels.core.errors import Invalid

app = typer.Typer(no_args_is_help=True, help="Need-to-know access: grants and decisions.")
grant_app = typer.Typer(no_args_is_help=True, help="One grant.")
policies_app = typer.Typer(no_args_is_help=True, help="The access policies.")
app.add_typer(grant_app, name="grant")
app.add_typer(policies_app, name="policies")

_LEVELS = ", ".join(level.value for level in Level)
_STATUSES = ", ".join(s.value for s in GrantStatus)
GRANT_COLUMNS = ["ref", "person", "secret", "level", "status", "expires", "purpose"]


def _level(value: str) -> Level:
    try:
        return Level(value.strip().lower())
    except ValueError:
        raise Invalid(f"--action {value!r} is not a level; use one of: {_LEVELS}") from None


def _expiry(value: str) -> datetime:
    """A date as the end of that day, UTC (a grant ends at the given date's midnight after)."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise Invalid(f"--expires {value!r} is not a date; use YYYY-MM-DD") from None
    return datetime.combine(day, time(0), tzinfo=UTC)


def _engine(ctx: typer.Context) -> PolicyEngine:
    return policy_engine(state(ctx).settings)


def _row(g: GrantRead) -> dict[str, object]:
    return {
        "ref": g.ref,
        "person": g.person_name or g.organisation_name or "-",
        "secret": g.secret_ref,
        "level": g.level.value,
        "status": g.status.value,
        "expires": f"{g.expires_at:%Y-%m-%d}",
        "purpose": g.purpose,
    }


def _explain(d: Decision) -> None:
    typer.echo(("ALLOWED  " if d.allowed else "DENIED  ") + d.summary.split(": ")[0])
    for reason in d.reasons:
        typer.echo(f"  - {reason.message}")  # the rule id is in --json
    if d.grant_refs:
        typer.echo("  grants: " + ", ".join(d.grant_refs))
    if d.permits:
        typer.echo("  allowed because " + "; ".join(p.message for p in d.permits))


@app.command("check")
def check(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person (email or id)."),
    secret: str = typer.Argument(..., help="The secret (TS-0001 or id)."),
    action: str = typer.Option("view", "--action", help=f"One of: {_LEVELS}."),
    no_mfa: bool = typer.Option(False, "--no-mfa", help="As from a session without MFA."),
    as_json: bool = JsonOpt,
) -> None:
    """May PERSON take ACTION on SECRET now? Every failed rule in plain words (exit 1 if not)."""
    level = _level(action)
    with state(ctx).unit_of_work() as (session, actor):
        decision = policy.decide(
            session,
            actor=actor,
            person=person,
            secret=secret,
            action=level,
            mfa=not no_mfa,
            engine=_engine(ctx),
        )
    if as_json:
        emit_json(decision)
    else:
        _explain(decision)
    if not decision.allowed:
        raise typer.Exit(1)


def _decisions(items: list[Decision], as_json: bool, *, by_person: bool) -> None:
    if as_json:
        emit_json(items)
        return
    rows = [
        {
            "person" if by_person else "secret": d.person_name if by_person else d.secret_ref,
            "allowed": "yes" if d.allowed else "no",
            "grants": d.grant_refs,
            "reasons": "; ".join(r.message for r in d.reasons) or "-",
        }
        for d in items
    ]
    first = "person" if by_person else "secret"
    emit_table(rows, [first, "allowed", "grants", "reasons"], empty="no one")


@app.command("who-can")
def who_can(
    ctx: typer.Context,
    secret: str = typer.Argument(..., help="The secret (TS-0001 or id)."),
    action: str = typer.Option("view", "--action", help=f"One of: {_LEVELS}."),
    as_json: bool = JsonOpt,
) -> None:
    """The owner and every holder of a live grant on SECRET, each with the decision."""
    level = _level(action)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        items = policy.who_can(
            session, actor=actor, secret=secret, action=level, engine=_engine(ctx)
        )
    _decisions(items, as_json, by_person=True)


@app.command("what-can")
def what_can(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="The person (email or id)."),
    action: str = typer.Option("view", "--action", help=f"One of: {_LEVELS}."),
    as_json: bool = JsonOpt,
) -> None:
    """Every secret PERSON owns or holds a live grant on, each with the decision."""
    level = _level(action)
    with state(ctx).unit_of_work(write=False) as (session, actor):
        items = policy.what_can(
            session, actor=actor, person=person, action=level, engine=_engine(ctx)
        )
    _decisions(items, as_json, by_person=False)


@app.command("grants")
def grants(
    ctx: typer.Context,
    secret: str | None = typer.Option(None, "--secret", help="On this secret."),
    person: str | None = typer.Option(None, "--person", help="For this person."),
    organisation: str | None = typer.Option(None, "--organisation", help="For this organisation."),
    status: str | None = typer.Option(None, "--status", help=f"One of: {_STATUSES}."),
    fmt: str | None = typer.Option(None, "--format", help="csv or xlsx: the grants as a file."),
    out: Path | None = typer.Option(None, "--out", help="With --format: write to this file."),
    as_json: bool = JsonOpt,
) -> None:
    """The grants, newest first (with --format, as a spreadsheet naming people and secrets)."""
    flt = GrantFilter.model_validate(
        {"secret": secret, "person": person, "organisation": organisation, "status": status}
    )
    if fmt is not None:
        if fmt not in ("csv", "xlsx"):
            raise Invalid(f"--format {fmt!r} is not csv or xlsx", field="format")
        with state(ctx).unit_of_work(write=False) as (session, actor):
            content, _ = bulk.export(session, actor=actor, filters=flt, fmt=fmt)
        write_export(content, out=out)
        return
    with state(ctx).unit_of_work(write=False) as (session, actor):
        items = service.list_grants(session, actor=actor, filters=flt)
    if as_json:
        emit_json(items)
        return
    emit_table([_row(g) for g in items], GRANT_COLUMNS, empty="no grants")


def _show(grant: GrantRead, as_json: bool, verb: str | None = None) -> None:
    if as_json:
        emit_json(grant)
    elif verb:
        typer.echo(f"{verb} {grant.ref}: {grant.status.value}")
    else:
        emit_record(grant, skip=("approvals",))
        for a in grant.approvals:
            word = "approved" if a.approved else "denied"
            typer.echo(f"  {word} by {a.approver} on {a.decided_at:%Y-%m-%d} {a.note or ''}")


@app.command("request")
def request(
    ctx: typer.Context,
    secret: str = typer.Option(..., "--secret", help="The secret (TS-0001 or id)."),
    expires: str = typer.Option(..., "--expires", help="YYYY-MM-DD, within the tier's maximum."),
    purpose: str = typer.Option(..., "--purpose", help="What the access is needed for."),
    person: str | None = typer.Option(None, "--person", help="The person (email or id)."),
    organisation: str | None = typer.Option(
        None, "--organisation", help="A whole organisation (a group grant)."
    ),
    level: str = typer.Option("view", "--level", help=f"One of: {_LEVELS}."),
    document: str | None = typer.Option(None, "--document", help="Only this document."),
    as_json: bool = JsonOpt,
) -> None:
    """Ask for need-to-know access to a secret."""
    data = GrantRequest(
        person=person,
        organisation=organisation,
        secret=secret,
        document_id=document,
        level=_level(level),
        purpose=purpose,
        expires_at=_expiry(expires),
    )
    with state(ctx).unit_of_work() as (session, actor):
        grant = service.request_grant(session, actor=actor, data=data)
    if as_json:
        emit_json(grant)
        return
    typer.echo(
        f"requested {grant.ref}: {grant.level.value} of {grant.secret_ref} "
        f"until {grant.expires_at:%Y-%m-%d} ({grant.approvals_needed} approval(s) needed)"
    )


@app.command("approve")
def approve(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The grant (GR-000001)."),
    note: str | None = typer.Option(None, "--note", help="A note for the record."),
    as_json: bool = JsonOpt,
) -> None:
    """Approve a requested grant (the owner first; a second approver for highly sensitive)."""
    with state(ctx).unit_of_work() as (session, actor):
        grant = service.approve(session, actor=actor, grant_ref=ref, note=note, engine=_engine(ctx))
    _show(grant, as_json, "approved")


@app.command("deny")
def deny(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The grant (GR-000001)."),
    reason: str = typer.Option(..., "--reason", help="Why it is denied."),
    as_json: bool = JsonOpt,
) -> None:
    """Deny a requested grant."""
    with state(ctx).unit_of_work() as (session, actor):
        grant = service.deny(session, actor=actor, grant_ref=ref, reason=reason)
    _show(grant, as_json, "denied")


def _change(ctx: typer.Context, ref: str, to: GrantStatus, reason: str, as_json: bool) -> None:
    with state(ctx).unit_of_work() as (session, actor):
        grant = service.change_status(
            session, actor=actor, grant_ref=ref, status=to, reason=reason, engine=_engine(ctx)
        )
    _show(grant, as_json, "changed")


RefArg = typer.Argument(..., help="The grant (GR-000001).")
ReasonOpt = typer.Option(..., "--reason", help="Why (kept in the custody log).")


@app.command("suspend")
def suspend(
    ctx: typer.Context, ref: str = RefArg, reason: str = ReasonOpt, as_json: bool = JsonOpt
) -> None:
    """Suspend a live grant (and its member grants)."""
    _change(ctx, ref, GrantStatus.SUSPENDED, reason, as_json)


@app.command("resume")
def resume(
    ctx: typer.Context, ref: str = RefArg, reason: str = ReasonOpt, as_json: bool = JsonOpt
) -> None:
    """Resume a suspended grant (every rule is checked again)."""
    _change(ctx, ref, GrantStatus.ACTIVE, reason, as_json)


@app.command("revoke")
def revoke(
    ctx: typer.Context, ref: str = RefArg, reason: str = ReasonOpt, as_json: bool = JsonOpt
) -> None:
    """Revoke a grant for good."""
    _change(ctx, ref, GrantStatus.REVOKED, reason, as_json)


@grant_app.command("show")
def show(ctx: typer.Context, ref: str = RefArg, as_json: bool = JsonOpt) -> None:
    """One grant with its approvals."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        grant = service.get(session, actor=actor, grant_ref=ref)
    _show(grant, as_json)


@policies_app.command("check")
def policies_check(
    folder: Path | None = typer.Argument(
        None, help="A folder of .cedar files (default: only the built-in policies)."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Validate a folder of policies against the schema and list the rules loaded."""
    engine = PolicyEngine.load(folder)
    rows = [
        {"rule": p.id, "source": f"{p.source}:{p.line}", "reason": engine.reasons.get(p.id or "")}
        for p in engine.policies
    ]
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, ["rule", "source", "reason"])
    typer.echo(f"{len(rows)} policies valid")
