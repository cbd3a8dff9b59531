"""`crownjewels incidents ...`: open, list and show cases; change their facts and dates, move
them along, seat the team, work the tasks, write notes; the timeline, the clocks and the
notices given; the review and closing; the playbooks."""

from __future__ import annotations

from pathlib import Path

import typer

from crownjewels.core import clock
from crownjewels.core.cli import JsonOpt, emit_json, emit_record, emit_table, moment, state
from crownjewels.core.pagination import PageParams
from crownjewels.incidents import clocking, service, team, timeline
from crownjewels.incidents.clocks import rules as clock_rules
from crownjewels.incidents.clocks.schemas import Clock
from crownjewels.incidents.playbooks import loader as playbooks
from crownjewels.incidents.schemas import (
    CaseFacts,
    CaseOpen,
    CaseRead,
    CaseUpdate,
    IncidentKind,
    MemberAdd,
    NoteCreate,
    NoticeGiven,
    ReviewCreate,
    Severity,
    Status,
    StatusMove,
    TaskChange,
    TaskCreate,
    TaskKind,
    TaskStatus,
    TeamRole,
)

app = typer.Typer(
    no_args_is_help=True,
    help="Incident cases: open, contain, investigate, notify, review and close.",
)
playbooks_app = typer.Typer(no_args_is_help=True, help="The playbooks cases are worked by.")
app.add_typer(playbooks_app, name="playbooks")

#: the facts the clocks are computed from, as `open` and `facts` take them
PersonalDataOpt = typer.Option(False, "--personal-data", help="Personal data involved.")
PhiOpt = typer.Option(False, "--phi", help="Health information under HIPAA involved.")
CountriesOpt = typer.Option([], "--subjects-in", help="Data subjects' country (repeat).")
StatesOpt = typer.Option([], "--us-state", help="US state of residents (repeat).")
JurisdictionsOpt = typer.Option([], "--jurisdiction", help="Where we operate (repeat).")
SectorsOpt = typer.Option([], "--sector", help="health, finance, essential-entity…")
ListedOpt = typer.Option(False, "--listed", help="We are an SEC registrant.")
NydfsOpt = typer.Option(False, "--nydfs", help="We are regulated by the NY DFS.")

CASE_COLUMNS = ["ref", "severity", "status", "kind_words", "title", "open_tasks", "lead"]
TASK_COLUMNS = ["number", "status", "due_at", "role", "owner", "title"]
CLOCK_COLUMNS = ["name", "recipient", "due_local", "status", "remaining", "citation"]


