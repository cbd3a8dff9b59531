"""CEF (ArcSight Common Event Format), read and written: a header of seven `|`-separated
fields (`\\|` and `\\\\` escaped) and an extension of `key=value` pairs whose values run to
the next key (`\\=`, `\\\\`, `\\n`, `\\r` escaped); and how a CEF event maps to monitoring's
event format (suser, act, request/filePath/fname, fsize/out/in, src, shost, rt)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crownjewels.monitoring.schemas import ActivityIn
from crownjewels.monitoring.sources.conversion import ip_or_none, nonempty, utc

HEADER_FIELDS = ("version", "vendor", "product", "device_version", "signature_id", "name",
                 "severity")  # fmt: skip
#: an extension key: letters, digits, underscore, dot, brackets and hyphen (vendors' own keys)
_KEY = re.compile(r"(?:^|(?<=\s))([A-Za-z0-9_.\[\]-]+)=")
_VALID_KEY = re.compile(r"^[A-Za-z0-9_.\[\]-]+$")
_VALUE_ESCAPES = {"\\": "\\", "=": "=", "n": "\n", "r": "\r", "|": "|"}


class CefError(ValueError):
    """Text that is not a CEF event; the message says what is wrong."""


@dataclass(frozen=True)
class CefEvent:
    """One CEF event: the header's seven fields and the extension's pairs, unescaped."""

    vendor: str
    product: str
    device_version: str
    signature_id: str
    name: str
    severity: str
    extension: dict[str, str] = field(default_factory=dict)
    version: str = "0"

    def custom(self, label: str) -> str | None:
        """The value of a custom string (cs1..cs6) whose label is `label` (any case)."""
        return self.customs().get(label)

    def customs(self) -> dict[str, str]:
        """The custom strings (cs1..cs6) by their labels, lower-cased."""
        ext = self.extension
        if not any(key.startswith("cs") for key in ext):
            return {}
        found = {}
        for n in range(1, 7):
            label = ext.get(f"cs{n}Label")
            if label and f"cs{n}" in ext:
                found[label.strip().lower()] = ext[f"cs{n}"]
        return found


def parse(text: str) -> CefEvent:
    """Read one CEF event; anything before `CEF:` (a syslog header) is ignored."""
    start = text.find("CEF:")
    if start < 0:
        raise CefError("not a CEF event: it does not contain 'CEF:'")
    fields, rest = _split_header(text[start + 4 :])
    if len(fields) < 7:
        raise CefError(
            f"a CEF header has 7 fields separated by '|' (version|vendor|product|version|"
            f"signature id|name|severity); this one has {len(fields)}"
        )
    version = fields[0].strip()
    if not version.isdigit():
        raise CefError(f"the CEF version must be a number (CEF:0|…), not {fields[0]!r}")
    return CefEvent(
        version=version,
        vendor=fields[1],
        product=fields[2],
        device_version=fields[3],
        signature_id=fields[4],
        name=fields[5],
        severity=fields[6].strip(),
        extension=parse_extension(rest),
    )


def _split_header(text: str) -> tuple[list[str], str]:
    """The header fields (unescaped) and the extension after the seventh `|`."""
    if "\\" not in text:  # the common case: nothing escaped
        parts = text.split("|", 7)
        return parts[:7], (parts[7] if len(parts) > 7 else "")
    fields: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] in "|\\":
            current.append(text[i + 1])
            i += 2
            continue
        if char == "|":
            fields.append("".join(current))
            current = []
            i += 1
            if len(fields) == 7:
                return fields, text[i:]
            continue
        current.append(char)
        i += 1
    fields.append("".join(current))
    return fields, ""


def parse_extension(text: str) -> dict[str, str]:
    """The `key=value` pairs: a value runs to the space before the next unescaped `key=`.
    Only the separators (spaces, tabs, line ends) are trimmed: a value may end in any other
    whitespace (a no-break space is part of it)."""
    text = text.strip(" \t\r\n")
    if not text:
        return {}
    keys = list(_KEY.finditer(text))
    if "\\" in text:
        keys = [m for m in keys if not _escaped(text, m.end() - 1)]
    if not keys or keys[0].start() != 0:
        raise CefError("the CEF extension must be key=value pairs (e.g. suser=ravi act=download)")
    pairs: dict[str, str] = {}
    for index, match in enumerate(keys):
        end = keys[index + 1].start() if index + 1 < len(keys) else len(text)
        pairs[match.group(1)] = _unescape_value(text[match.end() : end].rstrip(" "))
    return pairs


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` is preceded by an odd number of backslashes."""
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _unescape_value(value: str) -> str:
    if "\\" not in value:
        return value
    out: list[str] = []
    i = 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value) and value[i + 1] in _VALUE_ESCAPES:
            out.append(_VALUE_ESCAPES[value[i + 1]])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


def escape_header(value: str) -> str:
    """A header field: backslash and pipe escaped; line breaks are not allowed, so spaces."""
    value = value.replace("\\", "\\\\").replace("|", "\\|")
    return value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def escape_value(value: str) -> str:
    """An extension value: backslash, equals sign and line breaks escaped."""
    value = value.replace("\\", "\\\\").replace("=", "\\=")
    return value.replace("\r", "\\r").replace("\n", "\\n")


