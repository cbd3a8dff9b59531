"""The verbs of alert channels: add, change, remove, list and test a channel (each a custody
event), read and retry its deliveries, and `dispatch`: route one alert to the channels whose
minimum severity it reaches and to its secrets' owners, queued in the alert's own transaction
(mail in the outbox, webhook and syslog deliveries as rows) and sent after the commit."""

from __future__ import annotations

import hashlib
import secrets as tokens
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.errors import Conflict, Invalid
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission
from crownjewels.core.sealing import Sealer
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.monitoring.channels import formats, outbound, repository, transport
from crownjewels.monitoring.channels.errors import ChannelNotFound, DeliveryNotFound
from crownjewels.monitoring.channels.schemas import (
    FORMATS,
    ChannelAdded,
    ChannelCreate,
    ChannelFormat,
    ChannelKind,
    ChannelRead,
    ChannelTestResult,
    ChannelUpdate,
    DeliveryRead,
    DeliveryStatus,
    DispatchResult,
)
from crownjewels.monitoring.models import Alert, AlertNote, Channel, Delivery
from crownjewels.monitoring.schemas import SEVERITY_ORDER, Severity
from crownjewels.parties.notifications import service as notifications
from crownjewels.parties.notifications.schemas import MailKind
from crownjewels.settings import Settings

SUBJECT = "alert-channel"
#: session.info key: the deliveries a unit of work queued (sent promptly after its commit)
QUEUED = "crownjewels.monitoring_deliveries"
#: the sealing purpose of webhook signing keys (a key sealed for another purpose won't open)
SEAL_PURPOSE = b"crownjewels/monitoring/webhook-key/v1"
#: who queues what an alert's dispatch sends (the custody log's `system:monitoring`)
DISPATCHER = system_actor("monitoring")


def sealer_for(settings: Settings) -> Sealer:
    """The sealer of webhook signing keys for this installation."""
    return Sealer(settings.resolved_secret_key(), purpose=SEAL_PURPOSE)


def _manage(actor: Actor, what: str) -> None:
    actor.require(Permission.CHANNELS_MANAGE, what=what)


def _get(session: Session, name: str) -> Channel:
    row = repository.by_name(session, name)
    if row is None:
        raise ChannelNotFound(
            f"there is no alert channel {name!r}; `crownjewels monitor channels list` shows them"
        )
    return row


def _read(row: Channel, counts: dict[str, tuple[int, int]] | None = None) -> ChannelRead:
    pending, failed = (counts or {}).get(row.id, (0, 0))
    return ChannelRead(
        name=row.name,
        kind=ChannelKind(row.kind),
        target=row.target,
        format=ChannelFormat(row.format),
        min_severity=Severity(row.min_severity),
        notify_secret_owners=row.notify_secret_owners,
        active=row.active,
        signed=bool(row.secret),
        created_at=row.created_at,
        created_by=row.created_by,
        pending=pending,
        failed=failed,
    )


def _format(kind: ChannelKind, wanted: ChannelFormat | None) -> ChannelFormat:
    allowed = FORMATS[kind]
    if wanted is None:
        return allowed[0]
    if wanted not in allowed:
        names = " or ".join(f.value for f in allowed)
        raise Invalid(f"a {kind.value} channel sends {names}, not {wanted.value}", field="format")
    return wanted


def _snapshot(row: Channel) -> dict[str, Any]:
    """What the custody log keeps of a channel: a webhook's URL without its path, which for
    Slack and many others is itself the credential (the log is read by more than admins)."""
    return {
        "target": formats.redacted(ChannelKind(row.kind), row.target),
        "format": row.format,
        "min_severity": row.min_severity,
        "notify_secret_owners": row.notify_secret_owners,
        "active": row.active,
    }


