"""The mark and its payload: what every marking method carries and how it is checked.

The invisible payload is 29 bytes: a version byte, the 16-byte copy id, an 8-byte tag
(HMAC-SHA256 under the installation key, truncated) and a CRC-32 of the 25 bytes before it.
The CRC tells damage apart from a wrong key: a bad CRC is "damaged" (no id is reported), a
good CRC with a bad tag is "unverified" (the id is only claimed: forged, or marked under
another key). Without a key a fixed public one is used, so the tag is a checksum only.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import enum
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass, field

from ulid import ULID

from crownjewels.core.errors import Invalid

VERSION = 0xC1
PAYLOAD_LEN = 29
PUBLIC_KEY = b"crownjewels-watermark-public-key-v1"
DEFAULT_LEGEND = "CONFIDENTIAL - trade secret. Do not copy or forward."

# The ASCII token for places that hold text but not zero-width characters (PDF text,
# metadata, PNG chunks): "CJMARK-" and the base32 payload (47 characters, no padding).
TOKEN_PREFIX = "CJMARK-"
TOKEN_RE = re.compile(r"CJMARK-([A-Z2-7]{40,54})")
# The visible stamp names the copy with a short check: "Copy 01J... (check 1a2b3c4d)".
STAMP_RE = re.compile(r"Copy\s+([0-9A-HJKMNP-TV-Z]{26})\s*\(check\s+([0-9a-fA-F]{8})\)")


class MarkError(Invalid):
    """The input cannot be marked or read: not a valid file of its type, or a bad mark."""


_log = logging.getLogger(__name__)
#: what a person reads when a parser refuses the file, by kind; the parser's own text (which
#: can name a Python object, `<_io.BytesIO object at 0x...>`) goes to the log only
_DAMAGED = {
    "PDF": "not a valid PDF: its structure is damaged; save or export it as PDF again and "
    "use the new file",
    "DOCX": "not a valid DOCX: it is not a readable Word document; save it from the word "
    "processor again as .docx and use the new file",
    "image": "not a valid image: it cannot be decoded; save it again as PNG or JPEG and use "
    "the new file",
}


def damaged(kind: str, exc: BaseException) -> MarkError:
    """The MarkError for a file its parser refused, in words; the parser's detail is logged."""
    _log.info("watermarking refused a %s: %s: %s", kind, type(exc).__name__, exc)
    return MarkError(_DAMAGED[kind])


class MarkStatus(enum.StrEnum):
    """How far a found mark can be trusted."""

    VALID = "valid"  # intact, and its tag verifies under the key given
    UNVERIFIED = "unverified"  # intact, but the tag does not verify: forged or another key
    DAMAGED = "damaged"  # a mark is there but its checksum fails: no id can be read


@dataclass(frozen=True)
class Mark:
    """What a copy carries: its id and its recipient, for the visible stamp and the payload."""

    copy_id: str
    recipient: str
    organisation: str
    date: dt.date
    legend: str = DEFAULT_LEGEND

    def __init__(
        self,
        copy_id: str | int | bytes | ULID,
        recipient: str,
        organisation: str,
        date: dt.date,
        legend: str = DEFAULT_LEGEND,
    ) -> None:
        object.__setattr__(self, "copy_id", str(to_ulid(copy_id)))
        if not recipient.strip():
            raise MarkError("a mark needs the recipient's name")
        object.__setattr__(self, "recipient", recipient.strip())
        object.__setattr__(self, "organisation", organisation.strip())
        object.__setattr__(self, "date", date)
        object.__setattr__(self, "legend", legend.strip())

    @property
    def id_bytes(self) -> bytes:
        """The copy id as 16 bytes."""
        return ULID.from_str(self.copy_id).bytes

    def stamp_lines(self, key: bytes | None) -> tuple[str, str]:
        """The two lines of the visible stamp: legend and recipient, then copy and check."""
        who = ", ".join(p for p in (self.recipient, self.organisation) if p)
        first = f"{self.legend} Issued to {who} on {self.date.isoformat()}."
        return first.strip(), f"Copy {self.copy_id} (check {visible_check(self.id_bytes, key)})"


@dataclass(frozen=True)
class FoundMark:
    """One mark read from a file: the method that found it, its copy id and its status."""

    method: str
    status: MarkStatus
    copy_id: str | None  # None when damaged; a claim only when unverified
    count: int = 1
    detail: str = ""


@dataclass(frozen=True)
class MarkedCopy:
    """The marked bytes, whether a mark was applied, and which methods did it."""

    data: bytes
    media_type: str
    marked: bool
    methods: list[str] = field(default_factory=list)


