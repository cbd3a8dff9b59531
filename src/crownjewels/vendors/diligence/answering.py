"""Answering an assessment: save a draft of answers (each checked against its question's type),
attach a file as evidence, submit once every required visible question is answered; concurrent
changes of one assessment are refused rather than mixed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.vendors.diligence import repository, rules
from crownjewels.vendors.diligence.definition import (
    coerce_answer,
)
from crownjewels.vendors.diligence.errors import (
    AnswerErrors,
    BadAnswer,
    StaleAssessment,
    WrongState,
)
from crownjewels.vendors.diligence.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentLink,
    QuestionnaireTemplate,
)
from crownjewels.vendors.diligence.reads import (
    SUBJECT,
    answer_values,
    detail,
    get_row,
    questionnaire_of,
    read,
)
from crownjewels.vendors.diligence.schemas import (
    OPEN_FOR_VENDOR,
    AnswersSave,
    AssessmentDetail,
    AssessmentRead,
    AssessmentStatus,
    Review,
)


def canonical_sha256(values: dict[str, Any]) -> str:
    """The SHA-256 of values as canonical JSON (sealed into custody events)."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def require_answerer(actor: Actor, a: Assessment) -> None:
    """Raise unless the actor may answer and the assessment is open for answers."""
    actor.require(Permission.ASSESSMENTS_ANSWER)
    if AssessmentStatus(a.status) not in OPEN_FOR_VENDOR:
        raise WrongState(
            f"{a.ref} is {AssessmentStatus(a.status).value.replace('_', ' ')}; answers can no "
            "longer be changed"
        )


def save_answers(
    session: Session, *, actor: Actor, assessment_ref: str, data: AnswersSave
) -> AssessmentDetail:
    """Save a draft of answers (come back later to finish). Each value is checked against its
    question's type; any problem refuses the whole save, naming the question."""
    a = get_row(session, actor, assessment_ref)
    require_answerer(actor, a)
    template = session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    q = questionnaire_of(template)
    status = AssessmentStatus(a.status)
    rows = repository.answers(session, a.id)
    errors: dict[str, str] = {}
    coerced: dict[str, Any] = {}
    for qid, raw in data.answers.items():
        question = q.question(qid)
        if question is None:
            errors[qid] = f"there is no question {qid} in this questionnaire"
            continue
        try:
            coerced[qid] = coerce_answer(question, raw)
        except ValueError as exc:
            errors[qid] = f"question {qid}: {exc}"
    if errors:
        raise AnswerErrors(errors)
    changed = []
    for qid, value in coerced.items():
        row = rows.get(qid)
        if row is None and value is None and not data.comments.get(qid):
            continue  # a blank field never answered: nothing to store
        comment = data.comments.get(qid) or (row.comment if row else None)
        if row is not None and row.value.get("value") == value and row.comment == comment:
            continue
        if not rules.editable(status, Review(row.review) if row else None):
            raise AnswerErrors({qid: f"question {qid} was accepted in review; it stays as it is"})
        if row is None:
            row = AssessmentAnswer(assessment_id=a.id, question_id=qid, answered_by=actor.ref)
            session.add(row)
            rows[qid] = row
        row.value, row.comment = {"value": value}, comment
        row.answered_at, row.answered_by = clock.now(), actor.ref
        row.review, row.review_note, row.reviewed_at, row.reviewed_by = "pending", None, None, None
        changed.append(qid)
    if changed:
        if status is AssessmentStatus.SENT:
            a.status = AssessmentStatus.IN_PROGRESS
        flush_changes(session, a)
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ASSESSMENT_ANSWER_SAVED,
            subject_type=SUBJECT,
            subject_id=a.id,
            details={
                "questions": changed,
                "round": a.round,
                "answers_sha256": canonical_sha256({k: coerced[k] for k in changed}),
            },
        )
    return detail(session, actor=actor, assessment_ref=a.id)


def set_evidence(
    session: Session,
    *,
    actor: Actor,
    assessment_ref: str,
    question_id: str,
    document_id: str,
    filename: str | None = None,
) -> AssessmentDetail:
    """Record the vault document that documents.attach_evidence just stored for this assessment
    as a file question's answer (the answer reads as the file's name)."""
    a = get_row(session, actor, assessment_ref)
    template = session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    question = questionnaire_of(template).question(question_id)
    if question is None or question.type.value != "file":
        raise BadAnswer(f"question {question_id} does not take a file", field=question_id)
    save_answers(
        session,
        actor=actor,
        assessment_ref=a.id,
        data=AnswersSave(answers={question_id: (filename or "").strip()[:300] or document_id}),
    )
    repository.answers(session, a.id)[question_id].document_id = document_id
    session.flush()
    return detail(session, actor=actor, assessment_ref=a.id)


def submit(session: Session, *, actor: Actor, assessment_ref: str) -> AssessmentRead:
    """Submit for review once every required visible question is answered; a one-time link is
    used up by it."""
    a = get_row(session, actor, assessment_ref)
    require_answerer(actor, a)
    template = session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    rows = repository.answers(session, a.id)
    missing = rules.missing_required(questionnaire_of(template), answer_values(rows))
    if missing:
        raise BadAnswer(
            f"answer every required question before submitting; still open: {', '.join(missing)}",
            field=missing[0],
        )
    now = clock.now()
    a.status, a.submitted_at = AssessmentStatus.SUBMITTED, now
    if actor.kind == repository.LINK_ACTOR:
        link = session.get(AssessmentLink, actor.id)
        if link is not None:
            link.used_at = now
    flush_changes(session, a)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_SUBMITTED,
        subject_type=SUBJECT,
        subject_id=a.id,
        details={"round": a.round, "answers_sha256": canonical_sha256(answer_values(rows))},
    )
    return read(session, actor, a, template=template)


def flush_changes(session: Session, a: Assessment) -> None:
    """Flush with the assessment's version bumped, so two concurrent changes of one assessment
    cannot both pass: the second is refused (409) instead of mixing the two."""
    ref = a.ref  # read now: a failed flush expires the row
    a.updated_at = clock.now()
    try:
        session.flush()
    except (StaleDataError, IntegrityError):
        raise StaleAssessment(
            f"{ref} was changed by someone else; reload it and try again"
        ) from None
