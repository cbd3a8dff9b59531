"""Containment in one action: preview what containing a case would change (`plan`), run exactly
that in the caller's transaction (`contain`: every change through its own capability's service
and custody event, INCIDENT_CONTAINED for the case, the case marked contained), reverse what
makes sense to reverse (`reverse`, INCIDENT_CONTAINMENT_REVERSED), and list the runs
(`history`). A plan's digest names it: a run given the digest of its preview refuses when the
world changed since, and changes nothing.

Who: incidents:contain previews, runs and reverses (the lower verbs apply their own checks to
the same actor: grants:manage for grants, grants:manage for copies, alerts:triage for
monitoring; logins, the vendor and legal holds accept incidents:contain); readers of the case
read its history. A case the actor cannot see is not found, never which."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import labels
from crownjewels.custody.schemas import EventType
from crownjewels.incidents import service as cases
from crownjewels.incidents.containment import plan as planning
from crownjewels.incidents.containment import repository, rules, steps
from crownjewels.incidents.containment.errors import (
    NothingToContain,
    NothingToReverse,
    PlanChanged,
)
from crownjewels.incidents.containment.schemas import (
    KIND_WORDS,
    ContainmentPlan,
    ContainmentRead,
    ContainmentResult,
    ReversalResult,
    StepDone,
    StepKind,
)
from crownjewels.incidents.errors import CaseClosed
from crownjewels.incidents.models import Containment, Incident
from crownjewels.incidents.schemas import OPEN_STATUSES, Status
from crownjewels.monitoring.watch import service as watch

#: the order a reversal undoes in: the vendor and the logins come back before the grants,
#: whose resumption checks the access rules again (an active vendor, an active login)
UNDO_ORDER = (
    StepKind.MONITORING,
    StepKind.COPIES,
    StepKind.HOLDS,
    StepKind.VENDORS,
    StepKind.SESSIONS,
    StepKind.TOKENS,
    StepKind.ACCOUNTS,
    StepKind.GRANTS,
)
#: the statuses after which a case's heightened watches end by themselves (the job)
ENDED = (Status.CLOSED.value, Status.DISMISSED.value)


def may_contain(session: Session, *, actor: Actor, ref: str) -> Incident:
    """The case, if the actor may see it (else not found, never which) and contain it
    (incidents:contain, else forbidden)."""
    found = cases.row(session, actor, ref)
    actor.require(P.INCIDENTS_CONTAIN, what="containing an incident")
    return found


def readable(session: Session, *, actor: Actor, ref: str) -> Incident:
    """The case, if the actor may see it (incidents:read or its team), else not found."""
    return cases.row(session, actor, ref)


def _open(found: Incident) -> Incident:
    if found.status not in OPEN_STATUSES:
        raise CaseClosed(
            f"{found.ref} is {found.status}; a {found.status} case is not contained any more"
        )
    return found


def plan(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    skip: frozenset[StepKind] | set[StepKind] = frozenset(),
) -> ContainmentPlan:
    """What containing the case would change now, kind by kind, in words, with the one-line
    summary (without the kinds in `skip`) and the plan's digest. Nothing is changed."""
    found = _open(may_contain(session, actor=actor, ref=ref))
    return planning.gather(session, actor=actor, case=found).plan(frozenset(skip))


def _read(session: Session, row: Containment, number: int, case_ref: str) -> ContainmentRead:
    by_kind: dict[StepKind, list[dict[str, Any]]] = {}
    for step in row.steps:
        by_kind.setdefault(StepKind(step["kind"]), []).append(step)
    done = [
        StepDone(
            kind=kind,
            title=KIND_WORDS[kind][1],
            undo=KIND_WORDS[kind][2],
            count=sum(int(s.get("amount", 1)) for s in by_kind[kind]),
            items=[str(s["text"]) for s in by_kind[kind]],
        )
        for kind in StepKind
        if kind in by_kind
    ]
    return ContainmentRead(
        number=number,
        case=case_ref,
        summary=row.summary,
        steps=done,
        ran_by=labels.actor_text(session, row.ran_by),
        ran_at=row.ran_at,
        reversed_by=labels.actor_text(session, row.reversed_by) if row.reversed_by else None,
        reversed_at=row.reversed_at,
    )


def _chosen(
    found: Incident,
    gathered: planning.Gathered,
    expected: str | None,
    left_out: frozenset[StepKind],
) -> list[planning.Target]:
    """The changes to make: the plan's, unless it is not the one previewed (or is empty)."""
    if expected is not None and expected.strip().lower() != gathered.digest():
        raise PlanChanged(
            f"what containing {found.ref} would change is not what was previewed: it is now "
            f"{gathered.plan(left_out).summary}. Nothing was changed; preview again and confirm"
        )
    chosen = [t for kind in StepKind if kind not in left_out for t in gathered.targets[kind]]
    if not chosen:
        raise NothingToContain(
            f"containing {found.ref} would change nothing: every grant, login, token, vendor, "
            "hold, copy and watch of it is already so, held back or left out"
        )
    return chosen


