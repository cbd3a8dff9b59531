"""What an alert says and how it goes out: the alert in refs and names, its secrets' owners,
the made-up alert of a channel test, a webhook's or syslog receiver's rendering of it, and
sending one rendered message through a channel."""

from __future__ import annotations

import socket

from sqlalchemy.orm import Session

from crownjewels import __version__
from crownjewels.core import clock
from crownjewels.core.actor import fact_reader
from crownjewels.core.errors import NotFound
from crownjewels.core.sealing import Sealer
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.monitoring.channels import formats, transport
from crownjewels.monitoring.channels.schemas import ChannelFormat, ChannelKind
from crownjewels.monitoring.models import Alert, Channel
from crownjewels.monitoring.schemas import Severity
from crownjewels.parties import service as parties
from crownjewels.parties.notifications import service as notifications


def secrets_of(session: Session, alert: Alert) -> list[SecretRead]:
    """The alert's secrets as the register holds them (one no longer there is left out: what
    an alert says must never fail the transaction that stores it)."""
    reader = fact_reader("monitoring")
    out = []
    for secret_id in alert.secret_ids:
        try:
            out.append(inventory.get_plain(session, actor=reader, secret_ref=secret_id))
        except NotFound:
            continue
    return out


def message_of(session: Session, alert: Alert, *, event: str) -> formats.AlertMessage:
    """An alert in refs and names (its link holds the outbox's base-URL placeholder)."""
    secrets = secrets_of(session, alert)
    person = parties.person_names(session, {alert.person_id}) if alert.person_id else {}
    orgs = (
        parties.organisation_names(session, {alert.organisation_id})
        if alert.organisation_id
        else {}
    )
    return formats.AlertMessage(
        ref=alert.ref,
        title=alert.title,
        severity=Severity(alert.severity),
        status=alert.status,
        rule=alert.rule_id,
        explanation=alert.explanation,
        actor=alert.actor,
        person=person.get(alert.person_id or ""),
        organisation=orgs.get(alert.organisation_id or ""),
        secrets=[s.ref for s in secrets],
        secret_names=[s.name for s in secrets],
        hits=alert.hits,
        first_event_at=alert.first_event_at,
        last_event_at=alert.last_event_at,
        url=notifications.link(f"/alerts/{alert.ref}"),
        event=event,
    )


def owners_of(session: Session, alert: Alert) -> list[str]:
    """The person ids of the owners of the alert's secrets."""
    out: list[str] = []
    for secret in secrets_of(session, alert):
        if secret.owner_id not in out:
            out.append(secret.owner_id)
    return out


def sample_message() -> formats.AlertMessage:
    """The made-up alert a channel test sends."""
    now = clock.now()
    return formats.AlertMessage(
        ref="AL-TEST",
        title="Test of the alert channel",
        severity=Severity.LOW,
        status="open",
        rule="channel-test",
        explanation="A test message sent to check that this channel reaches its receiver.",
        actor="crownjewels",
        person=None,
        organisation=None,
        secrets=[],
        hits=1,
        first_event_at=now,
        last_event_at=now,
        url=notifications.link("/admin/channels"),
        event="test",
    )


def render(channel: Channel, message: formats.AlertMessage, *, base_url: str) -> bytes:
    """What a webhook or syslog channel sends for `message`, its link made absolute."""
    url = message.url.replace(notifications.BASE_URL, base_url.rstrip("/"))
    absolute = formats.AlertMessage(**{**message.__dict__, "url": url})
    if channel.format == ChannelFormat.SLACK.value:
        return formats.slack_payload(absolute)
    if channel.format == ChannelFormat.CEF.value:
        return formats.syslog_message(
            absolute, hostname=socket.gethostname(), version=__version__, at=clock.now()
        )
    return formats.json_payload(absolute)


def send_now(channel: Channel, body: bytes, *, sealer: Sealer, delivery_id: str) -> None:
    """Send one rendered message through a webhook or syslog channel (DeliveryFailed, or
    ValueError when the signing key cannot be opened)."""
    if channel.kind == ChannelKind.WEBHOOK.value:
        key = sealer.open(channel.secret) if channel.secret else None
        transport.post_webhook(channel.target, body, key=key, delivery_id=delivery_id)
    else:
        transport.send_syslog(channel.target, body)
