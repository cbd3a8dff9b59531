"""Protection from retaliation: a reporter who gave their name, matched to a person, is
protected (REPORTER_PROTECTED on the person: since when, never which report). An adverse action
against them (core/adverse.py: a grant revoked or suspended, the login disabled, roles taken
away, sessions ended, a token revoked) is then refused until someone asks for it with a reason
(ADVERSE_ACTION_REQUESTED) and a case handler other than the asker approves it
(ADVERSE_ACTION_DECIDED); the approval lets exactly that action on that target run once
(ADVERSE_ACTION_TAKEN, the approval used). Ending the protection itself (a wrong match, a
report found knowingly false) is such an action: lift-protection, its target the person's
email, never the report (the log links no person to a report) (REPORTER_PROTECTION_LIFTED,
with the reason).

`check_adverse` is the checker registry.py registers with core.adverse: one primary-key lookup
when the person is not protected, so bulk suspensions stay cheap."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.core import adverse, clock
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, Invalid, NotFound
from crownjewels.core.permissions import Permission as P
from crownjewels.core.refs import next_ref
from crownjewels.core.tasks import Task as MyTask
from crownjewels.custody import labels
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.incidents.models import Approval, Protected, Report
from crownjewels.incidents.reports import repository
from crownjewels.incidents.reports.errors import ApprovalNotFound, ReportConflict
from crownjewels.incidents.reports.routing import routed_away
from crownjewels.incidents.reports.schemas import ApprovalDecision, ApprovalRead, ApprovalRequest
from crownjewels.incidents.reports.schemas import ApprovalStatus as S
from crownjewels.parties import accounts
from crownjewels.parties import service as parties

SUBJECT = "adverse-approval"
READER = fact_reader("incidents")
#: who may ask for an approval: those whose work takes adverse actions, and case handlers
REQUESTERS = (
    P.GRANTS_MANAGE,
    P.USERS_MANAGE,
    P.PARTIES_WRITE,
    P.INCIDENTS_CONTAIN,
    P.REPORTS_HANDLE,
)
_GRANT_ACTIONS = (adverse.REVOKE_GRANT, adverse.SUSPEND_GRANT)


def protect_person(session: Session, *, actor: Actor, row: Report, person_id: str) -> bool:
    """Protect a reporter's person (REPORTER_PROTECTED); False when they already were."""
    if repository.protected(session, person_id) is not None:
        return False
    now = clock.now()
    session.add(Protected(person_id=person_id, report_id=row.id, since=now, flagged_by=actor.ref))
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.REPORTER_PROTECTED,
        subject_type="person",
        subject_id=person_id,
        details={"since": now.isoformat()},
    )
    return True


def lift_protection(
    session: Session, *, actor: Actor, row: Report, protection: Protected, reason: str
) -> None:
    """End a person's protection (REPORTER_PROTECTION_LIFTED, with the reason): only with an
    approved lift-protection of them, which it uses up (check_adverse refuses it with the way
    to ask otherwise). The custody log keeps when it began and why it ended, not the report."""
    person_id, since = protection.person_id, protection.since
    if actor.person_id == person_id:
        raise Forbidden(f"{row.ref} protects you: another case handler ends the protection")
    if row.ref.lower() in reason.lower():
        raise Invalid(
            f"the reason names {row.ref}: the custody log keeps it with the person, and must "
            "not say which report they made; say why without the report's reference",
            field="reason",
        )
    person = parties.get_person(session, actor=READER, person_ref=person_id)
    adverse.check(
        session,
        actor=actor,
        person_id=person_id,
        action=adverse.LIFT_PROTECTION,
        target=person.email,
    )
    session.delete(protection)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.REPORTER_PROTECTION_LIFTED,
        subject_type="person",
        subject_id=person_id,
        details={"since": since.isoformat(), "reason": reason},
    )


def _record(session: Session, actor: Actor, row: Approval, event: EventType, **more: Any) -> None:
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, "person_id": row.person_id, **more},
    )