def add_channel(
    session: Session, *, actor: Actor, data: ChannelCreate, sealer: Sealer
) -> ChannelAdded:
    """Add a channel (ALERT_CHANNEL_ADDED). A webhook gets a new signing key, sealed in the
    database and returned here once for the receiver."""
    _manage(actor, "adding an alert channel")
    if "/" in data.name:
        raise Invalid(
            f"a channel's name cannot hold a slash (it is part of the channel's address); "
            f"try {data.name.replace('/', ' ')!r}",
            field="name",
        )
    if repository.by_name(session, data.name) is not None:
        raise Conflict(f"an alert channel is named {data.name!r} already; choose another name")
    fmt = _format(data.kind, data.format)
    target = formats.check_target(data.kind, data.target, owners=data.notify_secret_owners)
    key = tokens.token_urlsafe(32) if data.kind is ChannelKind.WEBHOOK else None
    row = Channel(
        name=data.name,
        kind=data.kind.value,
        target=target,
        format=fmt.value,
        secret=sealer.seal(key) if key else None,
        min_severity=data.min_severity.value,
        notify_secret_owners=data.notify_secret_owners,
        active=True,
        created_at=clock.now(),
        created_by=actor.ref,
    )
    session.add(row)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ALERT_CHANNEL_ADDED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"name": row.name, "kind": row.kind, **_snapshot(row)},
    )
    return ChannelAdded(**_read(row).model_dump(), signing_key=key)


def update_channel(
    session: Session, *, actor: Actor, name: str, data: ChannelUpdate
) -> ChannelRead:
    """Change a channel's target, format, minimum severity, owners' mail or whether it is on
    (ALERT_CHANNEL_CHANGED with what changed); nothing changed, no event."""
    _manage(actor, "changing an alert channel")
    row = _get(session, name)
    before, target_before = _snapshot(row), row.target
    kind = ChannelKind(row.kind)
    owners = (
        row.notify_secret_owners
        if data.notify_secret_owners is None
        else (data.notify_secret_owners)
    )
    if data.target is not None or data.notify_secret_owners is not None:
        target = row.target if data.target is None else data.target
        row.target = formats.check_target(kind, target, owners=owners)
    if data.format is not None:
        row.format = _format(kind, data.format).value
    if data.min_severity is not None:
        row.min_severity = data.min_severity.value
    row.notify_secret_owners = owners
    if data.active is not None:
        row.active = data.active
    after = _snapshot(row)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if row.target != target_before and "target" not in changed:  # only the hidden path changed
        changed["target"] = {"before": before["target"], "after": "another path"}
    if changed:
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ALERT_CHANNEL_CHANGED,
            subject_type=SUBJECT,
            subject_id=row.id,
            details={"name": row.name, "changes": changed},
        )
    return _read(row, repository.counts(session))


def new_signing_key(session: Session, *, actor: Actor, name: str, sealer: Sealer) -> ChannelAdded:
    """Give a webhook a new signing key (ALERT_CHANNEL_CHANGED, the key itself not recorded);
    returned here once. Deliveries sent from now on are signed with it."""
    _manage(actor, "changing a webhook's signing key")
    row = _get(session, name)
    if row.kind != ChannelKind.WEBHOOK.value:
        raise Invalid(f"{row.name} is a {row.kind} channel; only webhooks are signed")
    key = tokens.token_urlsafe(32)
    row.secret = sealer.seal(key)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ALERT_CHANNEL_CHANGED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"name": row.name, "changes": {"signing_key": "replaced"}},
    )
    return ChannelAdded(**_read(row, repository.counts(session)).model_dump(), signing_key=key)


def remove_channel(session: Session, *, actor: Actor, name: str) -> ChannelRead:
    """Remove a channel and its deliveries (ALERT_CHANNEL_REMOVED keeps what it was)."""
    _manage(actor, "removing an alert channel")
    row = _get(session, name)
    gone = _read(row, repository.counts(session))
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ALERT_CHANNEL_REMOVED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"name": row.name, "kind": row.kind, **_snapshot(row)},
    )
    session.delete(row)
    session.flush()
    return gone


def list_channels(session: Session, *, actor: Actor) -> list[ChannelRead]:
    """Every channel with its deliveries waiting and given up."""
    _manage(actor, "reading the alert channels")
    counts = repository.counts(session)
    return [_read(r, counts) for r in repository.all_channels(session)]


def get_channel(session: Session, *, actor: Actor, name: str) -> ChannelRead:
    """One channel by name."""
    _manage(actor, "reading an alert channel")
    return _read(_get(session, name), repository.counts(session))


def _reaches(channel: Channel, severity: str) -> bool:
    return SEVERITY_ORDER[Severity(severity)] >= SEVERITY_ORDER[Severity(channel.min_severity)]


def _mail_key(alert: Alert, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:24]
    return f"monitoring-alert:{alert.id}:{digest}"