def _show(case: CaseRead, as_json: bool) -> None:
    if as_json:
        emit_json(case)
        return
    emit_record(case, skip=("tasks", "subjects", "team", "facts", "review"))
    typer.echo("subjects:  " + ("; ".join(f"{s.kind} {s.name}" for s in case.subjects) or "-"))
    typer.echo("team:      " + ("; ".join(f"{m.role_words} {m.name}" for m in case.team) or "-"))
    if case.tasks:
        typer.echo("")
        emit_table(case.tasks, TASK_COLUMNS)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Status | None = typer.Option(None, "--status", help="Only cases in this status."),
    open_only: bool = typer.Option(False, "--open", help="Only cases not closed or dismissed."),
    kind: IncidentKind | None = typer.Option(None, "--kind", help="Only cases of this kind."),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    as_json: bool = JsonOpt,
) -> None:
    """The cases, newest discovery first, with their open tasks and lead."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        rows, total = service.list_cases(
            session,
            actor=actor,
            status=status,
            open_only=open_only,
            kind=kind,
            page=PageParams(limit=limit),
        )
    if as_json:
        emit_json(rows)
        return
    emit_table(rows, CASE_COLUMNS, empty="no cases: `crownjewels incidents open --help`")
    if total > len(rows):
        typer.echo(f"({len(rows)} of {total}; --limit shows more)")


def _facts(
    personal_data: bool,
    phi: bool,
    countries: list[str],
    states: list[str],
    jurisdictions: list[str],
    sectors: list[str],
    listed: bool,
    nydfs: bool,
) -> CaseFacts:
    return CaseFacts.model_validate(
        {
            "personal_data": personal_data or phi,
            "phi": phi,
            "data_subject_countries": countries,
            "us_states": states,
            "jurisdictions": jurisdictions,
            "sectors": sectors,
            "listed_us": listed,
            "nydfs": nydfs,
        }
    )


@app.command("open")
def open_(
    ctx: typer.Context,
    title: str = typer.Option(..., "--title", help="What happened, in a line."),
    kind: IncidentKind = typer.Option(..., "--kind", help="The kind of incident."),
    severity: Severity = typer.Option(Severity.HIGH, "--severity"),
    summary: str = typer.Option("", "--summary", help="What is known so far."),
    secrets: list[str] = typer.Option([], "--secret", help="A secret concerned (repeat)."),
    people: list[str] = typer.Option([], "--person", help="A person concerned (repeat)."),
    orgs: list[str] = typer.Option([], "--org", help="An organisation or vendor (repeat)."),
    agreements: list[str] = typer.Option([], "--agreement", help="An agreement (repeat)."),
    discovered: str | None = typer.Option(None, "--discovered", help="When found (now)."),
    occurred: str | None = typer.Option(None, "--occurred", help="When it happened."),
    playbook: str | None = typer.Option(None, "--playbook", help="A playbook by name, or none."),
    lead: str | None = typer.Option(None, "--lead", help="The incident lead's email."),
    personal_data: bool = PersonalDataOpt,
    phi: bool = PhiOpt,
    countries: list[str] = CountriesOpt,
    states: list[str] = StatesOpt,
    jurisdictions: list[str] = JurisdictionsOpt,
    sectors: list[str] = SectorsOpt,
    listed: bool = ListedOpt,
    nydfs: bool = NydfsOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Open a case by hand: its subjects, lead and the kind's playbook tasks."""
    data = CaseOpen.model_validate(
        {
            "title": title,
            "kind": kind,
            "severity": severity,
            "summary": summary,
            "secrets": secrets,
            "people": people,
            "organisations": orgs,
            "agreements": agreements,
            "discovered_at": moment(discovered, "--discovered"),
            "occurred_at": moment(occurred, "--occurred"),
            "playbook": playbook,
            "lead": lead,
            "facts": _facts(
                personal_data, phi, countries, states, jurisdictions, sectors, listed, nydfs
            ),
        }
    )
    st = state(ctx)
    with st.unit_of_work() as (session, actor):
        case = service.open_case(
            session, actor=actor, data=data, playbook_dir=st.settings.incident_playbooks
        )
    if as_json:
        emit_json(case)
    else:
        typer.echo(f"opened {case.ref} {case.title}: {len(case.tasks)} tasks from {case.playbook}")


@app.command("show")
def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    as_json: bool = JsonOpt,
) -> None:
    """A case with its subjects, team and tasks."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        case = service.get(session, actor=actor, ref=ref)
    _show(case, as_json)


@app.command("update")
def update(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    title: str | None = typer.Option(None, "--title"),
    severity: Severity | None = typer.Option(None, "--severity"),
    summary: str | None = typer.Option(None, "--summary"),
    occurred: str | None = typer.Option(None, "--occurred", help="When it happened."),
    discovered: str | None = typer.Option(None, "--discovered", help="When it was found."),
    classified: str | None = typer.Option(None, "--classified", help="Classified (DORA major)."),
    materiality: str | None = typer.Option(None, "--material", help="Determined material."),
    as_json: bool = JsonOpt,
) -> None:
    """Change a case's title, severity, summary or dates (the clocks follow the dates)."""
    given = {
        "title": title,
        "severity": severity,
        "summary": summary,
        "occurred_at": moment(occurred, "--occurred"),
        "discovered_at": moment(discovered, "--discovered"),
        "classified_at": moment(classified, "--classified"),
        "materiality_at": moment(materiality, "--material"),
    }
    changes = CaseUpdate.model_validate({k: v for k, v in given.items() if v is not None})
    with state(ctx).unit_of_work() as (session, actor):
        case = service.update(session, actor=actor, ref=ref, changes=changes)
    _show(case, as_json)