def to_ulid(value: str | int | bytes | ULID) -> ULID:
    """A copy id from a ULID string, a 128-bit integer or 16 bytes."""
    try:
        if isinstance(value, ULID):
            return value
        if isinstance(value, bytes):
            return ULID.from_bytes(value)
        if isinstance(value, int):
            return ULID.from_int(value)
        return ULID.from_str(value.strip().upper())
    except (ValueError, TypeError, OverflowError) as exc:
        raise MarkError(f"not a valid copy id (a ULID or a 128-bit value): {value!r}") from exc


def _tag(id_bytes: bytes, key: bytes | None, purpose: bytes, size: int) -> bytes:
    mac = hmac.new(key or PUBLIC_KEY, purpose + id_bytes, hashlib.sha256)
    return mac.digest()[:size]


def visible_check(id_bytes: bytes, key: bytes | None) -> str:
    """Eight hex digits printed next to the copy id in visible stamps."""
    return _tag(id_bytes, key, b"visible", 4).hex()


def encode_payload(id_bytes: bytes, key: bytes | None) -> bytes:
    """The 29-byte payload for a 16-byte copy id."""
    if len(id_bytes) != 16:
        raise MarkError("a copy id is 16 bytes")
    body = bytes([VERSION]) + id_bytes + _tag(id_bytes, key, b"payload", 8)
    return body + binascii.crc32(body).to_bytes(4, "big")


def decode_payload(payload: bytes, key: bytes | None) -> tuple[MarkStatus, str | None]:
    """The status and copy id of a payload; damaged payloads never yield an id."""
    if len(payload) != PAYLOAD_LEN or payload[0] != VERSION:
        return MarkStatus.DAMAGED, None
    body, crc = payload[:-4], payload[-4:]
    if binascii.crc32(body).to_bytes(4, "big") != crc:
        return MarkStatus.DAMAGED, None
    id_bytes, tag = body[1:17], body[17:25]
    copy_id = str(ULID.from_bytes(id_bytes))
    if hmac.compare_digest(tag, _tag(id_bytes, key, b"payload", 8)):
        return MarkStatus.VALID, copy_id
    return MarkStatus.UNVERIFIED, copy_id


def encode_token(id_bytes: bytes, key: bytes | None) -> str:
    """The ASCII form of the payload: CJMARK- and 47 base32 characters."""
    raw = base64.b32encode(encode_payload(id_bytes, key)).decode("ascii")
    return TOKEN_PREFIX + raw.rstrip("=")


def decode_token(b32: str, key: bytes | None) -> tuple[MarkStatus, str | None]:
    """The status and copy id of the base32 part of a token."""
    try:
        raw = base64.b32decode(b32 + "=" * (-len(b32) % 8))
    except (binascii.Error, ValueError):
        return MarkStatus.DAMAGED, None
    return decode_payload(raw, key)


def check_stamp(copy_id: str, check: str, key: bytes | None) -> tuple[MarkStatus, str | None]:
    """The status of a visible stamp "Copy <id> (check <hex>)" read back as text."""
    try:
        id_bytes = ULID.from_str(copy_id).bytes
    except ValueError:
        return MarkStatus.DAMAGED, None
    if hmac.compare_digest(check.lower(), visible_check(id_bytes, key)):
        return MarkStatus.VALID, copy_id
    return MarkStatus.DAMAGED, None


class Collector:
    """Gathers found marks, one entry per (method, status, copy id) with a count."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, MarkStatus, str | None], int] = {}
        self._detail: dict[tuple[str, MarkStatus, str | None], str] = {}

    def add(self, method: str, status: MarkStatus, copy_id: str | None, detail: str = "") -> None:
        """Count one more mark."""
        k = (method, status, copy_id)
        self._found[k] = self._found.get(k, 0) + 1
        self._detail.setdefault(k, detail)

    def tokens(self, text: str, method: str, key: bytes | None) -> None:
        """Every ASCII token in `text`."""
        for m in TOKEN_RE.finditer(text):
            self.add(method, *decode_token(m.group(1), key))

    def stamps(self, text: str, method: str, key: bytes | None) -> None:
        """Every visible stamp "Copy <id> (check <hex>)" in `text`."""
        for m in STAMP_RE.finditer(text):
            self.add(method, *check_stamp(m.group(1), m.group(2), key))

    def result(self) -> list[FoundMark]:
        """The marks found, valid ones first."""
        order = {MarkStatus.VALID: 0, MarkStatus.UNVERIFIED: 1, MarkStatus.DAMAGED: 2}
        items = sorted(self._found.items(), key=lambda kv: (order[kv[0][1]], kv[0][0]))
        return [
            FoundMark(method=m, status=s, copy_id=c, count=n, detail=self._detail[(m, s, c)])
            for (m, s, c), n in items
        ]
