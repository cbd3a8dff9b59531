"""Mailing the outbox, always after the commit that queued a message and never inside a
business write: claim the due rows (a short lease, so two senders never mail one row), send
them over one SMTP connection, then record each outcome. A failure adds an attempt, keeps the
error and schedules the next try with backoff; after `MAX_ATTEMPTS` the row waits for an admin's
retry. `on_commit` is the prompt path (installed on the Database by the app and the worker);
the `parties.send_mail` job is the sure one."""

from __future__ import annotations

import logging
import smtplib
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from crownjewels.core import clock
from crownjewels.core.db import Database
from crownjewels.parties.notifications import repository
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.parties.notifications.schemas import DeliveryReport
from crownjewels.parties.notifications.service import BASE_URL, QUEUED
from crownjewels.settings import Settings

log = logging.getLogger(__name__)

#: how long a claimed row is hidden from other senders while this one mails it
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
BATCH = 100
SMTP_TIMEOUT = 20


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failures: 1, 2, 4 … minutes, at most 6 h."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def _message(settings: Settings, row: MailMessage) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = formataddr((row.recipient_name, row.recipient_email))
    msg["Subject"] = row.subject
    msg.set_content(row.body.replace(BASE_URL, settings.base_url.rstrip("/")))
    return msg


def _claim(db: Database, settings: Settings, ids: Sequence[str] | None) -> list[tuple[str, Any]]:
    now = clock.now()
    with db.unit_of_work() as session:
        out = []
        for message_id in repository.due(session, now=now, ids=ids, limit=BATCH):
            row = session.get(MailMessage, message_id)
            assert row is not None
            row.next_attempt_at = now + LEASE
            out.append((row.id, _message(settings, row)))
        return out


def _send(settings: Settings, outgoing: list[tuple[str, EmailMessage]]) -> dict[str, str | None]:
    """Each message id with None (sent) or the error in words."""
    results: dict[str, str | None] = {}
    assert settings.smtp_host
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username and settings.smtp_password:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            for message_id, msg in outgoing:
                try:
                    smtp.send_message(msg)
                    results[message_id] = None
                except smtplib.SMTPException as exc:
                    results[message_id] = _words(exc)
    except (OSError, smtplib.SMTPException) as exc:
        for message_id, _ in outgoing:
            results.setdefault(message_id, _words(exc))
    return results


def _words(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:1000]


def _record(db: Database, results: dict[str, str | None], now: datetime) -> DeliveryReport:
    report = DeliveryReport()
    with db.unit_of_work() as session:
        for message_id, error in results.items():
            row = session.get(MailMessage, message_id)
            assert row is not None
            row.attempts += 1
            if error is None:
                row.sent_at, row.next_attempt_at, row.last_error = now, None, None
                if row.kept_body is not None:
                    row.body, row.kept_body = row.kept_body, None
                report.sent += 1
                continue
            row.last_error = error
            row.next_attempt_at = (
                now + backoff(row.attempts) if row.attempts < MAX_ATTEMPTS else None
            )
            report.failed += 1
    return report


def deliver(
    db: Database, settings: Settings, *, ids: Sequence[str] | None = None
) -> DeliveryReport:
    """Mail the due messages (of `ids`, or all); nothing without an SMTP host."""
    if not settings.smtp_host:
        return DeliveryReport()
    outgoing = _claim(db, settings, ids)
    if not outgoing:
        return DeliveryReport()
    results = _send(settings, outgoing)
    report = _record(db, results, clock.now())
    if report.failed:
        log.warning("mail: %d sent, %d failed (retried later)", report.sent, report.failed)
    return report


class _PromptSend:
    """The commit hook that mails what a unit of work queued as soon as it committed; in a
    thread of its own for the web app, so that no response waits on the mail server."""

    def __init__(self, db: Database, settings: Settings, *, in_thread: bool) -> None:
        self.db, self.settings, self.in_thread = db, settings, in_thread
        #: the newest sending thread (a test joins it instead of waiting a while)
        self.last: threading.Thread | None = None

    def __call__(self, info: dict[str, Any]) -> None:
        ids = info.get(QUEUED)
        if not ids:
            return
        if self.in_thread:
            self.last = threading.Thread(target=self._send, args=(list(ids),), daemon=True)
            self.last.start()
        else:
            self._send(list(ids))

    def _send(self, ids: list[str]) -> None:
        try:
            deliver(self.db, self.settings, ids=ids)
        except Exception:  # the job retries whatever this attempt left
            log.exception("mail: the prompt send failed")


def install(db: Database, settings: Settings, *, in_thread: bool = False) -> None:
    """Mail queued messages promptly after each commit on `db` (when SMTP is configured);
    installing twice changes nothing."""
    if settings.smtp_host and not any(isinstance(h, _PromptSend) for h in db.on_commit):
        db.on_commit.append(_PromptSend(db, settings, in_thread=in_thread))
