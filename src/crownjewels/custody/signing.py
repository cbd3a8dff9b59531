"""Checkpoint notes: the signed text and its Ed25519 signature (standard library and
`cryptography` only; the offline bundle verifier imports this module).

A checkpoint is a C2SP signed note (https://c2sp.org/signed-note) whose body is a C2SP
checkpoint (https://c2sp.org/tlog-checkpoint) with one extension line, the signing time:

    crownjewels/custody/<first 16 hex digits of the key id>
    <tree size, decimal>
    <root hash, base64>
    time <UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ>

then a blank line and the signature line `— <origin> <base64(key hash || signature)>`, where
the signature is Ed25519 over the body bytes (the four lines, each ending in a newline) and key
hash = SHA-256(origin || 0x0A || 0x01 || raw public key)[:4]. key_id = hex SHA-256 of the
32-byte raw public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
_DASH = "\u2014"


class BadNote(ValueError):
    """A checkpoint note that does not parse or whose signature does not verify."""


@dataclass(frozen=True)
class Note:
    """A parsed checkpoint note."""

    origin: str
    tree_size: int
    root_hash: bytes
    signed_at_us: int
    body: bytes
    signature: bytes


def raw_public(key: Ed25519PublicKey) -> bytes:
    """The 32 raw bytes of a public key."""
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    """Hex SHA-256 of the raw public key: names the installation that signs."""
    return hashlib.sha256(raw_public(key)).hexdigest()


def origin(key: Ed25519PublicKey) -> str:
    """The log's name in its checkpoints."""
    return f"crownjewels/custody/{key_id(key)[:16]}"


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    """A public key as PEM (SubjectPublicKeyInfo)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM, or BadNote."""
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise BadNote(f"not a PEM public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadNote("the public key is not an Ed25519 key")
    return key


def _key_hash(name: str, key: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x01" + raw_public(key)).digest()[:4]


def body(name: str, tree_size: int, root_hash: bytes, signed_at_us: int) -> bytes:
    """The signed text of a checkpoint."""
    moment = datetime.fromtimestamp(signed_at_us // 1_000_000, UTC).replace(
        microsecond=signed_at_us % 1_000_000
    )
    root = base64.b64encode(root_hash).decode()
    return f"{name}\n{tree_size}\n{root}\ntime {moment.strftime(_TIME)}\n".encode()


def sign(key: Ed25519PrivateKey, tree_size: int, root_hash: bytes, signed_at_us: int) -> Note:
    """A signed checkpoint note."""
    public = key.public_key()
    name = origin(public)
    text = body(name, tree_size, root_hash, signed_at_us)
    return Note(name, tree_size, root_hash, signed_at_us, text, key.sign(text))


def render(note: Note, key: Ed25519PublicKey) -> str:
    """The note as text: body, blank line, signature line."""
    blob = base64.b64encode(_key_hash(note.origin, key) + note.signature).decode()
    return f"{note.body.decode()}\n{_DASH} {note.origin} {blob}\n"


def parse(text: str) -> Note:
    """A note's fields (signature not checked), or BadNote."""
    head, sep, sigs = text.partition("\n\n")
    lines = head.split("\n")
    sig_line = sigs.split("\n")[0].split(" ")
    if not sep or len(lines) != 4 or not lines[3].startswith("time ") or len(sig_line) != 3:
        raise BadNote("not a Crown Jewels checkpoint note (origin, size, root, time, signature)")
    try:
        size = int(lines[1])
        root = base64.b64decode(lines[2], validate=True)
        moment = datetime.strptime(lines[3][5:], _TIME).replace(tzinfo=UTC)
        blob = base64.b64decode(sig_line[2], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise BadNote(f"checkpoint note does not parse: {exc}") from None
    if len(root) != 32 or len(blob) != 68 or sig_line[0] != _DASH or sig_line[1] != lines[0]:
        raise BadNote("checkpoint note has a malformed root hash or signature line")
    at_us = int(moment.timestamp()) * 1_000_000 + moment.microsecond
    return Note(lines[0], size, root, at_us, (head + "\n").encode(), blob[4:])


def verify(text: str, key: Ed25519PublicKey) -> Note:
    """The note, once its signature verifies under `key`; else BadNote."""
    note = parse(text)
    if note.origin != origin(key):
        raise BadNote(f"checkpoint of log {note.origin} is not from log {origin(key)}")
    try:
        key.verify(note.signature, note.body)
    except InvalidSignature:
        raise BadNote(
            f"checkpoint of size {note.tree_size}: the signature does not verify"
        ) from None
    return note