@app.command("facts")
def facts(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    personal_data: bool = PersonalDataOpt,
    phi: bool = PhiOpt,
    countries: list[str] = CountriesOpt,
    states: list[str] = StatesOpt,
    jurisdictions: list[str] = JurisdictionsOpt,
    sectors: list[str] = SectorsOpt,
    listed: bool = ListedOpt,
    nydfs: bool = NydfsOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Replace the facts the clocks are computed from."""
    changes = CaseUpdate(
        facts=_facts(personal_data, phi, countries, states, jurisdictions, sectors, listed, nydfs)
    )
    with state(ctx).unit_of_work() as (session, actor):
        case = service.update(session, actor=actor, ref=ref, changes=changes)
    _show(case, as_json)


@app.command("move")
def move(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    status: Status = typer.Argument(..., help="The status to move to."),
    reason: str = typer.Option("", "--reason", help="Why (needed to dismiss)."),
) -> None:
    """Move a case forward (reported → triage → contained → investigating → remediating →
    closed) or dismiss it with a reason."""
    with state(ctx).unit_of_work() as (session, actor):
        case = service.move(
            session, actor=actor, ref=ref, to=StatusMove(status=status, reason=reason)
        )
    typer.echo(f"{case.ref} is {case.status.value}")


@app.command("team")
def team_(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    user: str = typer.Argument(..., help="The user's email."),
    role: TeamRole = typer.Option(..., "--role", help="The seat on the team."),
    remove: bool = typer.Option(False, "--remove", help="Take them off that seat."),
) -> None:
    """Seat a user on the team (their role's open tasks become theirs), or unseat them."""
    with state(ctx).unit_of_work() as (session, actor):
        if remove:
            case = team.remove_member(session, actor=actor, ref=ref, user=user, role=role)
        else:
            case = team.add_member(
                session, actor=actor, ref=ref, data=MemberAdd(user=user, role=role)
            )
    typer.echo("; ".join(f"{m.role_words}: {m.name}" for m in case.team) or "no team")


@app.command("tasks")
def tasks(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    as_json: bool = JsonOpt,
) -> None:
    """A case's tasks with their owners and due times."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        case = service.get(session, actor=actor, ref=ref)
    if as_json:
        emit_json(case.tasks)
    else:
        emit_table(case.tasks, TASK_COLUMNS, empty=f"{case.ref} has no tasks")


@app.command("task-add")
def task_add(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    title: str = typer.Argument(..., help="What is to be done."),
    owner: str | None = typer.Option(None, "--owner", help="Who does it (email)."),
    due: str | None = typer.Option(None, "--due", help="When it is due."),
    remediation: bool = typer.Option(
        False, "--remediation", help="A remediation item (owner and due date needed)."
    ),
) -> None:
    """Add a task, or a remediation item that stays in My tasks and the posture until done."""
    data = TaskCreate(
        title=title,
        kind=TaskKind.REMEDIATION if remediation else TaskKind.MANUAL,
        owner=owner,
        due_at=moment(due, "--due"),
    )
    with state(ctx).unit_of_work() as (session, actor):
        case = team.add_task(session, actor=actor, ref=ref, data=data)
    typer.echo(f"added task {case.tasks[-1].number} to {case.ref}")


@app.command("task")
def task(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    number: int = typer.Argument(..., help="The task's number."),
    status: TaskStatus | None = typer.Option(None, "--status", help="done, skipped or open."),
    owner: str | None = typer.Option(None, "--owner", help="Give it to (email)."),
    due: str | None = typer.Option(None, "--due", help="A new due time."),
    note: str | None = typer.Option(None, "--note", help="A note (needed to skip)."),
) -> None:
    """Finish, skip, reopen, reassign or reschedule a task."""
    data = TaskChange(status=status, owner=owner, due_at=moment(due, "--due"), note=note)
    with state(ctx).unit_of_work() as (session, actor):
        case = team.change_task(session, actor=actor, ref=ref, number=number, data=data)
    found = next(t for t in case.tasks if t.number == number)
    typer.echo(f"task {number} of {case.ref}: {found.status.value}, {found.owner or 'no owner'}")


@app.command("note")
def note(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    body: str = typer.Argument(..., help="The note."),
) -> None:
    """Write a note on the case's timeline."""
    with state(ctx).unit_of_work() as (session, actor):
        case = team.add_note(session, actor=actor, ref=ref, data=NoteCreate(body=body))
    typer.echo(f"note added to {case.ref}")


@app.command("timeline")
def timeline_(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    as_json: bool = JsonOpt,
) -> None:
    """The case's events merged with those of its people and secrets, oldest first."""
    with state(ctx).unit_of_work(write=False) as (session, actor):
        lines = timeline.timeline(session, actor=actor, ref=ref)
    if as_json:
        emit_json(lines)
    else:
        emit_table(lines, ["at", "source", "who", "text"], empty="nothing yet")


def _clock_rows(rows: list[Clock]) -> list[dict[str, object]]:
    return [
        {
            **r.model_dump(),
            "due_local": f"{r.due_local:%Y-%m-%d %H:%M %Z}" if r.due_local else "-",
        }
        for r in rows
    ]


@app.command("clocks")
def clocks(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    as_json: bool = JsonOpt,
) -> None:
    """Every deadline that applies to the case, in the organisation's time zone."""
    st = state(ctx)
    with st.unit_of_work(write=False) as (session, actor):
        rows = clocking.clocks(session, actor=actor, ref=ref, tz=st.settings.timezone)
    stale = clock_rules.stale_warning(clock.today())
    if stale:
        typer.echo(stale, err=True)
    if as_json:
        emit_json(rows)
    else:
        emit_table(_clock_rows(rows), CLOCK_COLUMNS, empty="no deadline applies to its facts")


@app.command("notify")
def notify(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    clock_key: str = typer.Argument(..., help="The clock (`incidents clocks --json` keys)."),
    at: str | None = typer.Option(None, "--at", help="When the notice was given (now)."),
    note: str = typer.Option("", "--note", help="To whom, how, its reference."),
) -> None:
    """Record that the notice a clock asks for was given: the clock is met."""
    data = NoticeGiven(clock=clock_key, at=moment(at, "--at"), note=note)
    with state(ctx).unit_of_work() as (session, actor):
        case = clocking.give_notice(session, actor=actor, ref=ref, data=data)
    typer.echo(f"{case.ref}: notice under {clock_key} recorded")


@app.command("review")
def review(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The case: IN-0001."),
    what: str = typer.Option(..., "--what-happened"),
    cause: str = typer.Option(..., "--root-cause"),
    failed: str = typer.Option(..., "--failed-measures"),
    changes: str = typer.Option(..., "--changes"),
) -> None:
    """Record the post-incident review a case needs before it closes."""
    data = ReviewCreate(
        what_happened=what, root_cause=cause, failed_measures=failed, changes=changes
    )
    with state(ctx).unit_of_work() as (session, actor):
        case = service.review(session, actor=actor, ref=ref, data=data)
    typer.echo(f"{case.ref}: review recorded; `crownjewels incidents move {case.ref} closed`")


@playbooks_app.command("list")
def playbooks_list(ctx: typer.Context, as_json: bool = JsonOpt) -> None:
    """The playbooks: shipped ones and the organisation's own folder's."""
    found = playbooks.load_playbooks(state(ctx).settings.incident_playbooks)
    rows = [
        {"name": p.name, "kind": p.kind, "title": p.title, "tasks": len(p.tasks)}
        for p in found.values()
    ]
    if as_json:
        emit_json(rows)
    else:
        emit_table(rows, ["name", "kind", "title", "tasks"])


@playbooks_app.command("check")
def playbooks_check(path: Path = typer.Argument(..., help="A playbook YAML file.")) -> None:
    """Check a playbook file: each problem with its file:line."""
    problems = playbooks.validate_file(path)
    if problems:
        for line in problems:
            typer.echo(line, err=True)
        raise typer.Exit(1)
    typer.echo(f"{path}: fine")