def _refusal(session: Session, done: adverse.AdverseAction) -> str:
    person = parties.get_person(session, actor=READER, person_ref=done.person_id)
    # the command is a clause of its own: a page shows the message without it (for_pages)
    return (
        f"{person.full_name} is protected from retaliation (they reported a concern), so "
        f"{adverse.ACTIONS[done.action]} {done.target} needs a case handler's approval first, "
        "asked for with a reason on the page /reports/approvals; from the command line "
        f"`crownjewels reports approvals request {person.email} --action {done.action} "
        f'--target {done.target} --reason "why"` asks for it; once it is approved, do it '
        "again (the approval lets it happen once)."
    )


def check_adverse(session: Session, actor: Actor, done: adverse.AdverseAction) -> None:
    """Refuse an adverse action against a protected person (ProtectedPerson, saying how to
    ask), unless an approval of exactly it is waiting: that one is then used up."""
    if repository.protected(session, done.person_id) is None:
        return
    found = repository.open_approval(
        session, done.person_id, done.action, done.target, [S.APPROVED.value]
    )
    if found is None:
        raise adverse.ProtectedPerson(_refusal(session, done))
    found.status = S.USED.value
    _record(session, actor, found, EventType.ADVERSE_ACTION_TAKEN, target=found.target)


def read(session: Session, row: Approval) -> ApprovalRead:
    """An approval in words: the person by name, the asker and decider by name."""
    person = parties.get_person(session, actor=READER, person_ref=row.person_id)
    who = labels.actor_texts(session, {r for r in (row.requested_by, row.decided_by) if r})
    return ApprovalRead(
        ref=row.ref,
        person=person.full_name,
        person_email=person.email,
        action=row.action,
        action_words=adverse.ACTIONS.get(row.action, row.action),
        target=row.target,
        reason=row.reason,
        requested_by=who.get(row.requested_by, row.requested_by),
        requested_at=row.requested_at,
        status=S(row.status),
        decided_by=who.get(row.decided_by, row.decided_by) if row.decided_by else None,
        decided_at=row.decided_at,
        decision_note=row.decision_note,
    )


def _person_id(session: Session, typed: str) -> str:
    try:
        return parties.person_id_by_label(session, actor=READER, label=typed)
    except (Invalid, NotFound) as exc:
        raise Invalid(exc.message, field="person") from None


def _target(session: Session, person_id: str, action: str, typed: str) -> str:
    """The target as the lower capability names it: the grant's ref (checked to be the
    person's), the login's email (theirs by default), the token's name."""
    if action in _GRANT_ACTIONS:
        try:
            grant = access.get(session, actor=READER, grant_ref=typed.strip())
        except NotFound:
            grant = None
        if grant is None or grant.person_id != person_id:
            raise Invalid(f"{typed.strip() or 'no grant'} is not a grant of theirs", field="target")
        return grant.ref
    if action == adverse.LIFT_PROTECTION:
        email = parties.get_person(session, actor=READER, person_ref=person_id).email
        if typed.strip() and typed.strip().lower() != email.lower():
            raise Invalid(f"the protection is theirs: leave the target empty or give {email}",
                          field="target")  # fmt: skip
        return email
    if action == adverse.REVOKE_TOKEN:
        if not typed.strip():
            raise Invalid("give the name of the API token to revoke", field="target")
        return typed.strip()
    user_id = accounts.user_for_person(session, person_id=person_id)
    if user_id is not None:
        return accounts.get_user(session, user_id=user_id).username
    return parties.get_person(session, actor=READER, person_ref=person_id).email


