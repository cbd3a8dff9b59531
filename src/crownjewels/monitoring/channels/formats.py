"""What a channel sends, as pure functions (no I/O): an alert in words for mail, as a JSON
document or a Slack message for webhooks, as a CEF line in an RFC 5424 syslog message; the
webhook signature; and a channel's target checked and parsed."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from crownjewels.core.errors import Invalid
from crownjewels.monitoring.channels.schemas import ChannelKind
from crownjewels.monitoring.schemas import Severity
from crownjewels.monitoring.sources import cef

#: the headers a webhook receiver reads: the signature and the time it covers
SIGNATURE_HEADER = "X-CrownJewels-Signature"
TIMESTAMP_HEADER = "X-CrownJewels-Timestamp"
DELIVERY_HEADER = "X-CrownJewels-Delivery"
#: a receiver should refuse a timestamp further than this from its own clock (replays)
REPLAY_WINDOW_SECONDS = 300

#: syslog facility 13, "log audit" (RFC 5424 §6.2.1); severities per alert severity
FACILITY = 13
SYSLOG_SEVERITY = {
    Severity.CRITICAL: 2,  # critical
    Severity.HIGH: 3,  # error
    Severity.MEDIUM: 4,  # warning
    Severity.LOW: 5,  # notice
}
#: CEF severity 0-10 (ArcSight: 0-3 low, 4-6 medium, 7-8 high, 9-10 very high)
CEF_SEVERITY = {Severity.LOW: 3, Severity.MEDIUM: 5, Severity.HIGH: 8, Severity.CRITICAL: 10}
VENDOR, PRODUCT = "Crown Jewels", "crownjewels"


@dataclass(frozen=True)
class AlertMessage:
    """An alert as every channel tells it: refs and names, never internal ids."""

    ref: str
    title: str
    severity: Severity
    status: str
    rule: str
    explanation: str
    actor: str
    person: str | None
    organisation: str | None
    secrets: list[str]
    hits: int
    first_event_at: datetime
    last_event_at: datetime
    url: str
    #: raised (a new alert), updated (more hits reached this channel), test
    event: str = "raised"
    secret_names: list[str] = field(default_factory=list)

    @property
    def who(self) -> str:
        """The person by name, else the actor as the source named them."""
        return self.person or f"{self.actor} (unknown actor)"


# -- mail ---------------------------------------------------------------------------------


def mail_subject(alert: AlertMessage) -> str:
    """The subject line: severity, ref and title."""
    prefix = "[test] " if alert.event == "test" else ""
    return f"{prefix}[{alert.severity.value}] {alert.ref} {alert.title}"[:300]


def mail_body(alert: AlertMessage, *, greeting: str | None = None) -> str:
    """The alert in plain words with its link."""
    names = alert.secret_names if len(alert.secret_names) == len(alert.secrets) else []
    secrets = ", ".join(
        f"{ref} {name}".strip()
        for ref, name in zip(alert.secrets, names or [""] * len(alert.secrets), strict=True)
    )
    lines = [
        f"Hello {greeting}," if greeting else "Hello,",
        "",
        "This is a test of the alert channel; no alert was raised."
        if alert.event == "test"
        else f"Monitoring {'raised' if alert.event == 'raised' else 'updated'} an alert.",
        "",
        f"Alert: {alert.ref} ({alert.severity.value})",
        f"What: {alert.title}",
        f"Why: {alert.explanation}",
        f"Who: {alert.who}" + (f", {alert.organisation}" if alert.organisation else ""),
        f"Secrets: {secrets or 'none named'}",
        f"Hits: {alert.hits}, from {_utc(alert.first_event_at)} to {_utc(alert.last_event_at)}",
        "",
        f"Open it: {alert.url}",
    ]
    return "\n".join(lines) + "\n"


# -- webhooks -----------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def json_payload(alert: AlertMessage) -> bytes:
    """The JSON document a `json` webhook receives (compact, UTF-8)."""
    data: dict[str, Any] = asdict(alert)
    data["severity"] = alert.severity.value
    data["first_event_at"] = _iso(alert.first_event_at)
    data["last_event_at"] = _iso(alert.last_event_at)
    event = data.pop("event")
    data.pop("secret_names")
    body = {"type": "crownjewels.alert", "event": event, "alert": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _slack_escape(text: str) -> str:
    # Slack's mrkdwn reads &, < and > as markup; these three are the whole escaping it asks
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(alert: AlertMessage) -> bytes:
    """A Slack-compatible message (`text` for notifications, `blocks` for the layout)."""
    head = f"{alert.severity.value.upper()} {alert.ref}: {alert.title}"
    if alert.event == "test":
        head = f"Test of the alert channel: {head}"
    secrets = ", ".join(alert.secrets) or "none named"
    body = {
        "text": _slack_escape(f"{head}. {alert.explanation}"),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": head[:150]}},
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": _slack_escape(alert.explanation)[:3000]},
            },
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*Severity*\n{alert.severity.value}"},
                    {"type": "mrkdwn", "text": f"*Who*\n{_slack_escape(alert.who)}"},
                    {"type": "mrkdwn", "text": f"*Secrets*\n{_slack_escape(secrets)}"},
                    {"type": "mrkdwn", "text": f"*Hits*\n{alert.hits}"},
                ],
            },
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": f"Open {alert.ref}"},
                        "url": alert.url,
                    }
                ],
            },
        ],
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(key: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the channel's key over `<timestamp>.` and the raw body
    (the timestamp is covered, so a replayed request cannot be given a fresh one)."""
    mac = hmac.new(key.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(
    key: str, *, timestamp: str, body: bytes, given: str, now: float, window: int = 300
) -> bool:
    """What a receiver does: the signature matches and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window:
        return False
    return hmac.compare_digest(signature(key, int(timestamp), body), given)


# -- syslog / CEF -------------------------------------------------------------------------


#: CEF's escaping, the one the intake reads back (sources.cef): header fields escape `\` and
#: `|`, extension values `\`, `=` and line breaks, so a reader gets the text exactly back
_cef_header = cef.escape_header
_cef_value = cef.escape_value


def _millis(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def cef_line(alert: AlertMessage, *, version: str) -> str:
    """The alert as one CEF:0 line (header escaping for `|`, extension escaping for `=`)."""
    header = [
        "CEF:0",
        VENDOR,
        PRODUCT,
        version,
        alert.rule,
        alert.title,
        str(CEF_SEVERITY[alert.severity]),
    ]
    extension = {
        "externalId": alert.ref,
        "rt": _millis(alert.last_event_at),
        "start": _millis(alert.first_event_at),
        "end": _millis(alert.last_event_at),
        "suser": alert.actor,
        "cnt": str(alert.hits),
        "msg": alert.explanation,
        "request": alert.url,
        "act": alert.event,
        "cs1Label": "secrets",
        "cs1": ",".join(alert.secrets),
        "cs2Label": "person",
        "cs2": alert.person or "",
        "cs3Label": "organisation",
        "cs3": alert.organisation or "",
        "cs4Label": "status",
        "cs4": alert.status,
    }
    ext = " ".join(f"{k}={_cef_value(v)}" for k, v in extension.items() if v)
    return "|".join(_cef_header(h) if i else h for i, h in enumerate(header)) + "|" + ext


_SYSLOG_NAME = re.compile(r"[^\x21-\x7e]")


def syslog_message(alert: AlertMessage, *, hostname: str, version: str, at: datetime) -> bytes:
    """An RFC 5424 message carrying the CEF line: `<PRI>1 TIMESTAMP HOST crownjewels - alert -
    CEF:...` (no structured data; the message is UTF-8 without a BOM, as SIEMs expect)."""
    pri = FACILITY * 8 + SYSLOG_SEVERITY[alert.severity]
    host = _SYSLOG_NAME.sub("", hostname)[:255] or "-"
    stamp = at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    head = f"<{pri}>1 {stamp} {host} crownjewels - alert - "
    return (head + cef_line(alert, version=version)).encode("utf-8")


def octet_counted(message: bytes) -> bytes:
    """TCP framing by octet counting (RFC 6587 §3.4.1): `LENGTH SP MESSAGE`."""
    return str(len(message)).encode("ascii") + b" " + message


# -- targets ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyslogTarget:
    """Where a syslog channel sends: the transport, host and port."""

    transport: str
    host: str
    port: int


def parse_syslog(target: str) -> SyslogTarget:
    """`udp://host:port` or `tcp://host:port`; Invalid in words otherwise."""
    parts = urlsplit(target)
    hint = "give the syslog receiver as udp://host:port or tcp://host:port"
    if parts.scheme not in ("udp", "tcp") or not parts.hostname:
        raise Invalid(f"{target!r} is not a syslog receiver; {hint}", field="target")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not port or parts.path not in ("", "/") or parts.query or parts.username:
        raise Invalid(f"{target!r} names no port (1-65535); {hint}", field="target")
    return SyslogTarget(parts.scheme, parts.hostname, port)


def check_webhook(target: str) -> str:
    """An http(s) URL with a host and no credentials in it."""
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(
            f"{target!r} is not a webhook URL; give one starting with https:// (or http://)",
            field="target",
        )
    if parts.username or parts.password:
        raise Invalid(
            "put no user name or password in the webhook URL; the request is signed instead",
            field="target",
        )
    try:
        parts.port  # noqa: B018 - raises on a port out of range
    except ValueError:
        raise Invalid(f"{target!r} has a port outside 1-65535", field="target") from None
    return target


def email_list(target: str) -> list[str]:
    """The addresses of an email channel (comma- or semicolon-separated), normalised."""
    out: list[str] = []
    for raw in re.split(r"[,;\s]+", target):
        if not raw:
            continue
        try:
            found = validate_email(raw, check_deliverability=False)
        except EmailNotValidError:
            raise Invalid(
                f"{raw!r} is not an email address; separate addresses with commas",
                field="target",
            ) from None
        if found.normalized.lower() not in {a.lower() for a in out}:
            out.append(found.normalized)
    return out


def redacted(kind: ChannelKind, target: str) -> str:
    """A target as it may be shown beyond admins: a webhook's scheme and host only."""
    if kind is not ChannelKind.WEBHOOK:
        return target
    parts = urlsplit(target)
    hidden = "/…" if (parts.path not in ("", "/") or parts.query) else ""
    return f"{parts.scheme}://{parts.netloc}{hidden}"


def check_target(kind: ChannelKind, target: str, *, owners: bool) -> str:
    """The target in its stored form, or Invalid naming what to give."""
    if kind is ChannelKind.EMAIL:
        addresses = email_list(target)
        if not addresses and not owners:
            raise Invalid(
                "give at least one email address, or mail the secrets' owners",
                field="target",
            )
        return ", ".join(addresses)
    if kind is ChannelKind.WEBHOOK:
        return check_webhook(target)
    parse_syslog(target)
    return target
