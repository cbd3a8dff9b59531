"""What waits for a person: the shape every capability's `tasks_for(session, actor=)` returns,
so that the "My tasks" page (web) gathers them without knowing any capability's tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Task:
    """One thing the signed-in person should do, and the page where it is done."""

    #: what kind of task: "approve-grant", "review-answers", "review-secret" …
    kind: str
    #: the heading it is listed under on the page: "Approvals", "Reviews" …
    group: str
    #: in words, with refs and names: "Approve GR-000012: Dana Whitfield, TS-0014 Brine recipe"
    title: str
    #: the page where it is done
    href: str
    #: when it is (or was) due, when it has a date
    due_on: date | None = None


#: the order of the groups on the page
GROUPS = ("Approvals", "Alerts", "Incidents", "Reviews", "Renewals", "To answer", "To acknowledge")


def ordered(tasks: list[Task]) -> list[Task]:
    """Tasks by group (in GROUPS order), then oldest due first, then title."""
    rank = {g: i for i, g in enumerate(GROUPS)}
    return sorted(
        tasks,
        key=lambda t: (rank.get(t.group, len(GROUPS)), t.due_on or date.max, t.title),
    )
