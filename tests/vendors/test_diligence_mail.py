"""The mail due diligence queues: the questionnaire goes to the vendor contact with its
one-time link in the mail (through a real local SMTP server, and the token is not kept once
sent); answers sent back name the questions; "My tasks" lists answers to review and
questionnaires to answer."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - registers assessments as document owners
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.permissions import Role
from crownjewels.parties.notifications import sender
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.settings import Settings
from crownjewels.vendors.diligence import review as reviewing
from crownjewels.vendors.diligence import service
from crownjewels.vendors.diligence.schemas import (
    AnswersSave,
    AssessmentSend,
    Channel,
    Decision,
    Review,
    ReviewSave,
)
from tests.parties.factories import actor_for, make_user
from tests.smtp_server import smtp_server
from tests.vendors.diligence_factories import (
    full_answers,
    import_builtin,
    make_contact,
    make_vendor,
    make_vendor_user,
)


def test_the_one_time_link_is_in_the_mail_and_not_kept(
    db: Database, admin: Actor, tmp_path: Path
) -> None:
    with smtp_server() as (inbox, port):
        settings = Settings(
            home=tmp_path,
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_starttls=False,
            base_url="https://cj.example.com",
        )
        sender.install(db, settings)
        with db.unit_of_work() as s:
            import_builtin(s, admin)
            vendor, _ = make_vendor(s, admin, name="Spice Route Ltd")
            contact = make_contact(s, vendor)
            sent = service.send(s, actor=admin, data=AssessmentSend(vendor=vendor.ref))
        assert sent.link is not None
        assert [e.rcpt_tos for e in inbox.envelopes] == [[contact.email]]
        body = inbox.bodies()[0]
        assert f"https://cj.example.com/a/{sent.link.token}" in body
        assert sent.ref in inbox.messages[0]["Subject"] and contact.name in body
    with db.unit_of_work(write=False) as s:
        [row] = s.scalars(select(MailMessage).where(MailMessage.kind == "questionnaire-sent"))
        assert row.sent_at and sent.link.token not in row.body and "removed" in row.body


def _mail(session: Session, person_id: str) -> list[MailMessage]:
    query = select(MailMessage).where(MailMessage.recipient_person_id == person_id)
    return list(session.scalars(query.order_by(MailMessage.created_at, MailMessage.id)))


def test_answers_sent_back_name_the_questions_and_tasks_follow(
    session: Session, admin: Actor
) -> None:
    import_builtin(session, admin)
    vendor, org = make_vendor(session, admin)
    person, vendor_user = make_vendor_user(session, admin, org)
    manager = actor_for(session, make_user(session, admin, Role.VENDOR_MANAGER))
    sent = service.send(
        session,
        actor=admin,
        data=AssessmentSend(vendor=vendor.ref, channel=Channel.ACCOUNT, recipient=person.email),
    )
    [first] = _mail(session, person.id)
    assert first.kind == "questionnaire-sent" and f"{{base_url}}/assessments/{sent.ref}" in (
        first.body
    )
    assert [t.href for t in service.tasks_for(session, actor=vendor_user)] == [
        f"/assessments/{sent.ref}"
    ]
    service.save_answers(
        session,
        actor=vendor_user,
        assessment_ref=sent.ref,
        data=AnswersSave(answers=full_answers()),
    )
    service.submit(session, actor=vendor_user, assessment_ref=sent.ref)
    assert service.tasks_for(session, actor=vendor_user) == []
    [task] = service.tasks_for(session, actor=manager)
    assert task.kind == "review-answers" and sent.ref in task.title
    decisions = [Decision(question_id="1.1", decision=Review.ASK_AGAIN, note="Which scope?")]
    reviewing.review(
        session,
        actor=admin,
        assessment_ref=sent.id,
        data=ReviewSave(decisions=decisions, return_to_vendor=True),
    )
    returned = _mail(session, person.id)[-1]
    assert returned.kind == "answers-returned" and sent.ref in returned.subject
    assert "- 1.1 " in returned.body and "Which scope?" in returned.body
    assert service.tasks_for(session, actor=manager) == []
    assert "sent back" in service.tasks_for(session, actor=vendor_user)[0].title
