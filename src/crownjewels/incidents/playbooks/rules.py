"""Choosing a case's playbook and planning its tasks: pure functions, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from crownjewels.core.errors import Invalid
from crownjewels.incidents.playbooks.errors import UnknownPlaybook
from crownjewels.incidents.playbooks.schemas import FIRST_DAY, PlannedTask, Playbook
from crownjewels.incidents.schemas import KIND_WORDS, IncidentKind


def playbook_for(kind: str, playbooks: Mapping[str, Playbook], name: str | None = None) -> Playbook:
    """The playbook for a case of `kind`: the one named `name`, else the kind's default (the
    organisation's playbook of that kind, the one named after the kind if it has several, else
    the shipped one)."""
    case_kind = _kind(kind)
    if name:
        chosen = playbooks.get(name)
        if chosen is None:
            raise UnknownPlaybook(
                f"no playbook is named {name!r}; choose one of: {', '.join(sorted(playbooks))}",
                field="playbook",
            )
        if chosen.kind != case_kind:
            raise Invalid(
                f"the playbook {name!r} is for {KIND_WORDS[chosen.kind]} cases, not "
                f"{KIND_WORDS[case_kind]}; choose a {case_kind} playbook "
                f"({', '.join(_names(case_kind, playbooks)) or 'none loaded'}) or change "
                "the case's kind",
                field="playbook",
            )
        return chosen
    candidates = [p for p in playbooks.values() if p.kind == case_kind]
    pool = [p for p in candidates if not p.shipped] or candidates
    if not pool:
        raise UnknownPlaybook(
            f"no playbook is loaded for {case_kind} cases; add one with `kind: {case_kind}` "
            "to the playbook folder",
            field="playbook",
        )
    return next((p for p in pool if p.name == case_kind), pool[0])


def plan_tasks(playbook: Playbook, discovered_at: datetime) -> list[PlannedTask]:
    """The playbook's tasks for a case discovered at `discovered_at` (timezone-aware), ordered
    by due time then step; a task due within 24 hours is on the first day's list."""
    if discovered_at.tzinfo is None:
        raise ValueError("discovered_at must be timezone-aware")
    ordered = sorted(playbook.tasks, key=lambda t: (t.due, t.step))
    return [
        PlannedTask(
            title=task.title,
            step=int(task.step),
            step_name=task.step.key,
            role=str(task.role),
            due_at=discovered_at + task.due,
            first_day=task.due <= FIRST_DAY,
            guidance=task.guidance,
            contain=task.contain,
        )
        for task in ordered
    ]


def _kind(kind: str) -> IncidentKind:
    try:
        return IncidentKind(kind)
    except ValueError:
        raise Invalid(
            f"{kind!r} is not a kind of incident; use one of: {', '.join(IncidentKind)}",
            field="kind",
        ) from None


def _names(kind: IncidentKind, playbooks: Mapping[str, Playbook]) -> list[str]:
    return [p.name for p in playbooks.values() if p.kind == kind]
