"""My tasks: what waits for the signed-in person, gathered from each capability's
`tasks_for` (approvals, reviews of answers, access review items, due secret reviews, renewals,
questionnaires to answer, notices to acknowledge, alerts to triage, activity log reviews), and
the count the header shows."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.agreements import service as agreements
from crownjewels.core.actor import Actor
from crownjewels.core.forms import render
from crownjewels.core.http import CurrentActor, DbSession
from crownjewels.core.tasks import GROUPS, Task, ordered
from crownjewels.incidents import service as incidents
from crownjewels.incidents.reports import service as reports
from crownjewels.inventory import service as inventory
from crownjewels.monitoring.triage import service as triage
from crownjewels.monitoring.watch import service as watch
from crownjewels.vendors.diligence import service as diligence

router = APIRouter(include_in_schema=False)

#: each capability's tasks for one actor, in the order the page lists their groups
SOURCES = (
    access.tasks_for,
    diligence.tasks_for,
    inventory.tasks_for,
    agreements.tasks_for,
    triage.tasks_for,
    watch.tasks_for,
    incidents.tasks_for,
    reports.tasks_for,
)


def my_tasks(session: Session, actor: Actor) -> list[Task]:
    """Every task waiting for the actor, grouped and oldest due first."""
    return ordered([t for source in SOURCES for t in source(session, actor=actor)])


@router.get("/tasks")
def tasks_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The signed-in person's tasks, by group, each linking to where it is done."""
    tasks = my_tasks(session, actor)
    groups = [(g, [t for t in tasks if t.group == g]) for g in GROUPS]
    ctx = {"groups": [(g, ts) for g, ts in groups if ts], "count": len(tasks)}
    return render(request, "tasks.html", ctx)


@router.get("/tasks/count")
def tasks_count(session: DbSession, actor: CurrentActor) -> Response:
    """The header's link text with the count (loaded after the page, so no page waits on it)."""
    count = len(my_tasks(session, actor))
    badge = (
        f' <span class="task-count" aria-label="{count} waiting">{count}</span>' if count else ""
    )
    return HTMLResponse(f"{escape('My tasks')}{badge}")
