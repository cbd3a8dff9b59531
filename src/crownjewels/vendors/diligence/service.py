"""Due-diligence verbs of templates, sending and answering: import and list questionnaire
templates; send an assessment to a vendor contact (vendor-user account or one-time link); read
and list assessments as the actor may see them; save answers, attach evidence, submit. The
vendor manager's review is in review.py, the risk facts in scoring.py, reassessment in
schedule.py. Every write records its custody event in the caller's transaction; the edge
commits."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.ids import new_id
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission, Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from crownjewels.vendors.diligence import loader, repository, rules, scoring
from crownjewels.vendors.diligence.definition import (
    Questionnaire,
    coerce_answer,
    visible_questions,
)
from crownjewels.vendors.diligence.errors import (
    AnswerErrors,
    AssessmentNotFound,
    BadAnswer,
    LinkGone,
    StaleAssessment,
    TemplateConflict,
    TemplateNotFound,
    VendorNotFound,
    WrongState,
)
from crownjewels.vendors.diligence.models import (
    Assessment,
    AssessmentAnswer,
    AssessmentLink,
    QuestionnaireTemplate,
)
from crownjewels.vendors.diligence.schemas import (
    OPEN_FOR_VENDOR,
    AnswerRead,
    AnswersSave,
    AssessmentDetail,
    AssessmentFilter,
    AssessmentRead,
    AssessmentSend,
    AssessmentStatus,
    Channel,
    LinkIssued,
    Progress,
    QuestionView,
    RemediationRead,
    Review,
    RiskExplanation,
    TemplateImported,
    TemplateRead,
)
from crownjewels.vendors.models import VendorProfile

SUBJECT = "assessment"
TEMPLATE_SUBJECT = "questionnaire"
LINK_PREFIX = "/a/"


def require(actor: Actor, permission: Permission) -> None:
    """Raise Forbidden unless the actor holds the permission (`Actor.require`; call that)."""
    actor.require(permission)


# --- templates ---------------------------------------------------------------------------------


def import_template(session: Session, *, actor: Actor, loaded: loader.Loaded) -> TemplateImported:
    """Store a validated questionnaire version; the same key and version with other content is
    refused (a new edition needs a higher version), the same content again changes nothing."""
    require(actor, Permission.VENDORS_WRITE)
    q = loaded.questionnaire
    existing = repository.template(session, q.key, q.version)
    if existing is not None:
        if existing.sha256 != loaded.sha256:
            raise TemplateConflict(
                f"{q.key} version {q.version} was imported before with different content "
                f"(SHA-256 {existing.sha256[:12]}…, this file {loaded.sha256[:12]}…); raise "
                "`version` in the file to import a new edition",
                field="file",
            )
        return TemplateImported.model_validate(existing).model_copy(update={"unchanged": True})
    row = QuestionnaireTemplate(
        key=q.key,
        version=q.version,
        title=q.title,
        sha256=loaded.sha256,
        source=loaded.source,
        definition=q.model_dump(mode="json", by_alias=True),
        question_count=len(q.questions()),
        imported_by=actor.ref,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.QUESTIONNAIRE_IMPORTED,
        subject_type=TEMPLATE_SUBJECT,
        subject_id=row.id,
        details={"key": q.key, "version": q.version, "sha256": loaded.sha256},
    )
    return TemplateImported.model_validate(row)


def import_file(session: Session, *, actor: Actor, path: Path) -> TemplateImported:
    """Validate and store a questionnaire YAML file (errors name the file and line)."""
    return import_template(session, actor=actor, loaded=loader.load(path))


def list_templates(session: Session, *, actor: Actor) -> list[TemplateRead]:
    """Every imported questionnaire version."""
    require(actor, Permission.VENDORS_READ)
    return [TemplateRead.model_validate(t) for t in repository.templates(session)]


def _template(session: Session, ref: str) -> QuestionnaireTemplate:
    key, _, version = ref.strip().partition(":")
    row = session.get(QuestionnaireTemplate, key) or repository.template(
        session, key, int(version) if version.isdigit() else None
    )
    if row is None:
        raise TemplateNotFound(
            f"no questionnaire {ref!r}; `crownjewels questionnaires import FILE` stores one, "
            "`questionnaires list` shows them",
            field="template",
        )
    return row


#: validated questionnaires by the SHA-256 of their file: a stored version never changes
_PARSED: dict[str, Questionnaire] = {}
_PARSED_MAX = 64


def questionnaire_of(row: QuestionnaireTemplate) -> Questionnaire:
    """The validated questionnaire of a stored template version (validated once per process)."""
    found = _PARSED.get(row.sha256)
    if found is None:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
        found = _PARSED[row.sha256] = Questionnaire.model_validate(row.definition)
    return found


# --- sending -----------------------------------------------------------------------------------


def _vendor(session: Session, actor: Actor, ref: str) -> VendorProfile:
    row = repository.vendor(session, ref)
    if row is None:
        try:
            org = parties.get_organisation(session, actor=actor, org_ref=ref)
        except NotFound:
            org = None
        row = repository.vendor_of_organisation(session, org.id) if org else None
    if row is None:
        raise VendorNotFound(
            f"no vendor {ref!r}; give a vendor profile id, reference (VN-0001) or name",
            field="vendor",
        )
    return row


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_link(session: Session, actor: Actor, assessment: Assessment, days: int) -> LinkIssued:
    now = clock.now()
    for old in repository.active_links(session, assessment.id, now):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    link = AssessmentLink(
        assessment_id=assessment.id,
        token_sha256=_token_hash(token),
        expires_at=now + timedelta(days=days),
        created_by=actor.ref,
    )
    session.add(link)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_LINK_ISSUED,
        subject_type=SUBJECT,
        subject_id=assessment.id,
        details={"link_id": link.id, "expires_at": link.expires_at, "round": assessment.round},
    )
    return LinkIssued(path=LINK_PREFIX + token, token=token, expires_at=link.expires_at)


def _recipient(
    session: Session, actor: Actor, vendor: VendorProfile, data: AssessmentSend
) -> tuple[str | None, str, str, str | None]:
    """(contact id, name, email, vendor-user person id) of the recipient."""
    contacts = repository.contacts(session, vendor.id)
    contact = next((c for c in contacts if c.id == data.contact_id), None)
    if data.contact_id and contact is None:
        raise NotFound(
            f"vendor {vendor.ref} has no contact {data.contact_id!r}", field="contact_id"
        )
    if contact is None and contacts:
        contact = contacts[0]
    person_id = contact.person_id if contact else None
    if data.recipient:
        person_id = parties.resolve_person_id(session, actor=actor, person_ref=data.recipient)
    if data.channel is Channel.ACCOUNT:
        if person_id is None:
            raise Invalid(
                "a questionnaire for a vendor-user account needs the user: give `recipient` "
                "(a person of the vendor with a vendor-user login), or send a one-time link",
                field="recipient",
            )
        person = parties.get_person(session, actor=actor, person_ref=person_id)
        if person.organisation_id != vendor.organisation_id:
            raise Invalid(
                f"{person.full_name} does not work for this vendor; choose one of its staff",
                field="recipient",
            )
        return (contact.id if contact else None, person.full_name, person.email, person.id)
    if contact is None:
        raise Invalid(
            f"vendor {vendor.ref} has no contact to send the link to; add a contact first",
            field="contact_id",
        )
    return contact.id, contact.name, contact.email, None


def send(session: Session, *, actor: Actor, data: AssessmentSend) -> AssessmentRead:
    """Send a questionnaire to a vendor contact: a vendor user answers it after logging in, a
    one-time link (returned once, in `link`) needs no account."""
    require(actor, Permission.VENDORS_WRITE)
    vendor = _vendor(session, actor, data.vendor)
    template = _template(session, data.template)
    secret_ids = []
    for ref in data.secrets:
        secret_ids.append(inventory.get(session, actor=actor, secret_ref=ref).id)
    contact_id, name, email, person_id = _recipient(session, actor, vendor, data)
    custody.lock(session)  # DD-0001 numbering is serialized with the custody appends
    assessment = Assessment(
        id=new_id(),
        ref=repository.next_ref(session),
        vendor_id=vendor.id,
        organisation_id=vendor.organisation_id,
        template_id=template.id,
        contact_id=contact_id,
        recipient_name=name,
        recipient_email=email,
        recipient_person_id=person_id,
        channel=data.channel,
        status=AssessmentStatus.SENT,
        secret_ids=sorted(set(secret_ids)),
        due_on=data.due_on,
        message=data.message,
        sent_at=clock.now(),
        sent_by=actor.ref,
    )
    session.add(assessment)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_SENT,
        subject_type=SUBJECT,
        subject_id=assessment.id,
        details={
            "ref": assessment.ref,
            "vendor_id": vendor.id,
            "template": f"{template.key}:{template.version}",
            "template_sha256": template.sha256,
            "channel": data.channel,
            "recipient_email": email,
            "secret_ids": assessment.secret_ids,
            "due_on": data.due_on,
        },
    )
    link = (
        _issue_link(session, actor, assessment, data.link_days) if data.channel == "link" else None
    )
    return read(session, actor, assessment, template=template, link=link)


def issue_link(
    session: Session, *, actor: Actor, assessment_ref: str, days: int = 14
) -> LinkIssued:
    """A new one-time link for an assessment the vendor may still answer (earlier links stop)."""
    require(actor, Permission.VENDORS_WRITE)
    assessment = get_row(session, actor, assessment_ref)
    if assessment.status not in OPEN_FOR_VENDOR:
        raise WrongState(
            f"{assessment.ref} is {assessment.status}; only an assessment the vendor may still "
            "answer gets a new link"
        )
    if not 1 <= days <= 90:
        raise Invalid("a link is valid for 1 to 90 days", field="days")
    return _issue_link(session, actor, assessment, days)


# --- reading -----------------------------------------------------------------------------------


def _organisation_of(session: Session, actor: Actor) -> str | None:
    if actor.can(Permission.VENDORS_READ) or not actor.person_id:
        return None
    return parties.get_person(session, actor=actor, person_ref=actor.person_id).organisation_id


def _visible(session: Session, actor: Actor) -> Any:
    return repository.visible_to(actor, organisation_id=_organisation_of(session, actor))


def get_row(session: Session, actor: Actor, ref: str) -> Assessment:
    """A visible assessment row by id or reference, or AssessmentNotFound."""
    found = repository.find(session, _visible(session, actor), ref)
    if found is None:
        raise AssessmentNotFound(
            f"no assessment {ref!r}; `crownjewels questionnaires list --sent` shows them"
        )
    return found


def assessment_row(session: Session, *, actor: Actor, assessment_ref: str) -> Assessment:
    """The row of a visible assessment (for the vault's owner kind)."""
    return get_row(session, actor, assessment_ref)


def _values(answers: dict[str, AssessmentAnswer]) -> dict[str, Any]:
    return {qid: a.value.get("value") for qid, a in answers.items()}


def _progress(q: Questionnaire, answers: dict[str, AssessmentAnswer]) -> Progress:
    values = _values(answers)
    required = [x.id for x in visible_questions(q, values) if x.required]
    missing = rules.missing_required(q, values)
    return Progress(answered=len(required) - len(missing), required=len(required), missing=missing)


def read(
    session: Session,
    actor: Actor,
    a: Assessment,
    *,
    template: QuestionnaireTemplate | None = None,
    link: LinkIssued | None = None,
) -> AssessmentRead:
    template = template or session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    vendor = session.get(VendorProfile, a.vendor_id)
    assert vendor is not None
    try:
        vendor_name = parties.get_organisation(session, actor=actor, org_ref=a.organisation_id).name
    except NotFound:
        vendor_name = vendor.ref
    return AssessmentRead(
        id=a.id,
        ref=a.ref,
        vendor_id=a.vendor_id,
        vendor_name=vendor_name,
        template_key=template.key,
        template_version=template.version,
        template_title=template.title,
        channel=Channel(a.channel),
        recipient_name=a.recipient_name,
        recipient_email=a.recipient_email,
        recipient_person_id=a.recipient_person_id,
        status=AssessmentStatus(a.status),
        secret_ids=list(a.secret_ids),
        due_on=a.due_on,
        message=a.message,
        round=a.round,
        sent_at=a.sent_at,
        sent_by=a.sent_by,
        submitted_at=a.submitted_at,
        completed_at=a.completed_at,
        completed_by=a.completed_by,
        progress=_progress(questionnaire_of(template), repository.answers(session, a.id)),
        link=link,
    )


def list_assessments(
    session: Session, *, actor: Actor, filters: AssessmentFilter, page: PageParams
) -> tuple[list[AssessmentRead], int]:
    """A page of the assessments the actor may see, newest first."""
    vendor_id = _vendor(session, actor, filters.vendor).id if filters.vendor else None
    query = repository.filtered(_visible(session, actor), filters, vendor_id)
    rows, total = paginate(session, query, page)
    return [read(session, actor, a) for a in rows], total


def _answer_read(row: AssessmentAnswer) -> AnswerRead:
    return AnswerRead(
        question_id=row.question_id,
        value=row.value.get("value"),
        document_id=row.document_id,
        comment=row.comment,
        answered_at=row.answered_at,
        review=Review(row.review),
        review_note=row.review_note,
        reviewed_at=row.reviewed_at,
    )


def _views(
    q: Questionnaire, status: AssessmentStatus, answers: dict[str, AssessmentAnswer]
) -> list[QuestionView]:
    shown = {x.id for x in visible_questions(q, _values(answers))}
    out: list[QuestionView] = []
    for section in q.sections:
        for x in section.questions:
            row = answers.get(x.id)
            cond = x.show_if
            out.append(
                QuestionView(
                    id=x.id,
                    section=section.title,
                    text=x.text,
                    type=x.type.value,
                    required=x.required,
                    guidance=x.guidance,
                    choices=list(x.choices),
                    weight=x.weight,
                    control=x.control.name if x.control else None,
                    visible=x.id in shown,
                    editable=rules.editable(status, Review(row.review) if row else None),
                    condition=(
                        f"shown when {cond.question} is {' or '.join(cond.in_)}" if cond else None
                    ),
                    show_if_question=cond.question if cond else None,
                    show_if_in=list(cond.in_) if cond else [],
                    answer=_answer_read(row) if row else None,
                )
            )
    return out


def detail(session: Session, *, actor: Actor, assessment_ref: str) -> AssessmentDetail:
    """An assessment with its questions and answers; for vendor readers also the remediation
    items and the risk explanation (a vendor answering sees neither)."""
    a = get_row(session, actor, assessment_ref)
    template = session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    answers = repository.answers(session, a.id)
    reader = actor.can(Permission.VENDORS_READ) and actor.kind != repository.LINK_ACTOR
    return AssessmentDetail(
        assessment=read(session, actor, a, template=template),
        questions=_views(questionnaire_of(template), AssessmentStatus(a.status), answers),
        remediation=remediation_items(session, a) if reader else [],
        risk=scoring.explain(session, actor, a, template, answers) if reader else None,
    )


# --- answering ---------------------------------------------------------------------------------


def canonical_sha256(values: dict[str, Any]) -> str:
    """The SHA-256 of values as canonical JSON (sealed into custody events)."""
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def require_answerer(actor: Actor, a: Assessment) -> None:
    """Raise unless the actor may answer and the assessment is open for answers."""
    require(actor, Permission.ASSESSMENTS_ANSWER)
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
    missing = rules.missing_required(questionnaire_of(template), _values(rows))
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
        details={"round": a.round, "answers_sha256": canonical_sha256(_values(rows))},
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


# --- one-time links ----------------------------------------------------------------------------


def link_actor(session: Session, *, token: str) -> Actor:
    """The actor of someone holding a one-time link: it sees and answers only that assessment.
    An unknown token is 404; an expired, used or withdrawn one 410 with what to do."""
    link = repository.link_by_hash(session, _token_hash(token.strip()))
    if link is None:
        raise NotFound("this link is not known; check that you copied all of it")
    problem = rules.link_problem(
        expires_at=link.expires_at,
        used_at=link.used_at,
        revoked_at=link.revoked_at,
        now=clock.now(),
    )
    if problem:
        raise LinkGone(problem)
    a = session.get(Assessment, link.assessment_id)
    assert a is not None
    return Actor(
        kind=repository.LINK_ACTOR,
        id=link.id,
        name=f"{a.recipient_name} (one-time link)",
        roles=frozenset({Role.VENDOR_USER}),
        mfa=True,
    )


def vendor_choices(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(reference, "name (reference)") of every vendor, for the send form."""
    require(actor, Permission.VENDORS_READ)
    out = []
    for v in repository.vendors(session):
        try:
            name = parties.get_organisation(session, actor=actor, org_ref=v.organisation_id).name
        except NotFound:
            name = v.ref
        out.append((v.ref, f"{name} ({v.ref})"))
    return sorted(out, key=lambda pair: pair[1].lower())


def remediation_items(session: Session, a: Assessment) -> list[RemediationRead]:
    """The remediation items of an assessment with their owners' names."""
    rows = repository.remediation(session, a.id)
    names = parties.person_names(session, {r.owner_id for r in rows})
    return [
        RemediationRead.model_validate(r).model_copy(update={"owner_name": names.get(r.owner_id)})
        for r in rows
    ]


def risk(session: Session, *, actor: Actor, assessment_ref: str) -> RiskExplanation:
    """The risk explanation of an assessment (frozen once completed)."""
    require(actor, Permission.VENDORS_READ)
    a = get_row(session, actor, assessment_ref)
    template = session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    return scoring.explain(session, actor, a, template, repository.answers(session, a.id))


def latest_risk(session: Session, *, actor: Actor, vendor_ref: str) -> RiskExplanation | None:
    """The frozen risk explanation of a vendor's last completed assessment (for vendor pages)."""
    require(actor, Permission.VENDORS_READ)
    last = repository.last_completed(session, _vendor(session, actor, vendor_ref).id)
    if last is None or last.risk is None:
        return None
    return RiskExplanation.model_validate(last.risk)


def standing(session: Session, *, vendor_id: str, on: date) -> tuple[bool, str]:
    """Whether a vendor's due diligence is passed and not expired on `on`, with why in plain
    words: the last completed assessment, its residual risk (critical fails) and its expiry
    (the review cadence after completion)."""
    vendor = session.get(VendorProfile, vendor_id)
    if vendor is None:
        raise NotFound(f"no vendor {vendor_id!r}")
    last = repository.last_completed(session, vendor.id)
    if last is None or last.completed_at is None:
        return (
            False,
            f"vendor {vendor.ref} has no completed due diligence: send and review a questionnaire",
        )
    done_on = last.completed_at.date()
    expires_on = rules.reassessment_due_on(done_on, vendor.review_cadence_months)
    if on >= expires_on:
        return False, f"due diligence {last.ref} of vendor {vendor.ref} expired on {expires_on}"
    level = ((last.risk or {}).get("residual") or {}).get("level")
    if level == "critical":
        return (
            False,
            f"due diligence {last.ref} of vendor {vendor.ref} left a critical residual risk",
        )
    return True, f"due diligence {last.ref} completed on {done_on}, current until {expires_on}"
