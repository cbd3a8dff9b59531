"""The demo's due diligence (diligence.yaml): the built-in questionnaire imported; Lotus's
assessment answered by its vendor user, reviewed (MFA not in place: a remediation item) and
completed with its risk explanation; Mekong's sent by one-time link and half answered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Literal

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.vendors.diligence import loader as questionnaires
from crownjewels.vendors.diligence import review as diligence_review
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import (
    AnswersSave,
    AssessmentRead,
    AssessmentSend,
    Decision,
    RemediationCreate,
    Review,
    ReviewSave,
)


class Remediation(dataset.Record):
    """A remediation item agreed at review, owned by the login of a role."""

    title: str
    owner: Role
    due_in_days: int
    question: str


class Assessment(dataset.Record):
    """One assessment sent to a vendor (an organisation key) and how far it got."""

    vendor: str
    channel: Literal["account", "link"]
    recipient: Role | None = None
    secrets: str
    message: str | None = None
    due_in_days: int | None = None
    answers: dict[str, str | list[str]]
    completed: bool = False
    remediation: list[Remediation] = []


class Diligence(dataset.DataFile):
    """diligence.yaml: the assessments, in the order they were sent."""

    assessments: list[Assessment]

    def references(self, company: dataset.Company) -> Iterator[dataset.Reference]:
        """Each assessment names a vendor organisation."""
        vendors = [k for k, o in company.organisations.items() if o.kind == "vendor"]
        for i, assessment in enumerate(self.assessments):
            yield ("assessments", i, "vendor"), assessment.vendor, vendors, "vendor organisation"


def seed(run: Seeding) -> None:
    """The questionnaire imported, then every assessment sent and taken as far as it got."""
    manager = run.users[Role.VENDOR_MANAGER]
    diligence.import_template(run.session, actor=manager, loaded=questionnaires.built_in()[0])
    for assessment in dataset.load("diligence.yaml", Diligence).assessments:
        sent = _send(run, manager, assessment)
        if assessment.channel == "account":
            answerer = run.users[Role.VENDOR_USER]
        else:
            assert sent.link is not None
            answerer = diligence.link_actor(run.session, token=sent.link.token)
        answers = AnswersSave(answers=assessment.answers)
        diligence.save_answers(run.session, actor=answerer, assessment_ref=sent.id, data=answers)
        if assessment.completed:
            diligence.submit(run.session, actor=answerer, assessment_ref=sent.id)
            _review(run, manager, assessment, sent.id)


def _send(run: Seeding, manager: Actor, assessment: Assessment) -> AssessmentRead:
    shared, _ = inventory.list_secrets(
        run.session,
        actor=manager,
        filters=SecretFilter(q=assessment.secrets),
        page=PageParams(),
    )
    fields = {
        "vendor": run.company.organisations[assessment.vendor].name,
        "channel": assessment.channel,
        "recipient": run.company.login_email(assessment.recipient)
        if assessment.recipient
        else None,
        "secrets": [s.ref for s in shared],
        "message": assessment.message,
        "due_on": clock.today() + timedelta(days=assessment.due_in_days)
        if assessment.due_in_days is not None
        else None,
    }
    data = AssessmentSend.model_validate({k: v for k, v in fields.items() if v is not None})
    return diligence.send(run.session, actor=manager, data=data)


def _review(run: Seeding, manager: Actor, assessment: Assessment, ref: str) -> None:
    """Every answer accepted, the remediation items added, the assessment completed."""
    decisions = [Decision(question_id=q, decision=Review.ACCEPTED) for q in assessment.answers]
    diligence_review.review(
        run.session, actor=manager, assessment_ref=ref, data=ReviewSave(decisions=decisions)
    )
    for item in assessment.remediation:
        diligence_review.add_remediation(
            run.session,
            actor=manager,
            assessment_ref=ref,
            data=RemediationCreate(
                title=item.title,
                owner=run.company.login_email(item.owner),
                due_on=clock.today() + timedelta(days=item.due_in_days),
                question_id=item.question,
            ),
        )
    diligence_review.complete(run.session, actor=manager, assessment_ref=ref)
