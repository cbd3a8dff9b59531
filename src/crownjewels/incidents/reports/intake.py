"""The reporter's side of the report channel: send a report (anonymously or named, with
files), and follow it up with the code shown once and a password of one's own: read the
replies and the deadlines, write back.

Nothing identifying is kept: no address, browser or login of the reporter, only what they
wrote, the SHA-256 of their code and the argon2 hash of their password. Every write is done by
the channel itself (`system:report-channel` in the custody log). A wrong code and a wrong
password get the same answer after the same work; five wrong passwords in a row lock a report's
follow-up for fifteen minutes (the edge adds a throttle of all failures, kept in memory)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.errors import Invalid
from crownjewels.core.refs import next_ref
from crownjewels.custody.schemas import EventType
from crownjewels.incidents.models import Report, ReportMessage
from crownjewels.incidents.reports import approvals, notify, repository, routing, rules, service
from crownjewels.incidents.reports.attachments import CHANNEL, Upload, attach, attachments_of
from crownjewels.incidents.reports.errors import ReportNotFound
from crownjewels.incidents.reports.schemas import (
    MessageRead,
    Received,
    ReportCreate,
    ReporterView,
    ReportStatus,
)
from crownjewels.parties import accounts
from crownjewels.vault import service as vault

#: wrong passwords in a row before a report's follow-up locks, and for how long
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
#: the one answer to a refused follow-up, whatever was wrong
REFUSED = (
    "That code and password do not open a report. Check both (the code is on the page you "
    "kept when you sent the report) and try again; after five wrong tries a report is locked "
    "for fifteen minutes."
)


def _avoided(session: Session, asked: list[str]) -> list[str]:
    """The case handlers the reporter ticked to keep away (only case handlers may be)."""
    known = {h.person_id for h in routing.handlers(session)}
    unknown = [p for p in asked if p not in known]
    if unknown:
        raise Invalid("choose the case handlers to keep away from the list", field="avoid")
    return list(dict.fromkeys(asked))


def submit(
    session: Session, *, data: ReportCreate, uploads: list[Upload], store: vault.Vault | None
) -> Received:
    """Receive a report (REPORT_RECEIVED), its files into the vault, the reporter protected
    when they gave their name and are someone we know (REPORTER_PROTECTED); tell the case
    handlers it does not name. The code is returned here once and never kept."""
    accounts.check_password_strength(data.password)
    if uploads and store is None:
        raise Invalid(
            "files cannot be taken here; send the report without them", field="attachments"
        )
    involved = routing.people_named(session, data.involved)
    involved += [p for p in _avoided(session, data.avoid) if p not in involved]
    code, now = rules.new_code(), clock.now()
    row = Report(
        ref=next_ref(session, Report.ref, "RP-", 4),
        code_hash=rules.code_hash(code),
        password_hash=accounts.hash_password(data.password),
        subject=data.subject,
        body=data.body,
        reporter_name=data.reporter_name,
        reporter_contact=data.reporter_contact,
        reporter_kind=data.reporter_kind.value,
        involved=data.involved,
        involved_people=involved,
        status=ReportStatus.RECEIVED.value,
        received_at=now,
        failures=0,
    )
    session.add(row)
    session.flush()
    files = attach(session, store=store, row=row, uploads=uploads) if store and uploads else 0
    service.record(session, CHANNEL, row, EventType.REPORT_RECEIVED, attachments=files)
    if data.reporter_name or data.reporter_contact:
        person = routing.reporter_person(session, data.reporter_name, data.reporter_contact)
        if person is not None:
            approvals.protect_person(session, actor=CHANNEL, row=row, person_id=person)
    notify.new_report(session, row)
    return Received(
        ref=row.ref,
        code=code,
        received_at=now,
        acknowledgement_due=rules.acknowledgement_due(now),
        attachments=files,
    )


@dataclass(frozen=True)
class FollowUp:
    """The outcome of a follow-up login: the report's id, or the one refusal."""

    report_id: str | None
    message: str = ""


def follow_up(session: Session, *, code: str, password: str) -> FollowUp:
    """Open a report with its code and password. Failures are counted on the report (the edge
    commits them), so this never raises; a wrong code and a wrong password, or a locked report,
    get the same answer after the same work."""
    digest = rules.code_hash(code)
    row = repository.by_code_hash(session, digest) if len(rules.normalise_code(code)) else None
    if row is None or not hmac.compare_digest(row.code_hash, digest):
        accounts.hash_matches(None, password)
        return FollowUp(None, REFUSED)
    now = clock.now()
    if row.locked_until is not None and row.locked_until > now:
        accounts.hash_matches(None, password)
        return FollowUp(None, REFUSED)
    if not accounts.hash_matches(row.password_hash, password):
        row.failures = (row.failures or 0) + 1
        if row.failures >= MAX_FAILURES:
            row.failures, row.locked_until = 0, now + LOCKOUT
            service.record(
                session,
                CHANNEL,
                row,
                EventType.REPORT_FOLLOW_UP_LOCKED,
                until=row.locked_until.isoformat(),
            )
        return FollowUp(None, REFUSED)
    row.failures, row.locked_until = 0, None
    return FollowUp(row.id)


def _row(session: Session, report_id: str) -> Report:
    row = session.get(Report, report_id)
    if row is None:
        raise ReportNotFound("the report is gone; open it again with its code and password")
    return row


def reporter_view(session: Session, *, report_id: str) -> ReporterView:
    """The report as its reporter reads it: status, deadlines, the messages both ways (the
    case handlers unnamed) and the files they sent."""
    row = _row(session, report_id)
    messages = [
        MessageRead(
            from_reporter=m.from_reporter, author=None, body=m.body, created_at=m.created_at
        )
        for m in repository.messages_of(session, row.id)
    ]
    return ReporterView(
        ref=row.ref,
        subject=row.subject,
        status=ReportStatus(row.status),
        received_at=row.received_at,
        deadlines=rules.deadlines(
            received_at=row.received_at,
            acknowledged_at=row.acknowledged_at,
            feedback_at=row.feedback_at,
            closed=row.status == ReportStatus.CLOSED,
            now=clock.now(),
        ),
        messages=messages,
        attachments=attachments_of(session, row),
    )


def reporter_message(
    session: Session,
    *,
    report_id: str,
    body: str,
    uploads: list[Upload] | None = None,
    store: vault.Vault | None = None,
) -> None:
    """The reporter writes back (REPORT_MESSAGE_ADDED), with files if they send some (into the
    vault as the report's, numbered on); the report's handler is told."""
    text = body.strip()
    if not text:
        raise Invalid("write your message first", field="body")
    if len(text) > 20_000:
        raise Invalid("the message is too long; send at most 20,000 characters", field="body")
    if "\x00" in text:
        raise Invalid("the message holds a NUL character, which no text can store", field="body")
    if uploads and store is None:
        raise Invalid(
            "files cannot be taken here; send the message without them", field="attachments"
        )
    row = _row(session, report_id)
    files = attach(session, store=store, row=row, uploads=uploads) if store and uploads else 0
    session.add(
        ReportMessage(report_id=row.id, from_reporter=True, body=text, created_at=clock.now())
    )
    service.record(
        session, CHANNEL, row, EventType.REPORT_MESSAGE_ADDED, by="reporter", attachments=files
    )
    handler = routing.person_of_user(session, row.handler_id) if row.handler_id else None
    notify.reporter_wrote(session, row, handler)