def contain(
    session: Session,
    *,
    actor: Actor,
    ref: str,
    skip: frozenset[StepKind] | set[StepKind] = frozenset(),
    expected: str | None = None,
) -> ContainmentResult:
    """Run the case's containment as previewed, leaving out the kinds in `skip`, in the
    caller's transaction: each change through its capability's service (its own custody
    event), then INCIDENT_CONTAINED and the case marked contained. With `expected` (the digest
    of the previewed plan), refuse and change nothing when the plan is not that one any more."""
    found = _open(may_contain(session, actor=actor, ref=ref))
    gathered = planning.gather(session, actor=actor, case=found)
    left_out = frozenset(StepKind(k) for k in skip)
    done = [
        steps.run(session, actor, t, reason=gathered.reason, reference=found.ref)
        for t in _chosen(found, gathered, expected, left_out)
    ]
    summary = rules.summary(gathered.tally(left_out))
    row = Containment(
        incident_id=found.id, steps=done, summary=summary, ran_by=actor.ref, ran_at=clock.now()
    )
    session.add(row)
    session.flush()
    held = [i.text for kind in StepKind for i in gathered.held.get(kind, [])]
    cases.record(
        session,
        actor,
        found,
        EventType.INCIDENT_CONTAINED,
        containment=row.id,
        summary=summary,
        counts=dict(Counter(str(s["kind"]) for s in done)),
        skipped=sorted(k.value for k in left_out),
        held=len(held),
        digest=gathered.digest(),
    )
    cases.mark_contained(session, actor=actor, row=found)
    return ContainmentResult(
        case=found.ref,
        status=found.status,
        containment=_read(session, row, len(repository.runs_of(session, found.id)), found.ref),
        skipped=sorted(left_out, key=list(StepKind).index),
        held=held,
        message=f"{found.ref} contained: {summary}",
    )


def _why(reason: str) -> str:
    why = " ".join(reason.split())
    if len(why) < 3:
        raise Invalid("say why the containment is reversed (at least 3 characters)", field="reason")
    return why


def reverse(session: Session, *, actor: Actor, ref: str, reason: str) -> ReversalResult:
    """Undo the case's containments not yet reversed, the last first, where that makes sense
    and what they did still stands: grants they suspended are reinstated (when the access rules
    allow it again), logins enabled, holds they set released, the vendor reinstated, the
    heightened watch ended. Revoked tokens and ended sessions stay ended, compromised copies
    stay marked; the result says so. INCIDENT_CONTAINMENT_REVERSED."""
    found = may_contain(session, actor=actor, ref=ref)
    why = _why(reason)
    runs = repository.standing_of(session, found.id)
    if not runs:
        raise NothingToReverse(
            f"{found.ref} has no containment in force to reverse; "
            f"`crownjewels incidents containment {found.ref}` lists its runs"
        )
    text = f"reversal of the containment of {found.ref}: {why}"
    undone: list[str] = []
    kept: list[str] = []
    now = clock.now()
    for run in runs:
        for step in sorted(run.steps, key=lambda s: UNDO_ORDER.index(StepKind(s["kind"]))):
            ok, line = steps.undo(session, actor, step, text)
            (undone if ok else kept).append(line)
        run.reversed_by, run.reversed_at = actor.ref, now
    session.flush()
    cases.record(
        session,
        actor,
        found,
        EventType.INCIDENT_CONTAINMENT_REVERSED,
        containments=[r.id for r in runs],
        reason=why,
        reversed=len(undone),
        kept=len(kept),
    )
    summary = (
        f"{rules.plural(len(undone), 'change')} undone, "
        f"{rules.plural(len(kept), 'change')} left as {'it is' if len(kept) == 1 else 'they are'}"
    )
    return ReversalResult(case=found.ref, reversed=undone, kept=kept, summary=summary)


def history(session: Session, *, actor: Actor, ref: str) -> list[ContainmentRead]:
    """The case's containments, newest first, with what each changed and its reversal."""
    found = readable(session, actor=actor, ref=ref)
    rows = repository.runs_of(session, found.id)
    reads = [_read(session, row, n, found.ref) for n, row in enumerate(rows, start=1)]
    return list(reversed(reads))


def end_watches_of_ended_cases(session: Session, *, actor: Actor) -> list[str]:
    """End the heightened watches a containment started for cases closed or dismissed since
    (the containment ends with its case); the refs of the cases whose watches ended."""
    out = []
    for case in repository.ended_cases_with_standing(session, ENDED):
        ended = watch.end_heightened(
            session, actor=actor, reference=case.ref, reason=f"{case.ref} is {case.status}"
        )
        if ended:
            out.append(case.ref)
    return out
