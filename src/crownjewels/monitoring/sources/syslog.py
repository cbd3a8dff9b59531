"""RFC 5424 syslog messages, read and written, and what a received message says in
monitoring's format: a CEF payload (RFC 5424 or the older BSD header in front of `CEF:`) or a
JSON event object. The listener that receives them is in `listener.py`."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crownjewels.monitoring.sources import cef
from crownjewels.monitoring.sources.conversion import Conversion, utc

NIL = "-"
BOM = "\ufeff"
_PRI = re.compile(r"<(\d{1,3})>(\d{1,2}) ")
_SD_NAME = re.compile(r'[^= \]"]{1,32}')
_MAX_LENGTHS = {"hostname": 255, "app_name": 48, "procid": 128, "msgid": 32}


class SyslogError(ValueError):
    """Text that is not an RFC 5424 message; the message says which part is wrong."""


@dataclass(frozen=True)
class SyslogMessage:
    """One RFC 5424 message; header fields that were the nil value `-` are None."""

    facility: int
    severity: int
    timestamp: datetime | None = None
    hostname: str | None = None
    app_name: str | None = None
    procid: str | None = None
    msgid: str | None = None
    structured_data: dict[str, dict[str, str]] = field(default_factory=dict)
    msg: str = ""
    version: int = 1

    @property
    def pri(self) -> int:
        """The PRI value: facility * 8 + severity."""
        return self.facility * 8 + self.severity


def parse(text: str) -> SyslogMessage:
    """Read one RFC 5424 message (without its transport framing)."""
    match = _PRI.match(text)
    if not match:
        raise SyslogError("an RFC 5424 message starts with <PRI>1 (e.g. <134>1 2026-12-01T…)")
    pri, version = int(match.group(1)), int(match.group(2))
    if pri > 191:
        raise SyslogError(f"the priority <{pri}> is out of range (0 to 191)")
    if version != 1:
        raise SyslogError(f"syslog version {version} is not RFC 5424 (version 1)")
    rest = text[match.end() :]
    parts = rest.split(" ", 5)
    if len(parts) < 6:
        raise SyslogError(
            "an RFC 5424 header has TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA "
            "('-' for each one that is absent)"
        )
    stamp, hostname, app_name, procid, msgid, tail = parts
    names = dict(zip(("hostname", "app_name", "procid", "msgid"),
                     (hostname, app_name, procid, msgid), strict=True))  # fmt: skip
    for name, value in names.items():
        if len(value) > _MAX_LENGTHS[name]:
            raise SyslogError(f"the {name} is longer than {_MAX_LENGTHS[name]} characters")
    structured, msg = _structured_data(tail)
    if msg.startswith(BOM):
        msg = msg[1:]
    return SyslogMessage(
        facility=pri // 8,
        severity=pri % 8,
        version=version,
        timestamp=_timestamp(stamp),
        hostname=_nil(hostname),
        app_name=_nil(app_name),
        procid=_nil(procid),
        msgid=_nil(msgid),
        structured_data=structured,
        msg=msg,
    )


def _nil(value: str) -> str | None:
    return None if value == NIL else value


def _timestamp(text: str) -> datetime | None:
    if text == NIL:
        return None
    if "T" not in text or not (text.endswith("Z") or re.search(r"[+-]\d\d:\d\d$", text)):
        raise SyslogError(
            f"the timestamp {text!r} is not RFC 3339 with a zone (e.g. 2026-12-01T03:12:00Z)"
        )
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        raise SyslogError(f"the timestamp {text!r} is not a valid date and time") from None


def _structured_data(text: str) -> tuple[dict[str, dict[str, str]], str]:
    """The structured data elements and the MSG after them."""
    if text.startswith(NIL):
        if len(text) > 1 and text[1] != " ":
            raise SyslogError("the structured data must be '-' or [id name=\"value\" …]")
        return {}, text[2:]
    elements: dict[str, dict[str, str]] = {}
    i = 0
    while i < len(text) and text[i] == "[":
        sd_id, i = _name(text, i + 1, "structured data id")
        params: dict[str, str] = {}
        while i < len(text) and text[i] == " ":
            name, i = _name(text, i + 1, "parameter name")
            if text[i : i + 2] != '="':
                raise SyslogError(f'the parameter {name} must be written {name}="value"')
            value, i = _quoted(text, i + 2)
            params[name] = value
        if i >= len(text) or text[i] != "]":
            raise SyslogError(f"the structured data element [{sd_id} …] is not closed with ]")
        elements[sd_id] = params
        i += 1
    if not elements:
        raise SyslogError("the structured data must be '-' or [id name=\"value\" …]")
    if i < len(text) and text[i] != " ":
        raise SyslogError("the structured data must be followed by a space and the message")
    return elements, text[i + 1 :]


def _name(text: str, at: int, what: str) -> tuple[str, int]:
    match = _SD_NAME.match(text, at)
    if not match:
        raise SyslogError(f"a {what} is missing in the structured data")
    return match.group(0), match.end()


def _quoted(text: str, at: int) -> tuple[str, int]:
    """A PARAM-VALUE from `at` up to its closing quote; `\\"`, `\\\\` and `\\]` unescaped."""
    out: list[str] = []
    i = at
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in '"\\]':
            out.append(text[i + 1])
            i += 2
            continue
        if char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    raise SyslogError("a structured data value has no closing quote")


def escape_param(value: str) -> str:
    """A PARAM-VALUE with `"`, `\\` and `]` escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def format_message(message: SyslogMessage) -> str:
    """One message as RFC 5424 text (no framing; see `octet_frame`)."""
    stamp = NIL if message.timestamp is None else _format_time(message.timestamp)
    fields = {"hostname": message.hostname, "app_name": message.app_name,
              "procid": message.procid, "msgid": message.msgid}  # fmt: skip
    names = [(v or NIL)[: _MAX_LENGTHS[k]].replace(" ", "_") for k, v in fields.items()]
    header = " ".join([f"<{message.pri}>{message.version}", stamp, *names])
    if message.structured_data:
        sd = "".join(
            "[" + " ".join([sd_id, *(f'{k}="{escape_param(v)}"' for k, v in params.items())]) + "]"
            for sd_id, params in message.structured_data.items()
        )
    else:
        sd = NIL
    return f"{header} {sd} {message.msg}" if message.msg else f"{header} {sd}"


