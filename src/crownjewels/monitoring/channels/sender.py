"""Sending queued deliveries, always after the commit that queued them and never inside an
alert's transaction: claim the due rows (a short lease, so two senders never send one row),
render and send each, then record each outcome. A failure adds an attempt, keeps the error and
schedules the next try with backoff; after `MAX_ATTEMPTS` the row waits for an admin's retry.
`install` puts the prompt path on a Database (app, worker, scorer); the
`monitoring.send_alerts` job is the sure one. Mail goes through the outbox's own sender."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from crownjewels.core import clock
from crownjewels.core.db import Database
from crownjewels.monitoring.channels import outbound, repository, service, transport
from crownjewels.monitoring.channels.schemas import SendReport
from crownjewels.monitoring.models import Alert, Channel, Delivery
from crownjewels.settings import Settings

log = logging.getLogger(__name__)

#: how long a claimed row is hidden from other senders while this one sends it: longer than
#: a batch can take even when every receiver times out (BATCH x transport.TIMEOUT)
LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 10
BATCH = 20


def backoff(attempts: int) -> timedelta:
    """The wait after `attempts` failures: 30 s, 1, 2, 4 … minutes, at most an hour."""
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


@dataclass
class _Outgoing:
    delivery_id: str
    channel: Channel
    body: bytes


def _claim(db: Database, settings: Settings, ids: Sequence[str] | None) -> list[_Outgoing]:
    now = clock.now()
    out: list[_Outgoing] = []
    with db.unit_of_work() as session:
        for delivery_id in repository.due(session, now=now, ids=ids, limit=BATCH):
            row = session.get(Delivery, delivery_id)
            assert row is not None
            channel = session.get(Channel, row.channel_id)
            alert = session.get(Alert, row.alert_id)
            assert channel is not None  # foreign keys
            assert alert is not None
            row.next_attempt_at = now + LEASE
            event = "raised" if row.alert_version <= 1 else "updated"
            message = outbound.message_of(session, alert, event=event)
            body = outbound.render(channel, message, base_url=settings.base_url)
            session.expunge(channel)
            out.append(_Outgoing(row.id, channel, body))
    return out


def _send(settings: Settings, outgoing: list[_Outgoing]) -> dict[str, str | None]:
    """Each delivery id with None (sent) or the error in words."""
    sealer = service.sealer_for(settings)
    results: dict[str, str | None] = {}
    down: dict[str, str] = {}  # channel id -> why it failed in this batch
    for item in outgoing:
        if item.channel.id in down:
            # one receiver that is down does not hold up the batch once per delivery
            results[item.delivery_id] = f"not tried: {down[item.channel.id]}"[:1000]
            continue
        try:
            outbound.send_now(item.channel, item.body, sealer=sealer, delivery_id=item.delivery_id)
            results[item.delivery_id] = None
        except transport.DeliveryFailed as exc:
            results[item.delivery_id] = down[item.channel.id] = str(exc)[:900]
        except ValueError as exc:  # the signing key was sealed under another secret key
            why = f"the webhook's signing key cannot be opened: {exc}"
            results[item.delivery_id] = down[item.channel.id] = why
    return results


def _record(db: Database, results: dict[str, str | None], now: datetime) -> SendReport:
    report = SendReport()
    with db.unit_of_work() as session:
        for delivery_id, error in results.items():
            row = session.get(Delivery, delivery_id)
            if row is None:  # its channel was removed meanwhile
                continue
            row.attempts += 1
            if error is None:
                row.sent_at, row.next_attempt_at, row.last_error = now, None, None
                report.sent += 1
                continue
            row.last_error = error
            row.next_attempt_at = (
                now + backoff(row.attempts) if row.attempts < MAX_ATTEMPTS else None
            )
            if row.next_attempt_at is None:
                channel = session.get(Channel, row.channel_id)
                name = channel.name if channel else "a removed channel"
                service.note_given_up(session, delivery=row, channel=name, error=error)
            report.failed += 1
    return report


def deliver(db: Database, settings: Settings, *, ids: Sequence[str] | None = None) -> SendReport:
    """Send the due deliveries (of `ids`, or all)."""
    outgoing = _claim(db, settings, ids)
    if not outgoing:
        return SendReport()
    results = _send(settings, outgoing)
    report = _record(db, results, clock.now())
    if report.failed:
        log.warning("alerts: %d sent, %d failed (retried later)", report.sent, report.failed)
    return report


class _PromptSend:
    """The commit hook that sends what a unit of work queued as soon as it committed; in a
    thread of its own where a caller must not wait (a request, the scorer's loop)."""

    def __init__(self, db: Database, settings: Settings, *, in_thread: bool) -> None:
        self.db, self.settings, self.in_thread = db, settings, in_thread
        #: the newest sending thread (a test joins it instead of waiting a while)
        self.last: threading.Thread | None = None

    def __call__(self, info: dict[str, Any]) -> None:
        ids = list(service.queued_ids(info))
        if not ids:
            return
        if self.in_thread:
            self.last = threading.Thread(target=self._send, args=(ids,), daemon=True)
            self.last.start()
        else:
            self._send(ids)

    def _send(self, ids: list[str]) -> None:
        try:
            deliver(self.db, self.settings, ids=ids)
        except Exception:  # the job retries whatever this attempt left
            log.exception("alerts: the prompt send failed")


def install(db: Database, settings: Settings, *, in_thread: bool = False) -> None:
    """Send queued deliveries promptly after each commit on `db`; installing twice changes
    nothing."""
    if not any(isinstance(h, _PromptSend) for h in db.on_commit):
        db.on_commit.append(_PromptSend(db, settings, in_thread=in_thread))