def dispatch(
    session: Session, *, alert: Alert, new: bool, actor: Actor | None = None
) -> DispatchResult:
    """Route one alert, in its own transaction: every active channel whose minimum severity it
    reaches gets it once (mail to its addresses through the outbox, a delivery row for a
    webhook or syslog receiver, sent after the commit); channels that mail the secrets' owners
    add each owner (whose mail choices apply). A later hit (`new=False`) reaches only the
    channels it had not reached yet (its severity rose), so grouped hits never flood.
    ALERT_DISPATCHED records where it went."""
    actor = actor or DISPATCHER
    session.flush()  # the alert's id and version as stored
    channels = [c for c in repository.active_channels(session) if _reaches(c, alert.severity)]
    if not channels:
        return DispatchResult()
    done = set() if new else repository.delivered_channels(session, alert.id)
    result = DispatchResult()
    said: list[formats.AlertMessage] = []

    def message() -> formats.AlertMessage:  # built once, only when some mail needs it
        if not said:
            said.append(outbound.message_of(session, alert, event="raised" if new else "updated"))
        return said[0]

    for channel in channels:
        if channel.kind == ChannelKind.EMAIL.value:
            mailed = _mail_addresses(session, actor, alert, channel, message)
            result.mails += mailed
        else:
            mailed = 0 if channel.id in done else _queue_delivery(session, alert, channel)
            result.deliveries += mailed
        if mailed:
            result.channels.append(channel.name)
    if alert.secret_ids and any(c.notify_secret_owners for c in channels):
        mailed = _mail_owners(session, actor, alert, message())
        result.mails += mailed
        if mailed:
            result.channels.append("the secrets' owners")
    if result.deliveries or result.mails:
        _note(session, alert.id, "sent", f"Sent to {_listed(result.channels)}.", actor.ref)
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ALERT_DISPATCHED,
            subject_type="alert",
            subject_id=alert.id,
            details={"alert": alert.ref, "severity": alert.severity, **result.model_dump()},
        )
    return result


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _note(session: Session, alert_id: str, kind: str, body: str, author: str) -> None:
    """A line of the alert's trail (its page shows where it was sent, and what failed)."""
    session.add(AlertNote(alert_id=alert_id, kind=kind, body=body, author=author, at=clock.now()))


def note_given_up(session: Session, *, delivery: Delivery, channel: str, error: str) -> None:
    """Put on the alert's trail that a delivery was given up after its last attempt."""
    body = (
        f"Not delivered to {channel} after {delivery.attempts} attempts: {error.rstrip('.')}. "
        "It can be retried from the alert channels page."
    )
    _note(session, delivery.alert_id, "delivery-failed", body, DISPATCHER.ref)


def _queue_delivery(session: Session, alert: Alert, channel: Channel) -> int:
    """A delivery row, due now; its id goes to the prompt send after the commit."""
    now = clock.now()
    row = Delivery(
        alert_id=alert.id,
        channel_id=channel.id,
        alert_version=alert.version,
        created_at=now,
        attempts=0,
        next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    session.info.setdefault(QUEUED, []).append(row.id)
    return 1


def _mail_addresses(
    session: Session,
    actor: Actor,
    alert: Alert,
    channel: Channel,
    message_of: Callable[[], formats.AlertMessage],
) -> int:
    addresses = formats.email_list(channel.target)
    if not addresses:  # a channel that mails only the secrets' owners
        return 0
    message, sent = message_of(), 0
    for address in addresses:
        row = notifications.enqueue(
            session,
            to=notifications.Recipient(email=address, name=address),
            kind=MailKind.MONITORING_ALERT,
            subject=formats.mail_subject(message),
            body=formats.mail_body(message),
            actor=actor,
            dedupe_key=_mail_key(alert, channel.id, address),
        )
        sent += row is not None
    return sent


def _mail_owners(
    session: Session, actor: Actor, alert: Alert, message: formats.AlertMessage
) -> int:
    sent = 0
    for person_id in outbound.owners_of(session, alert):
        to = notifications.person_recipient(session, person_id)
        row = notifications.enqueue(
            session,
            to=to,
            kind=MailKind.MONITORING_ALERT,
            subject=formats.mail_subject(message),
            body=formats.mail_body(message, greeting=to.name),
            actor=actor,
            dedupe_key=_mail_key(alert, "owner", person_id),
        )
        sent += row is not None
    return sent


# -- tests of a channel -------------------------------------------------------------------


def test_channel(
    session: Session, *, actor: Actor, name: str, sealer: Sealer, base_url: str
) -> ChannelTestResult:
    """Send a made-up alert through a channel now and say what happened
    (ALERT_CHANNEL_TESTED with the outcome): mail is queued to the outbox, a webhook or
    syslog message is sent at once."""
    _manage(actor, "testing an alert channel")
    row = _get(session, name)
    message = outbound.sample_message()
    if row.kind == ChannelKind.EMAIL.value:
        addresses = formats.email_list(row.target)
        for address in addresses:
            notifications.enqueue(
                session,
                to=notifications.Recipient(email=address, name=address),
                kind=MailKind.MONITORING_ALERT,
                subject=formats.mail_subject(message),
                body=formats.mail_body(message),
                actor=actor,
            )
        ok = bool(addresses)
        detail = (
            f"a test message is queued to {', '.join(addresses)}; the outbox shows when it is sent"
            if addresses
            else "this channel mails only the secrets' owners; there is no address to test"
        )
    else:
        try:
            outbound.send_now(
                row,
                outbound.render(row, message, base_url=base_url),
                sealer=sealer,
                delivery_id=f"test-{tokens.token_hex(8)}",
            )
            where = formats.redacted(ChannelKind(row.kind), row.target)
            ok, detail = True, f"the test message reached {where}"
        except (transport.DeliveryFailed, ValueError) as exc:
            ok, detail = False, str(exc)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ALERT_CHANNEL_TESTED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"name": row.name, "ok": ok, "detail": detail},
    )
    return ChannelTestResult(channel=row.name, ok=ok, detail=detail)