def request(session: Session, *, actor: Actor, data: ApprovalRequest) -> ApprovalRead:
    """Ask for an adverse action against a protected person, with a reason
    (ADVERSE_ACTION_REQUESTED); a case handler other than the asker decides."""
    actor.require_any(*REQUESTERS, what="asking to act against a protected person")
    if data.action not in adverse.ACTIONS:
        raise Invalid(f"choose the action: one of {', '.join(adverse.ACTIONS)}", field="action")
    if data.action == adverse.LIFT_PROTECTION:
        actor.require(P.REPORTS_HANDLE, what="asking to end a reporter's protection")
    person_id = _person_id(session, data.person)
    if repository.protected(session, person_id) is None:
        raise Invalid(
            f"{data.person} is not protected from retaliation: the action needs no approval",
            field="person",
        )
    target = _target(session, person_id, data.action, data.target)
    statuses = [S.PENDING.value, S.APPROVED.value]
    existing = repository.open_approval(session, person_id, data.action, target, statuses)
    if existing is not None:
        raise ReportConflict(f"{existing.ref} asks for this already ({existing.status})")
    row = Approval(
        ref=next_ref(session, Approval.ref, "AA-", 4),
        person_id=person_id,
        action=data.action,
        target=target,
        reason=data.reason,
        requested_by=actor.ref,
        requested_at=clock.now(),
        status=S.PENDING.value,
    )
    session.add(row)
    _record(
        session,
        actor,
        row,
        EventType.ADVERSE_ACTION_REQUESTED,
        action=row.action,
        target=row.target,
        reason=row.reason,
    )
    return read(session, row)


def _visible(session: Session, actor: Actor, row: Approval) -> bool:
    """Case handlers see the approvals but those about a reporter whose report names them."""
    protection = repository.protected(session, row.person_id)
    report = session.get(Report, protection.report_id) if protection else None
    return report is None or not routed_away(report, actor)


def decide(session: Session, *, actor: Actor, ref: str, data: ApprovalDecision) -> ApprovalRead:
    """Approve or refuse a pending approval (ADVERSE_ACTION_DECIDED): a case handler, never
    the one who asked for it nor the person it is about; a refusal says why."""
    actor.require(P.REPORTS_HANDLE, what="deciding on an action against a protected person")
    row = repository.approval_by_ref(session, ref)
    if row is None or not _visible(session, actor, row):
        raise ApprovalNotFound(
            f"there is no approval {ref.strip()}; list them on /reports/approvals"
        )
    if row.status != S.PENDING:
        raise ReportConflict(f"{row.ref} is {row.status} already")
    if row.requested_by == actor.ref:
        raise Forbidden(f"you asked for {row.ref}: another case handler decides it")
    if actor.person_id and actor.person_id == row.person_id:
        raise Forbidden(f"{row.ref} is about you: another case handler decides it")
    if not data.approve and len(data.note) < 3:
        raise Invalid("say why it is refused: the asker reads it", field="note")
    row.status = (S.APPROVED if data.approve else S.REFUSED).value
    row.decided_by, row.decided_at, row.decision_note = actor.ref, clock.now(), data.note or None
    _record(
        session,
        actor,
        row,
        EventType.ADVERSE_ACTION_DECIDED,
        decision=row.status,
        note=row.decision_note,
    )
    return read(session, row)


def list_approvals(
    session: Session, *, actor: Actor, status: S | None = None
) -> list[ApprovalRead]:
    """Approvals newest first: all of them for case handlers (but those about a reporter whose
    report names them), one's own requests for the others who may ask."""
    wanted = status.value if status else None
    if actor.can(P.REPORTS_HANDLE):
        rows = [
            r for r in repository.approvals(session, status=wanted) if _visible(session, actor, r)
        ]
    else:
        actor.require_any(*REQUESTERS, what="reading approvals of actions against protected people")
        rows = repository.approvals(session, status=wanted, requested_by=actor.ref)
    return [read(session, r) for r in rows]


def tasks_for(session: Session, *, actor: Actor) -> list[MyTask]:
    """The pending approvals a case handler may decide (not their own, not about them)."""
    out = []
    for row in repository.approvals(session, status=S.PENDING.value):
        if row.requested_by == actor.ref or row.person_id == actor.person_id:
            continue
        if not _visible(session, actor, row):
            continue
        person = parties.person_names(session, {row.person_id}).get(row.person_id, "")
        out.append(
            MyTask(
                kind="decide-adverse-action",
                group="Approvals",
                title=f"Decide {row.ref}: {adverse.ACTIONS[row.action]} {row.target} ({person})",
                href=f"/reports/approvals#{row.ref}",
            )
        )
    return out
