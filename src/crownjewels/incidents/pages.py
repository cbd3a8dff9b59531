"""Pages of incident cases: /incidents (the list, filtered), /incidents/new (open a case by
hand) and /incidents/IN-0001 (the case: facts and dates, subjects, team, clocks counting down,
tasks by step with the first day's standing out, the timeline, notes, the review), with the
forms that work it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Invalid
from crownjewels.core.forms import PostedForm, flash, flash_refusal, redirect, render, text
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents import clocking, service, team, timeline
from crownjewels.incidents.clocks import rules as clock_rules
from crownjewels.incidents.playbooks import loader as playbooks
from crownjewels.incidents.schemas import (
    FLOW,
    KIND_WORDS,
    ROLE_WORDS,
    STEPS,
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
    SubjectKind,
    TaskChange,
    TaskCreate,
    TaskKind,
    TaskStatus,
    TeamRole,
)

router = APIRouter(prefix="/incidents", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.INCIDENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.INCIDENTS_WRITE))]
LIST = PageParams(limit=200)


def _lines(value: str) -> list[str]:
    """Entries typed one per line or separated by commas or semicolons."""
    return [p.strip() for p in value.replace(";", "\n").replace(",", "\n").split("\n") if p.strip()]


def _case_url(ref: str, anchor: str = "") -> str:
    return f"/incidents/{ref.strip().upper()}{'#' + anchor if anchor else ''}"


@router.get("")
def cases_page(
    request: Request,
    session: DbSession,
    actor: Reader,
    status: str = "open",
    kind: str = "",
) -> Response:
    """The cases: open ones by default, or of a status, or all."""
    chosen = Status(status) if status in Status.__members__.values() else None
    found_kind = IncidentKind(kind) if kind in IncidentKind.__members__.values() else None
    rows, total = service.list_cases(
        session,
        actor=actor,
        status=chosen,
        open_only=status == "open",
        kind=found_kind,
        page=LIST,
    )
    ctx = {
        "cases": rows,
        "total": total,
        "status": status if chosen or status in ("open", "all") else "open",
        "kind": found_kind.value if found_kind else "",
        "statuses": [s.value for s in Status],
        "kinds": KIND_WORDS,
        "may_write": actor.can(P.INCIDENTS_WRITE),
    }
    return render(request, "incidents/list.html", ctx)


@router.get("/new")
def new_case(request: Request, settings: AppSettings, actor: Writer) -> Response:
    """The form to open a case by hand."""
    del actor
    return render(request, "incidents/new.html", _new_ctx(settings, {}, {}))


def _new_ctx(settings: Any, values: dict[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    found = playbooks.load_playbooks(settings.incident_playbooks)
    return {
        "values": values,
        "errors": errors,
        "kinds": KIND_WORDS,
        "severities": [s.value for s in Severity],
        "playbooks": sorted(found.values(), key=lambda p: (p.kind, p.name)),
    }


def _facts_from(form: PostedForm) -> CaseFacts:
    return CaseFacts.model_validate(
        {
            "personal_data": bool(text(form, "personal_data")) or bool(text(form, "phi")),
            "phi": bool(text(form, "phi")),
            "data_subject_countries": text(form, "data_subject_countries"),
            "us_states": text(form, "us_states"),
            "jurisdictions": text(form, "jurisdictions"),
            "sectors": text(form, "sectors"),
            "listed_us": bool(text(form, "listed_us")),
            "nydfs": bool(text(form, "nydfs")),
            "affected": text(form, "affected") or None,
        }
    )


@router.post("")
def open_case(
    request: Request, session: DbSession, settings: AppSettings, actor: Writer, form: PostedForm
) -> Response:
    """Open a case from the form; a refusal shows the form again with what is wrong."""
    values = {k: text(form, k) for k in form}
    try:
        data = CaseOpen.model_validate(
            {
                "title": text(form, "title"),
                "kind": text(form, "kind"),
                "severity": text(form, "severity") or "high",
                "summary": text(form, "summary"),
                "secrets": _lines(text(form, "secrets")),
                "people": _lines(text(form, "people")),
                "organisations": _lines(text(form, "organisations")),
                "agreements": _lines(text(form, "agreements")),
                "discovered_at": text(form, "discovered_at") or None,
                "occurred_at": text(form, "occurred_at") or None,
                "playbook": text(form, "playbook") or None,
                "lead": text(form, "lead") or None,
                "facts": _facts_from(form),
            }
        )
        case = service.open_case(
            session, actor=actor, data=data, playbook_dir=settings.incident_playbooks
        )
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return render(request, "incidents/new.html", _new_ctx(settings, values, {}), status=422)
    flash(request, f"{case.ref} is open with {len(case.tasks)} tasks from its playbook.")
    return redirect(_case_url(case.ref))


def _clock_view(items: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "c": c,
            "due_text": f"{c.due_local:%a %d %b %Y %H:%M %Z}" if c.due_local else None,
            "due_iso": c.due_at.isoformat() if c.due_at else "",
        }
        for c in items
    ]


@router.get("/{ref}")
def case_page(
    request: Request, session: DbSession, settings: AppSettings, actor: CurrentActor, ref: str
) -> Response:
    """One case with everything it holds and the forms that work it."""
    row = service.row(session, actor, ref)
    case = service.read(session, row)
    may_write = actor.can(P.INCIDENTS_WRITE) and case.is_open
    may_work = service.may_work(session, actor, row)
    clocks = clocking.clocks(session, actor=actor, ref=ref, tz=settings.timezone)
    steps = [(n, name, [t for t in case.tasks if t.step == n]) for n, name in STEPS.items()]
    ctx = {
        "case": case,
        "clocks": _clock_view(clocks),
        "stale": clock_rules.stale_warning(clock.today()),
        "tz": settings.timezone,
        "steps": [s for s in steps if s[2]],
        "first_day": [t for t in case.tasks if t.first_day and t.status == TaskStatus.OPEN],
        "remediation": [t for t in case.tasks if t.kind == TaskKind.REMEDIATION],
        "timeline": timeline.timeline(session, actor=actor, ref=ref),
        "may_write": may_write,
        "may_work": may_work and case.is_open,
        "may_write_tasks": may_work,
        "may_contain": actor.can(P.INCIDENTS_CONTAIN) and case.is_open,
        "next_statuses": _next(case),
        "roles": ROLE_WORDS,
        "subject_kinds": [k.value for k in SubjectKind if k != SubjectKind.VENDOR],
        "now": clock.now(),
    }
    return render(request, "incidents/case.html", ctx)


def _next(case: CaseRead) -> list[str]:
    if not case.is_open:
        return []
    at = FLOW.index(case.status)
    return [s.value for s in FLOW[at + 1 :]]


def _act(
    request: Request,
    session: Session,
    ref: str,
    anchor: str,
    done: str,
    action: Callable[[], object],
) -> Response:
    """Run one change from a form: a flash of what was done, or of why it was refused."""
    try:
        action()
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect(_case_url(ref, anchor))
    flash(request, done)
    return redirect(_case_url(ref, anchor))


@router.post("/{ref}/status")
def move(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Move the case forward, or dismiss it with a reason."""
    to = text(form, "status")
    return _act(
        request,
        session,
        ref,
        "",
        f"{ref.upper()} is {to} now.",
        lambda: service.move(
            session,
            actor=actor,
            ref=ref,
            to=StatusMove.model_validate({"status": to, "reason": text(form, "reason")}),
        ),
    )


