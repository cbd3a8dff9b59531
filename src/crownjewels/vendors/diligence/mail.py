"""The mail due diligence sends through the outbox (queued in the same transaction): the
questionnaire with its one-time link to the vendor contact, and the answers sent back for
another look, naming the questions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.schemas import MailKind
from crownjewels.vendors.diligence.models import Assessment, AssessmentAnswer
from crownjewels.vendors.diligence.reads import questionnaire_of, template_row
from crownjewels.vendors.diligence.schemas import LinkIssued

#: what stays in the outbox once a link's mail went out: the token is never kept
LINK_REMOVED = "(the one-time link was removed from the stored copy once the mail was sent)"


def _recipient(a: Assessment) -> notifications.Recipient:
    return notifications.Recipient(
        email=a.recipient_email, name=a.recipient_name, person_id=a.recipient_person_id
    )


def _title(session: Session, a: Assessment) -> str:
    return template_row(session, a.template_id).title


def questionnaire_sent(
    session: Session, *, actor: Actor, a: Assessment, link: LinkIssued | None
) -> None:
    """Mail the questionnaire to its recipient: the one-time link itself, or (a vendor-user
    account) the page to open after logging in."""
    due = f"Please answer by {a.due_on:%Y-%m-%d}.\n" if a.due_on else ""
    note = f"\nA note from {actor.name}:\n{a.message}\n" if a.message else ""
    head = (
        f"Hello {a.recipient_name},\n\n{actor.name} asks you to answer the due-diligence "
        f"questionnaire \u201c{_title(session, a)}\u201d ({a.ref}).\n{due}{note}\n"
    )
    if link is None:
        where = "Log in and open it: " + notifications.link(f"/assessments/{a.ref}") + "\n"
        kept = None
    else:
        until = f"{link.expires_at:%Y-%m-%d}"
        where = (
            f"Open it with this one-time link (valid until {until}; it needs no account, "
            f"and your answers are saved as you go): {notifications.link(link.path)}\n"
        )
        kept = head + LINK_REMOVED + "\n"
    notifications.enqueue(
        session,
        to=_recipient(a),
        kind=MailKind.QUESTIONNAIRE_SENT,
        subject=f"Due-diligence questionnaire {a.ref}: please answer",
        body=head + where,
        kept_body=kept,
        actor=actor,
    )


def answers_returned(
    session: Session,
    *,
    actor: Actor,
    a: Assessment,
    rows: dict[str, AssessmentAnswer],
    again: list[str],
) -> None:
    """Tell the recipient which answers were sent back, with the reviewer's note on each."""
    questionnaire = questionnaire_of(template_row(session, a.template_id))
    lines = []
    for qid in again:
        question = questionnaire.question(qid)
        text = question.text if question else qid
        lines.append(f"- {qid} {text}\n  {rows[qid].review_note or ''}".rstrip())
    if a.channel == "link":
        where = (
            "A new one-time link to answer them will follow in a separate mail "
            f"from {actor.name}.\n"
        )
    else:
        where = "Log in and open it: " + notifications.link(f"/assessments/{a.ref}") + "\n"
    notifications.enqueue(
        session,
        to=_recipient(a),
        kind=MailKind.ANSWERS_RETURNED,
        subject=f"{a.ref}: {len(again)} answer(s) sent back for another look",
        body=f"Hello {a.recipient_name},\n\n{actor.name} reviewed your answers to {a.ref} and "
        "asks you to look again at these questions:\n\n" + "\n".join(lines) + "\n\n" + where,
        actor=actor,
    )