def format_event(event: CefEvent) -> str:
    """One CEF event as text (`CEF:0|vendor|product|…|key=value …`)."""
    for key in event.extension:
        if not _VALID_KEY.match(key):
            raise CefError(f"{key!r} cannot be a CEF extension key: use letters and digits")
    values = (event.vendor, event.product, event.device_version, event.signature_id,
              event.name, event.severity)  # fmt: skip
    header = "|".join(escape_header(v) for v in values)
    extension = " ".join(f"{k}={escape_value(v)}" for k, v in event.extension.items() if v != "")
    return f"CEF:{event.version}|{header}|{extension}"


# ---------------------------------------------------------------- CEF <-> the event format

#: a source's own words for an action, mapped to the format's actions
_ACTION_WORDS = {
    "read": "view", "open": "view", "opened": "view", "access": "view", "accessed": "view",
    "get": "download", "downloaded": "download", "export": "download", "exported": "download",
    "put": "upload", "write": "upload", "uploaded": "upload", "copied": "copy",
    "printed": "print", "shared": "share", "deleted": "delete", "remove": "delete",
    "removed": "delete", "cloned": "clone", "pushed": "push", "logon": "login",
    "logged-in": "login", "login-failed": "failed-login", "failed-logon": "failed-login",
    "logon-failed": "failed-login",
}  # fmt: skip
_ACTIONS = {"login", "view", "download", "upload", "copy", "print", "share", "delete", "clone",
            "push", "failed-login"}  # fmt: skip
_MONTHS = "%b %d %Y %H:%M:%S"


def action_of(words: str | None) -> str | None:
    """A source's action word as one of the format's actions, or None."""
    if not words:
        return None
    word = words.strip().lower().replace("_", "-").replace(" ", "-")
    if word in _ACTIONS:
        return word
    return _ACTION_WORDS.get(word)


def cef_time(value: str | None) -> datetime | None:
    """A CEF time (rt, end, start): milliseconds since 1970, or 'MMM dd yyyy HH:mm:ss[.SSS]
    [zone]', or ISO 8601; a time without a zone is taken as UTC."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        return utc(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except ValueError:
        pass
    parts = text.split()
    zone = None
    if len(parts) == 5:
        zone = parts.pop()
    stamp = " ".join(parts)
    for fmt in (_MONTHS, _MONTHS + ".%f"):
        try:
            moment = datetime.strptime(stamp, fmt)
        except ValueError:
            continue
        if zone is None or zone.upper() in ("UTC", "GMT", "Z"):
            return moment.replace(tzinfo=UTC)
        try:
            offset = datetime.strptime(zone, "%z").tzinfo
        except ValueError:
            return None
        return moment.replace(tzinfo=offset).astimezone(UTC)
    return None


def to_activity(
    event: CefEvent, *, default_time: datetime | None = None, default_source: str | None = None
) -> dict[str, Any]:
    """A CEF event in monitoring's format (a dict for ActivityIn): who (suser, duser, suid),
    did what (act, else the signature id or name when it is an action word), to what
    (request, filePath, fname), how many bytes (fsize, out, in), from where (src, shost)."""
    ext = event.extension
    moment = cef_time(ext.get("rt")) or cef_time(ext.get("end")) or cef_time(ext.get("start"))
    action = action_of(ext.get("act")) or action_of(event.signature_id) or action_of(event.name)
    size = nonempty(ext.get(k) for k in ("fsize", "out", "in"))
    custom = event.customs()
    data: dict[str, Any] = {
        "time": moment or default_time,
        "actor": nonempty(ext.get(k) for k in ("suser", "duser", "suid", "duid")),
        "action": action or ext.get("act") or event.signature_id,
        "resource": nonempty(
            [ext.get("request"), ext.get("filePath"), ext.get("fname"), custom.get("resource")]
        ),
        "bytes": int(size) if size and size.isdigit() else size,
        "ip": ip_or_none(ext.get("src") or ext.get("c6a2")),
        "country": custom.get("country"),
        "device": nonempty([custom.get("device"), ext.get("shost")]),
        "source": nonempty([custom.get("source"), event.product.lower(), default_source]) or "cef",
    }
    return {k: v for k, v in data.items() if v is not None}


def from_activity(event: ActivityIn, *, vendor: str = "Crown Jewels",
                  product: str = "monitoring", version: str = "1") -> CefEvent:  # fmt: skip
    """An event of the format as CEF, for a SIEM (the reverse of to_activity)."""
    ext = {
        "rt": str(int(event.time.timestamp() * 1000)),
        "suser": event.actor,
        "act": event.action.value,
        "request": event.resource,
        "fsize": "" if event.bytes is None else str(event.bytes),
        "src": event.ip or "",
        "shost": event.device or "",
        "cs1Label": "country" if event.country else "",
        "cs1": event.country or "",
        "cs2Label": "source",
        "cs2": event.source,
    }
    return CefEvent(
        vendor=vendor,
        product=product,
        device_version=version,
        signature_id=event.action.value,
        name=f"{event.action.value} {event.resource}"[:512],
        severity="3",
        extension={k: v for k, v in ext.items() if v},
    )
