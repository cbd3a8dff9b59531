"""The mail the report channel sends, through the outbox (queued in the report's transaction,
mailed after its commit): never a word of a report's content, only its reference, what
happened and where to read it. Nothing ever goes to a reporter (they check with their code);
nothing goes to anyone the report names. When no case handler may read a report, the
administrators are told that much (without details) so that they appoint one."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core.permissions import Role
from crownjewels.incidents.models import Report
from crownjewels.incidents.reports import rules
from crownjewels.incidents.reports.attachments import CHANNEL
from crownjewels.incidents.reports.routing import handlers
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.schemas import MailKind

_UNROUTED = (
    "A report came in to the report channel that no case handler may read: it names every "
    "case handler as involved, or there is no case handler yet.\n\n"
    "Give the case-handler role to someone impartial who can follow it up (`crownjewels "
    "users roles EMAIL --role case-handler`, repeating --role for the roles they keep); they "
    "will see it at once. "
    "The report's content is not shown to administrators.\n"
)


def new_report(session: Session, row: Report) -> int:
    """Tell each case handler the report does not name that it came in (or the administrators
    it names neither that nobody may read it); the number of messages queued."""
    due = rules.acknowledgement_due(row.received_at)
    readers = [h for h in handlers(session) if h.person_id not in row.involved_people]
    body = (
        f"A new report, {row.ref}, came in to the report channel.\n\n"
        f"Read it: {notifications.link(f'/reports/{row.ref}')}\n\n"
        f"Acknowledge its receipt to the reporter by {due:%Y-%m-%d %H:%M} UTC (seven days, "
        "EU Directive 2019/1937 Art. 9(1)(b)).\n"
    )
    sent = 0
    for handler in readers:
        queued = notifications.enqueue(
            session,
            to=handler.person_id,
            kind=MailKind.REPORT_RECEIVED,
            subject=f"New report {row.ref} to the report channel",
            body=body,
            actor=CHANNEL,
        )
        sent += queued is not None
    if readers:
        return sent
    for admin in notifications.holders_of(session, [Role.ADMIN.value]):
        if admin.person_id in row.involved_people:
            continue
        queued = notifications.enqueue(
            session,
            to=admin,
            kind=MailKind.REPORT_UNROUTED,
            subject="A report came in that no case handler may read",
            body=_UNROUTED,
            actor=CHANNEL,
        )
        sent += queued is not None
    return sent


def reporter_wrote(session: Session, row: Report, handler_person: str | None) -> int:
    """Tell the report's handler (every handler it does not name, when it has none) that the
    reporter wrote back; the number of messages queued."""
    readers = [
        h
        for h in handlers(session)
        if h.person_id not in row.involved_people
        and (handler_person is None or h.person_id == handler_person)
    ]
    for handler in readers:
        notifications.enqueue(
            session,
            to=handler.person_id,
            kind=MailKind.REPORT_RECEIVED,
            subject=f"The reporter of {row.ref} wrote back",
            body=(
                f"The reporter of {row.ref} wrote a new message.\n\n"
                f"Read it: {notifications.link(f'/reports/{row.ref}')}\n"
            ),
            actor=CHANNEL,
        )
    return len(readers)


def assigned(session: Session, row: Report, person_id: str, by: str) -> None:
    """Tell a case handler a report was given to them."""
    notifications.enqueue(
        session,
        to=person_id,
        kind=MailKind.REPORT_RECEIVED,
        subject=f"Report {row.ref} is assigned to you",
        body=(
            f"{by} gave you the report {row.ref} of the report channel to follow up.\n\n"
            f"Read it: {notifications.link(f'/reports/{row.ref}')}\n"
        ),
        actor=CHANNEL,
    )