def _format_time(moment: datetime) -> str:
    text = utc(moment).isoformat(timespec="microseconds" if moment.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def octet_frame(text: str) -> bytes:
    """A message framed for TCP by octet counting (RFC 6587 3.4.1): `LENGTH SP MESSAGE`."""
    data = text.encode("utf-8")
    return f"{len(data)} ".encode() + data


# ------------------------------------------------------------- received text -> events


def event_of(text: str, *, received_at: datetime | None = None) -> dict[str, Any]:
    """What one received line says, as a dict in monitoring's format (not yet validated).
    The payload is CEF (`CEF:0|…`) or one JSON event object; the event's time is CEF's rt,
    else the syslog header's timestamp, else when it was received."""
    text = text.strip("\r\n\x00")
    try:
        message = parse(text)
    except SyslogError as exc:
        if "CEF:" in text:  # a BSD (RFC 3164) header, as many appliances still send
            return cef.to_activity(cef.parse(text), default_time=received_at)
        if text.startswith("{"):
            return _json_event(text, default_time=received_at, default_source=None)
        raise exc
    body = message.msg.strip()
    moment = message.timestamp or received_at
    if body.startswith("CEF:"):
        return cef.to_activity(cef.parse(body), default_time=moment,
                               default_source=message.app_name)  # fmt: skip
    if body.startswith("{"):
        return _json_event(body, default_time=moment, default_source=message.app_name)
    raise SyslogError(
        "the message carries neither a CEF event (CEF:0|…) nor a JSON event object ({…})"
    )


def _json_event(
    text: str, *, default_time: datetime | None, default_source: str | None
) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SyslogError(f"the JSON event is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise SyslogError("the JSON payload must be one event object ({…})")
    if "time" not in data and default_time is not None:
        data["time"] = default_time
    if "source" not in data and default_source:
        data["source"] = default_source
    return data


def convert_lines(
    lines: Iterable[str], *, received_at: datetime | None = None, first: int = 1
) -> Conversion:
    """Received syslog lines (or a file of them) in monitoring's format, numbered from
    `first`; a line that says nothing readable is named with its reason."""
    result = Conversion(unit="line")
    for number, line in enumerate(lines, start=first):
        read_line(line, at=number, received_at=received_at, into=result)
    return result


def read_line(text: str, *, at: int, received_at: datetime | None, into: Conversion) -> None:
    """One received line into `into`: its event, or its problem; a blank line is nothing."""
    if not text.strip():
        return
    try:
        data = event_of(text, received_at=received_at)
    except (SyslogError, cef.CefError) as exc:
        into.reject(at, str(exc))
        return
    into.add(data, at=at)
