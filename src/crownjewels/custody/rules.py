"""The canonical encoding of a custody event and its hash (pure functions, no I/O).

Encoding, version 1 (docs/custody.md): the UTF-8 bytes of nine lines joined by "\n":

    crownjewels-custody-v1
    <seq, decimal>
    <recorded_at: microseconds since 1970-01-01T00:00:00Z, decimal>
    <actor>
    <event_type>
    <subject_type>
    <subject_id>
    <prev_hash: 64 lowercase hex digits; 64 zeros for the first event>
    <details: RFC 8785 (JCS) canonical JSON>

Only the last field may contain a newline (JCS escapes it inside strings, so in fact none does);
every other field is checked to hold no control character, so the encoding is unambiguous.
hash = lowercase hex SHA-256 of those bytes. The same bytes are the leaf of the Merkle tree
that signed checkpoints will cover, so adding checkpoints rewrites no history.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import rfc8785

ENCODING_TAG = "crownjewels-custody-v1"
GENESIS_HASH = "0" * 64
_FIELD = re.compile(r"^[^\x00-\x1f\x7f]*$")


def canonical_details(details: dict[str, Any]) -> str:
    """The RFC 8785 canonical JSON text of an event's details."""
    return rfc8785.dumps(details).decode("utf-8")


def check_field(name: str, value: str) -> str:
    """A header field, refused if it contains a control character (it would break the encoding)."""
    if not _FIELD.match(value):
        raise ValueError(f"custody field {name} must not contain control characters: {value!r}")
    return value


def encode(
    *,
    seq: int,
    at_us: int,
    actor: str,
    event_type: str,
    subject_type: str,
    subject_id: str,
    prev_hash: str,
    details_json: str,
) -> bytes:
    """The canonical bytes of one event (version 1)."""
    return "\n".join(
        (
            ENCODING_TAG,
            str(seq),
            str(at_us),
            actor,
            event_type,
            subject_type,
            subject_id,
            prev_hash,
            details_json,
        )
    ).encode("utf-8")


def event_hash(encoded: bytes) -> str:
    """The chain hash of an encoded event."""
    return hashlib.sha256(encoded).hexdigest()
