"""Reading due diligence as the actor may see it: a stored template's validated questionnaire,
a vendor by reference or name, an assessment (a vendor user or link sees only its own) with its
progress, questions, answers, remediation and risk explanation, and a vendor's standing (what
the access rules ask)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import NotFound
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission
from crownjewels.parties import service as parties
from crownjewels.vendors.diligence import repository, rules, scoring
from crownjewels.vendors.diligence.definition import (
    Questionnaire,
    visible_questions,
)
from crownjewels.vendors.diligence.errors import (
    AssessmentNotFound,
    TemplateNotFound,
    VendorNotFound,
)
from crownjewels.vendors.diligence.models import (
    Assessment,
    AssessmentAnswer,
    QuestionnaireTemplate,
)
from crownjewels.vendors.diligence.schemas import (
    AnswerRead,
    AssessmentDetail,
    AssessmentFilter,
    AssessmentRead,
    AssessmentStatus,
    Channel,
    LinkIssued,
    Progress,
    QuestionView,
    RemediationRead,
    Review,
    RiskExplanation,
)
from crownjewels.vendors.models import VendorProfile
from crownjewels.vendors.reads import certification_label

SUBJECT = "assessment"


def template_row(session: Session, ref: str) -> QuestionnaireTemplate:
    """A stored template by id, `key` (latest version) or `key:version`, or TemplateNotFound."""
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


def vendor_row(session: Session, actor: Actor, ref: str) -> VendorProfile:
    """A vendor profile by id, reference (VN-0001) or its organisation, or VendorNotFound."""
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


def answer_values(answers: dict[str, AssessmentAnswer]) -> dict[str, Any]:
    """The answers' values by question id."""
    return {qid: a.value.get("value") for qid, a in answers.items()}


def _progress(q: Questionnaire, answers: dict[str, AssessmentAnswer]) -> Progress:
    values = answer_values(answers)
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
    """An assessment as shown, with its template, vendor name and progress."""
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
    vendor_id = vendor_row(session, actor, filters.vendor).id if filters.vendor else None
    query = repository.filtered(_visible(session, actor), filters, vendor_id, today=clock.today())
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
    shown = {x.id for x in visible_questions(q, answer_values(answers))}
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


def vendor_choices(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """(reference, "name (reference)") of every vendor, for the send form."""
    actor.require(Permission.VENDORS_READ)
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
    actor.require(Permission.VENDORS_READ)
    a = get_row(session, actor, assessment_ref)
    template = session.get(QuestionnaireTemplate, a.template_id)
    assert template is not None
    return scoring.explain(session, actor, a, template, repository.answers(session, a.id))


def latest_risk(session: Session, *, actor: Actor, vendor_ref: str) -> RiskExplanation | None:
    """The frozen risk explanation of a vendor's last completed assessment (for vendor pages)."""
    actor.require(Permission.VENDORS_READ)
    last = repository.last_completed(session, vendor_row(session, actor, vendor_ref).id)
    if last is None or last.risk is None:
        return None
    return RiskExplanation.model_validate(last.risk)


def standing(session: Session, *, vendor_id: str, on: date) -> tuple[bool, str]:
    """Whether a vendor's due diligence is passed and not expired on `on`, with why in plain
    words: the last completed assessment, its residual risk (critical fails), its expiry (the
    review cadence after completion) and the vendor's certifications (an expired one lowers
    the standing until it is renewed or removed)."""
    # the vendor and its last completed assessment in one query (what the rules read of them)
    rows = repository.standing_facts(session, vendor_id)
    if not rows:
        raise NotFound(f"no vendor {vendor_id!r}")
    row = rows[0]
    if row.last_ref is None or row.completed_at is None:
        return (
            False,
            f"vendor {row.ref} has no completed due diligence: send and review a questionnaire",
        )
    done_on = row.completed_at.date()
    expires_on = rules.reassessment_due_on(done_on, row.review_cadence_months)
    if on >= expires_on:
        return False, f"due diligence {row.last_ref} of vendor {row.ref} expired on {expires_on}"
    if row.residual_level == "critical":
        return (
            False,
            f"due diligence {row.last_ref} of vendor {row.ref} left a critical residual risk",
        )
    lapsed = rules.lapsed_certifications(
        [
            rules.CertFacts(
                certification_label(c.standard, c.standard_name), c.issuer, c.expires_on
            )
            for c in rows
            if c.standard is not None
        ],
        on=on,
    )
    if lapsed is not None:
        return False, f"due diligence {row.last_ref} of vendor {row.ref} is lowered: {lapsed}"
    return True, f"due diligence {row.last_ref} completed on {done_on}, current until {expires_on}"
