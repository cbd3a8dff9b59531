"""Sending one message out: a signed webhook POST over HTTP(S), a syslog message over UDP or
TCP. Each raises DeliveryFailed with the reason in words; the sender keeps it and retries."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from urllib.parse import urlsplit

from crownjewels.monitoring.channels import formats

#: seconds to wait for a receiver to connect and answer
TIMEOUT = 10.0
USER_AGENT = "crownjewels-alerts/1"


class DeliveryFailed(Exception):
    """The receiver could not be reached or refused the message; the reason in words."""


def post_webhook(
    url: str, body: bytes, *, key: str | None, delivery_id: str, timeout: float = TIMEOUT
) -> int:
    """POST `body` (JSON) to `url`, signed with `key`; the receiver's status (2xx), or
    DeliveryFailed. Redirects are not followed: a signed request goes where it was set to."""
    parts = urlsplit(url)
    timestamp = int(time.time())  # wall time: the receiver compares it with its own clock
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        formats.TIMESTAMP_HEADER: str(timestamp),
        formats.DELIVERY_HEADER: delivery_id,
    }
    if key:
        headers[formats.SIGNATURE_HEADER] = formats.signature(key, timestamp, body)
    host = parts.hostname or ""
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        conn = http.client.HTTPSConnection(
            host, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        answer = response.read(500).decode("utf-8", "replace").strip()
    except (OSError, http.client.HTTPException) as exc:
        raise DeliveryFailed(f"the webhook at {host} could not be reached: {_words(exc)}") from exc
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        said = f": {answer[:200]}" if answer else ""
        raise DeliveryFailed(f"the webhook answered {response.status} {response.reason}{said}")
    return response.status


def send_syslog(target: str, message: bytes, *, timeout: float = TIMEOUT) -> None:
    """One RFC 5424 message: a datagram over UDP, octet-counted over TCP (RFC 6587)."""
    where = formats.parse_syslog(target)
    try:
        if where.transport == "udp":
            family = socket.AF_INET6 if ":" in where.host else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.settimeout(timeout)
                sock.sendto(message, (where.host, where.port))
            return
        with socket.create_connection((where.host, where.port), timeout=timeout) as sock:
            sock.sendall(formats.octet_counted(message))
    except OSError as exc:
        raise DeliveryFailed(
            f"the syslog receiver {where.host}:{where.port} ({where.transport}) could not be "
            f"reached: {_words(exc)}"
        ) from exc


def _words(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:500]