# -- deliveries ---------------------------------------------------------------------------


def status_of(row: Delivery) -> DeliveryStatus:
    """Sent, queued (not tried yet), retrying, or failed (given up until retried)."""
    if row.sent_at:
        return DeliveryStatus.SENT
    if row.next_attempt_at is None:
        return DeliveryStatus.FAILED
    return DeliveryStatus.RETRYING if row.attempts else DeliveryStatus.QUEUED


def _delivery(row: Delivery, channel: Channel, alert: Alert) -> DeliveryRead:
    return DeliveryRead(
        id=row.id,
        alert_ref=alert.ref,
        alert_title=alert.title,
        severity=Severity(alert.severity),
        channel=channel.name,
        created_at=row.created_at,
        attempts=row.attempts,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        status=status_of(row),
    )


def list_deliveries(
    session: Session,
    *,
    actor: Actor,
    page: PageParams,
    unsent_only: bool = False,
    channel: str | None = None,
) -> tuple[list[DeliveryRead], int]:
    """Webhook and syslog deliveries, newest first (of one channel, or all)."""
    _manage(actor, "reading alert deliveries")
    channel_id = _get(session, channel).id if channel else None
    rows, total = repository.page(
        session,
        unsent_only=unsent_only,
        channel_id=channel_id,
        offset=page.offset,
        limit=page.limit,
    )
    return [_delivery(*r) for r in rows], total


def retry_delivery(session: Session, *, actor: Actor, delivery_id: str) -> DeliveryRead:
    """Make an unsent delivery due now (ALERT_DELIVERY_RETRIED); sent after the commit."""
    _manage(actor, "retrying an alert delivery")
    row = session.get(Delivery, delivery_id.strip())
    if row is None:
        raise DeliveryNotFound(
            f"there is no delivery {delivery_id}; `crownjewels monitor channels deliveries` "
            "lists them"
        )
    channel = session.get(Channel, row.channel_id)
    alert = session.get(Alert, row.alert_id)
    assert channel is not None  # foreign keys
    assert alert is not None
    if row.sent_at:
        raise Invalid(f"{alert.ref} was delivered to {channel.name} already; nothing to retry")
    row.next_attempt_at = clock.now()
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ALERT_DELIVERY_RETRIED,
        subject_type="alert",
        subject_id=alert.id,
        details={
            "alert": alert.ref,
            "channel": channel.name,
            "attempts": row.attempts,
            "last_error": row.last_error,
        },
    )
    session.info.setdefault(QUEUED, []).append(row.id)
    return _delivery(row, channel, alert)


def queued_ids(info: dict[str, Any]) -> Sequence[str]:
    """The deliveries a committed unit of work queued (from its session.info)."""
    ids: Sequence[str] = info.get(QUEUED) or ()
    return ids
