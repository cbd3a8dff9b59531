"""`crownjewels incidents contain|uncontain|containment`: preview and run a case's containment
(asking before it runs, unless --yes), reverse it with a reason, list its runs."""

from __future__ import annotations

import typer

from crownjewels.core.cli import JsonOpt, emit_json, emit_table, state
from crownjewels.core.errors import Invalid
from crownjewels.incidents.containment import service
from crownjewels.incidents.containment.schemas import ContainmentPlan, StepKind

KINDS = ", ".join(k.value for k in StepKind)


def mount(app: typer.Typer) -> None:
    """Add `contain`, `uncontain` and `containment` to the `incidents` CLI app."""
    app.command("contain")(contain)
    app.command("uncontain")(uncontain)
    app.command("containment")(containment)


def _kinds(typed: list[str]) -> frozenset[StepKind]:
    """The kinds to leave out, typed one per --skip or separated by commas."""
    out = set()
    for word in (w.strip().lower() for t in typed for w in t.split(",")):
        if not word:
            continue
        try:
            out.add(StepKind(word))
        except ValueError:
            raise Invalid(f"no kind of change {word!r}; --skip takes: {KINDS}") from None
    return frozenset(out)


def _print_plan(plan: ContainmentPlan) -> None:
    typer.echo(f"{plan.case} {plan.title}")
    typer.echo(f"Would change: {plan.summary}")
    if plan.protected:
        typer.echo(f"Protected reporters: {', '.join(plan.protected)}")
    for step in plan.steps:
        notes = [f"{'reversible' if step.reversible else 'not reversible'}: {step.undo}"]
        if step.already_words:
            notes.append(step.already_words)
        left = "  (left out: --skip)" if step.left_out else ""
        typer.echo(f"\n{step.title}: {step.count} ({'; '.join(notes)}){left}")
        for item in step.items:
            typer.echo(f"  - {item.text}")
        for item in step.held:
            typer.echo(f"  ! {item.text}")
    typer.echo(f"\nplan {plan.digest}")


def contain(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    preview: bool = typer.Option(
        False, "--preview", help="Show what would change; change nothing."
    ),
    yes: bool = typer.Option(False, "--yes", help="Run without showing the plan and asking."),
    skip: list[str] = typer.Option(
        [], "--skip", help=f"Leave out a kind of change (repeat): {KINDS}."
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Contain a case in one action: suspend its people's grants, disable their logins, revoke
    their tokens, end their sessions, suspend the vendor, put its secrets' documents on legal
    hold, mark their copies compromised and heighten their monitoring. Shows the plan and asks
    first; runs exactly the plan shown (if anything changed meanwhile, nothing runs)."""
    left_out = _kinds(skip)
    expected = None
    if preview or not yes:
        if as_json and not preview:
            raise Invalid("--json runs without asking: add --yes (or --preview to see the plan)")
        with state(ctx).unit_of_work(write=False) as (session, actor):
            plan = service.plan(session, actor=actor, ref=ref, skip=left_out)
        if preview:
            emit_json(plan) if as_json else _print_plan(plan)
            return
        _print_plan(plan)
        if not typer.confirm(f"\nContain {plan.case} now?", default=False):
            typer.echo("nothing was changed")
            raise typer.Exit(1)
        expected = plan.digest
    with state(ctx).unit_of_work() as (session, actor):
        result = service.contain(session, actor=actor, ref=ref, skip=left_out, expected=expected)
    if as_json:
        emit_json(result)
        return
    typer.echo(result.message)
    for line in result.held:
        typer.echo(f"  held back: {line}")
    typer.echo(f"{result.case} is {result.status}; `crownjewels incidents uncontain {result.case}`")


def uncontain(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    reason: str = typer.Option(..., "--reason", help="Why the containment is reversed."),
    as_json: bool = JsonOpt,
) -> None:
    """Reverse a case's containment: grants reinstated, logins enabled, the vendor reinstated,
    the holds it set released, heightened monitoring ended; revoked tokens, ended sessions and
    compromised copies stay so (listed)."""
    with state(ctx).unit_of_work() as (session, actor):
        done = service.reverse(session, actor=actor, ref=ref, reason=reason)
    if as_json:
        emit_json(done)
        return
    typer.echo(f"{done.case}: {done.summary}")
    for line in done.reversed:
        typer.echo(f"  undone: {line}")
    for line in done.kept:
        typer.echo(f"  left:   {line}")


def containment(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    as_json: bool = JsonOpt,
) -> None:
    """A case's containment runs, newest first."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        runs = service.history(session, actor=actor, ref=ref)
    if as_json:
        emit_json(runs)
        return
    emit_table(
        [r.model_dump() for r in runs],
        ["number", "ran_at", "ran_by", "summary", "reversed_at"],
        empty=f"{ref.strip().upper()} was never contained: `crownjewels incidents contain {ref}`",
    )
