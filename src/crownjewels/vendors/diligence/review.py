"""The vendor manager's side of an assessment: review answer by answer (accept, reject, ask
again), return the asked-again answers to the vendor, complete (the risk explanation is then
frozen), cancel, and remediation items with an owner and a due date."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import service as parties
from crownjewels.vendors.diligence import answering, mail, reads, repository, rules, scoring
from crownjewels.vendors.diligence.errors import BadAnswer, RemediationNotFound, WrongState
from crownjewels.vendors.diligence.models import (
    Assessment,
    AssessmentAnswer,
    QuestionnaireTemplate,
    RemediationItem,
)
from crownjewels.vendors.diligence.schemas import (
    UNFINISHED,
    AssessmentDetail,
    AssessmentRead,
    AssessmentStatus,
    RemediationCreate,
    RemediationRead,
    RemediationStatus,
    RemediationUpdate,
    Review,
    ReviewSave,
)

SUBJECT = reads.SUBJECT


def review(
    session: Session, *, actor: Actor, assessment_ref: str, data: ReviewSave
) -> AssessmentDetail:
    """Accept, reject or ask again answer by answer; with `return_to_vendor` the asked-again
    answers reopen for the vendor (a one-time link assessment then needs a new link)."""
    actor.require(Permission.VENDORS_WRITE)
    a = reads.get_row(session, actor, assessment_ref)
    if AssessmentStatus(a.status) is not AssessmentStatus.SUBMITTED:
        raise WrongState(f"{a.ref} is {a.status}; answers are reviewed once it is submitted")
    rows = repository.answers(session, a.id)
    now = clock.now()
    for d in data.decisions:
        row = rows.get(d.question_id)
        if row is None:
            raise BadAnswer(
                f"question {d.question_id} has no answer to review", field=d.question_id
            )
        if d.decision is Review.PENDING:
            raise BadAnswer("decide accept, reject or ask again", field=d.question_id)
        if d.decision is Review.ASK_AGAIN and not d.note:
            raise BadAnswer(
                f"say what the vendor should change in answer {d.question_id}", field=d.question_id
            )
        if row.review == d.decision and row.review_note == d.note:
            continue
        before = row.review
        row.review, row.review_note, row.reviewed_at, row.reviewed_by = (
            d.decision,
            d.note,
            now,
            actor.ref,
        )
        answering.flush_changes(session, a)
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ASSESSMENT_ANSWER_REVIEWED,
            subject_type=SUBJECT,
            subject_id=a.id,
            details={
                "question_id": d.question_id,
                "before": before,
                "after": d.decision,
                "note": d.note,
                "round": a.round,
            },
        )
    if data.return_to_vendor:
        _return_to_vendor(session, actor, a, rows)
    return reads.detail(session, actor=actor, assessment_ref=a.id)


def _return_to_vendor(
    session: Session, actor: Actor, a: Assessment, rows: dict[str, AssessmentAnswer]
) -> None:
    again = sorted(qid for qid, r in rows.items() if r.review == Review.ASK_AGAIN)
    if not again:
        raise WrongState("mark at least one answer “ask again” before returning it to the vendor")
    a.status, a.round, a.submitted_at = AssessmentStatus.RETURNED, a.round + 1, None
    answering.flush_changes(session, a)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_RETURNED,
        subject_type=SUBJECT,
        subject_id=a.id,
        details={"ref": a.ref, "round": a.round, "reopened": again},
    )
    mail.answers_returned(session, actor=actor, a=a, rows=rows, again=again)


def complete(session: Session, *, actor: Actor, assessment_ref: str) -> AssessmentDetail:
    """Complete a reviewed assessment: its risk explanation is frozen as of now."""
    actor.require(Permission.VENDORS_WRITE)
    a = reads.get_row(session, actor, assessment_ref)
    if AssessmentStatus(a.status) is not AssessmentStatus.SUBMITTED:
        raise WrongState(f"{a.ref} is {a.status}; only a submitted assessment is completed")
    template = session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    rows = repository.answers(session, a.id)
    blockers = rules.completion_blockers(
        reads.questionnaire_of(template), scoring.answer_facts(rows)
    )
    if blockers:
        raise WrongState("cannot complete yet: " + "; ".join(blockers))
    risk = scoring.explain(session, actor, a, template, rows)
    now = clock.now()
    a.status, a.completed_at, a.completed_by = AssessmentStatus.COMPLETED, now, actor.ref
    a.risk = risk.model_copy(update={"frozen": True}).model_dump(mode="json")
    answering.flush_changes(session, a)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_COMPLETED,
        subject_type=SUBJECT,
        subject_id=a.id,
        details={
            "inherent": {"level": risk.inherent.level, "points": risk.inherent.points},
            "residual": {"level": risk.residual.level, "points": risk.residual.points},
            "factors_sha256": answering.canonical_sha256(a.risk),
        },
    )
    return reads.detail(session, actor=actor, assessment_ref=a.id)


def cancel(session: Session, *, actor: Actor, assessment_ref: str, reason: str) -> AssessmentRead:
    """Cancel an unfinished assessment (its links stop working)."""
    actor.require(Permission.VENDORS_WRITE)
    a = reads.get_row(session, actor, assessment_ref)
    if AssessmentStatus(a.status) not in UNFINISHED:
        raise WrongState(f"{a.ref} is {a.status}; only an unfinished assessment is cancelled")
    if not reason.strip():
        raise Invalid("give the reason for cancelling", field="reason")
    before = a.status
    a.status = AssessmentStatus.CANCELLED
    for link in repository.active_links(session, a.id, clock.now()):
        link.revoked_at = clock.now()
    answering.flush_changes(session, a)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_CANCELLED,
        subject_type=SUBJECT,
        subject_id=a.id,
        details={"before": before, "reason": reason.strip()},
    )
    return reads.read(session, actor, a)


def add_remediation(
    session: Session, *, actor: Actor, assessment_ref: str, data: RemediationCreate
) -> RemediationRead:
    """Record something the vendor must fix, with an owner on our side and a due date."""
    actor.require(Permission.VENDORS_WRITE)
    a = reads.get_row(session, actor, assessment_ref)
    if AssessmentStatus(a.status) is AssessmentStatus.CANCELLED:
        raise WrongState(f"{a.ref} was cancelled")
    owner_id = parties.resolve_person_id(session, actor=actor, person_ref=data.owner)
    row = RemediationItem(
        assessment_id=a.id,
        question_id=data.question_id,
        title=data.title,
        owner_id=owner_id,
        due_on=data.due_on,
        status=RemediationStatus.OPEN,
        notes=data.notes,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.REMEDIATION_ADDED,
        subject_type=SUBJECT,
        subject_id=a.id,
        details={
            "remediation_id": row.id,
            "after": {**data.model_dump(mode="json"), "owner": owner_id},
        },
    )
    return next(r for r in reads.remediation_items(session, a) if r.id == row.id)


def update_remediation(
    session: Session, *, actor: Actor, assessment_ref: str, item_id: str, data: RemediationUpdate
) -> RemediationRead:
    """Mark a remediation item done, or open again."""
    actor.require(Permission.VENDORS_WRITE)
    a = reads.get_row(session, actor, assessment_ref)
    row = session.get(RemediationItem, item_id)
    if row is None or row.assessment_id != a.id:
        raise RemediationNotFound(f"{a.ref} has no remediation item {item_id!r}")
    before = {"status": row.status, "notes": row.notes}
    row.status = data.status
    row.done_on = clock.today() if data.status is RemediationStatus.DONE else None
    if data.notes is not None:
        row.notes = data.notes
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.REMEDIATION_UPDATED,
        subject_type=SUBJECT,
        subject_id=a.id,
        details={
            "remediation_id": row.id,
            "before": before,
            "after": {"status": row.status, "notes": row.notes},
        },
    )
    return next(r for r in reads.remediation_items(session, a) if r.id == row.id)