@router.post("/{ref}/update")
def update(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Change the case's dates, severity and facts from the form."""
    given: dict[str, Any] = {"facts": _facts_from(form)}
    for name in ("occurred_at", "discovered_at", "classified_at", "materiality_at"):
        if text(form, name):
            given[name] = text(form, name)
    if text(form, "severity"):
        given["severity"] = text(form, "severity")
    return _act(
        request,
        session,
        ref,
        "facts",
        "The case's facts and dates are saved; its clocks follow them.",
        lambda: service.update(
            session, actor=actor, ref=ref, changes=CaseUpdate.model_validate(given)
        ),
    )


def _subject_kind(value: str) -> SubjectKind:
    """The kind chosen on the form, or a refusal naming the kinds there are."""
    try:
        return SubjectKind(value)
    except ValueError:
        kinds = ", ".join(k.value for k in SubjectKind if k != SubjectKind.VENDOR)
        raise Invalid(f"choose what to add: one of {kinds}", field="kind") from None


@router.post("/{ref}/subjects")
def add_subject(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Add a subject as typed."""
    typed = text(form, "subject")
    return _act(
        request,
        session,
        ref,
        "subjects",
        f"{typed} added to the case.",
        lambda: service.add_subject(
            session, actor=actor, ref=ref, kind=_subject_kind(text(form, "kind")), typed=typed
        ),
    )


@router.post("/{ref}/team")
def add_member(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Seat a user on the team."""
    return _act(
        request,
        session,
        ref,
        "team",
        f"{text(form, 'user')} is on the team.",
        lambda: team.add_member(
            session,
            actor=actor,
            ref=ref,
            data=MemberAdd.model_validate({"user": text(form, "user"), "role": text(form, "role")}),
        ),
    )


@router.post("/{ref}/tasks")
def add_task(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Add a task or a remediation item."""
    data = {
        "title": text(form, "title"),
        "kind": text(form, "kind") or TaskKind.MANUAL.value,
        "owner": text(form, "owner") or None,
        "due_at": text(form, "due_at") or None,
        "role": text(form, "role") or None,
    }
    return _act(
        request,
        session,
        ref,
        "tasks",
        "The task is added.",
        lambda: team.add_task(session, actor=actor, ref=ref, data=TaskCreate.model_validate(data)),
    )


@router.post("/{ref}/tasks/{number}")
def change_task(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    ref: str,
    number: int,
    form: PostedForm,
) -> Response:
    """Finish, skip or reopen a task, or give it to someone."""
    data = {
        "status": text(form, "status") or None,
        "owner": text(form, "owner") if "owner" in form else None,
        "note": text(form, "note") or None,
    }
    return _act(
        request,
        session,
        ref,
        f"task-{number}",
        f"Task {number} is saved.",
        lambda: team.change_task(
            session, actor=actor, ref=ref, number=number, data=TaskChange.model_validate(data)
        ),
    )


@router.post("/{ref}/notes")
def add_note(
    request: Request, session: DbSession, actor: CurrentActor, ref: str, form: PostedForm
) -> Response:
    """Write a note on the timeline."""
    return _act(
        request,
        session,
        ref,
        "timeline",
        "The note is on the timeline.",
        lambda: team.add_note(
            session,
            actor=actor,
            ref=ref,
            data=NoteCreate.model_validate({"body": text(form, "body")}),
        ),
    )


@router.post("/{ref}/notices")
def give_notice(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Record a notice given under a clock."""
    data = {
        "clock": text(form, "clock"),
        "at": text(form, "at") or None,
        "note": text(form, "note"),
    }
    return _act(
        request,
        session,
        ref,
        "clocks",
        "The notice is recorded; its clock is met.",
        lambda: clocking.give_notice(
            session, actor=actor, ref=ref, data=NoticeGiven.model_validate(data)
        ),
    )


@router.post("/{ref}/review")
def review(
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Record the post-incident review."""
    data = {k: text(form, k) for k in ("what_happened", "root_cause", "failed_measures", "changes")}
    return _act(
        request,
        session,
        ref,
        "review",
        "The review is recorded; the case may be closed.",
        lambda: service.review(
            session, actor=actor, ref=ref, data=ReviewCreate.model_validate(data)
        ),
    )


#: the roles a team seat may take, for the form
ROLES = [r.value for r in TeamRole]
