"""Streaming segmented AEAD: encrypt a stream of any size in constant memory.

Format version 1 (all integers big-endian; docs/vault.md has the byte-by-byte table):

    header   magic "CJVS" | version 0x01 | segment size u32 | stream id 16 | nonce prefix 8
             | key commitment 32 | CRC-32 of the 65 bytes before it          (69 bytes)
    segments AES-256-GCM(segment key, nonce, plaintext segment, aad) = ciphertext || tag 16

The design follows Tink's AES-GCM-HKDF streaming AEAD: each stream derives its own segment
key, `HKDF-SHA256(data key, salt = stream id, info = label || header fields)`, so even a data
key reused across streams never repeats a (key, nonce) pair, and segments of one stream do not
authenticate in another. The nonce is the 8-byte random prefix || the 4-byte segment index; the
associated data is the whole header || the index (u32) || a last-segment flag (u8). So a
flipped byte, reordered segments, a segment spliced from another stream, a stream cut at a
segment boundary (its new last segment was sealed as "not last") or mid-segment, and a missing
final segment all fail authentication. The same HKDF also yields a 32-byte key commitment kept
in the header: a wrong data key is reported as such before any segment is tried, and no
ciphertext can be made to decrypt under two keys (GCM alone is not key-committing). The CRC-32
only tells accidental header damage apart from a wrong key; security rests on the commitment
and the tags (a forger who fixes the CRC still meets both).

Plaintext leaves `decrypt_stream` only segment by segment, each after its tag verified; a
damaged segment is never written, but segments before it have been. Callers that must not
expose any plaintext of a damaged stream use `decrypt_to_file` (a temp file beside the target,
renamed into place only after the last segment authenticates) or stream to a client that
treats an aborted transfer as a failure.
"""

from __future__ import annotations

import contextlib
import hmac
import os
import struct
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crownjewels.vault.errors import BlobTooLarge, CorruptContent, WrongKey

MAGIC = b"CJVS"
VERSION = 1
TAG_SIZE = 16
DEFAULT_SEGMENT_SIZE = 1 << 20
MIN_SEGMENT_SIZE = 16
#: bounds the memory a (possibly hostile) header can make a reader allocate
MAX_SEGMENT_SIZE = 64 << 20
MAX_SEGMENTS = 1 << 32
_FIELDS = struct.Struct(">4sBI16s8s")  # magic, version, segment size, stream id, nonce prefix
_COMMITTED = _FIELDS.size + 32  # + key commitment
_CRC = struct.Struct(">I")
HEADER_SIZE = _COMMITTED + _CRC.size
_KDF_LABEL = b"crownjewels-vault-stream-v1\x00"
_SEGMENT = struct.Struct(">IB")  # index, last flag
_INDEX = struct.Struct(">I")


class Reader(Protocol):
    """Anything with `read(n)`; `readinto` is used when present (no copy per segment)."""

    def read(self, size: int = -1, /) -> bytes: ...


class Writer(Protocol):
    """Anything with `write(bytes)`: a file, a socket file, an upload, BytesIO."""

    def write(self, data: bytes, /) -> object: ...


@dataclass(frozen=True)
class StreamInfo:
    """What went through a stream: SHA-256 of the plaintext (hex), its size, segment count.

    `sha256` is None when hashing was not asked for (the default when decrypting): the tags
    and the key commitment already bind every plaintext byte, and SHA-256 is the slow part.
    """

    sha256: str | None
    size: int
    segments: int


@dataclass(frozen=True)
class _Header:
    raw: bytes
    segment_size: int
    nonce_prefix: bytes
    key: AESGCM

    def nonce(self, index: int) -> bytes:
        return self.nonce_prefix + _INDEX.pack(index)

    def aad(self, index: int, last: bool) -> bytes:
        return self.raw + _SEGMENT.pack(index, last)


def encrypted_size(size: int, segment_size: int = DEFAULT_SEGMENT_SIZE) -> int:
    """The ciphertext length of a plaintext of `size` bytes (header, tags included)."""
    segments = max(1, -(-size // segment_size))
    return HEADER_SIZE + size + segments * TAG_SIZE


def _derive(data_key: bytes, fields: bytes, stream_id: bytes) -> tuple[bytes, bytes]:
    okm = HKDF(algorithm=hashes.SHA256(), length=64, salt=stream_id, info=_KDF_LABEL + fields)
    out = okm.derive(data_key)
    return out[:32], out[32:]


def _check_key(data_key: bytes) -> None:
    if len(data_key) != 32:
        raise ValueError(f"a data key is 32 bytes, got {len(data_key)}")


def _filler(reader: Reader) -> Callable[[bytearray], int]:
    """A function that fills a buffer from the reader, short only at end of stream."""
    readinto = getattr(reader, "readinto", None)

    def fill(buf: bytearray) -> int:
        view, got = memoryview(buf), 0
        while got < len(buf):
            if readinto is not None:
                n = readinto(view[got:])
            else:
                data = reader.read(len(buf) - got)
                n = len(data)
                view[got : got + n] = data
            if not n:
                break
            got += n
        return got

    return fill


def encrypt_stream(
    reader: Reader,
    writer: Writer,
    data_key: bytes,
    *,
    segment_size: int = DEFAULT_SEGMENT_SIZE,
    max_size: int | None = None,
    hash_plaintext: bool = True,
) -> StreamInfo:
    """Encrypt everything the reader yields into the writer; memory is two segments.

    The plaintext's SHA-256 (for the custody record) bounds the speed: SHA-256 runs at about
    40 % of AES-GCM's speed; `hash_plaintext=False` skips it when the caller has the digest.
    """
    _check_key(data_key)
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise ValueError(f"segment size must be {MIN_SEGMENT_SIZE}..{MAX_SEGMENT_SIZE} bytes")
    stream_id, nonce_prefix = os.urandom(16), os.urandom(8)
    fields = _FIELDS.pack(MAGIC, VERSION, segment_size, stream_id, nonce_prefix)
    key, commitment = _derive(data_key, fields, stream_id)
    committed = fields + commitment
    raw = committed + _CRC.pack(zlib.crc32(committed))
    header = _Header(raw, segment_size, nonce_prefix, AESGCM(key))
    writer.write(header.raw)

    # OpenSSL's SHA-256 through cryptography: faster than hashlib's here
    digest = hashes.Hash(hashes.SHA256()) if hash_plaintext else None
    fill = _filler(reader)
    cur, nxt = bytearray(segment_size), bytearray(segment_size)
    n, index, size = fill(cur), 0, 0
    while True:
        # One segment of look-ahead: the last segment is sealed as last, even when full.
        m = fill(nxt) if n == segment_size else 0
        last = m == 0
        chunk = memoryview(cur)[:n]
        size += n
        if max_size is not None and size > max_size:
            raise BlobTooLarge(f"the content is larger than the {max_size}-byte limit")
        if digest is not None:
            digest.update(chunk)
        writer.write(header.key.encrypt(header.nonce(index), chunk, header.aad(index, last)))
        index += 1
        if last:
            return StreamInfo(digest.finalize().hex() if digest else None, size, index)
        if index >= MAX_SEGMENTS:
            raise ValueError("too many segments for one stream; use a larger segment size")
        cur, nxt, n = nxt, cur, m


def _read_header(reader: Reader, data_key: bytes) -> _Header:
    buf = bytearray(HEADER_SIZE)
    got = _filler(reader)(buf)
    if got < 5 or bytes(buf[:4]) != MAGIC:
        raise CorruptContent("not a Crown Jewels vault stream (bad magic bytes)")
    if buf[4] != VERSION:
        raise CorruptContent(f"vault stream format version {buf[4]} is not supported (only 1)")
    if got < HEADER_SIZE:
        raise CorruptContent(f"the stream ends inside its header ({got} of {HEADER_SIZE} bytes)")
    raw = bytes(buf)
    if _CRC.unpack_from(raw, _COMMITTED)[0] != zlib.crc32(raw[:_COMMITTED]):
        raise CorruptContent("the stream header is damaged (its checksum does not match)")
    _, _, segment_size, stream_id, nonce_prefix = _FIELDS.unpack_from(raw)
    if not MIN_SEGMENT_SIZE <= segment_size <= MAX_SEGMENT_SIZE:
        raise CorruptContent(f"the header names an impossible segment size ({segment_size})")
    key, commitment = _derive(data_key, raw[: _FIELDS.size], stream_id)
    if not hmac.compare_digest(commitment, raw[_FIELDS.size : _COMMITTED]):
        raise WrongKey(
            "the data key does not match this stream's key commitment: it is not the key this "
            "content was encrypted with (or the header was forged)"
        )
    return _Header(raw, segment_size, nonce_prefix, AESGCM(key))


def decrypt_stream(
    reader: Reader, writer: Writer, data_key: bytes, *, hash_plaintext: bool = False
) -> StreamInfo:
    """Decrypt a vault stream; each segment is written only after it authenticates.

    Raises CorruptContent (or WrongKey) on any damage; segments before the damaged one have
    been written by then, so use `decrypt_to_file` when nothing may be exposed.
    """
    _check_key(data_key)
    header = _read_header(reader, data_key)
    fill = _filler(reader)
    ct_size = header.segment_size + TAG_SIZE
    cur, nxt = bytearray(ct_size), bytearray(ct_size)
    digest = hashes.Hash(hashes.SHA256()) if hash_plaintext else None
    n, index, size = fill(cur), 0, 0
    while True:
        if n < TAG_SIZE:
            where = "has no segments" if index == 0 and n == 0 else "ends inside a segment"
            raise CorruptContent(f"the stream {where}: its final segment is missing (truncated)")
        m = fill(nxt) if n == ct_size else 0
        last = m == 0
        chunk = memoryview(cur)[:n]
        try:
            plain = header.key.decrypt(header.nonce(index), chunk, header.aad(index, last))
        except InvalidTag:
            raise _damage(header, index, chunk, last) from None
        if digest is not None:
            digest.update(plain)
        size += len(plain)
        writer.write(plain)
        del plain  # before the next segment's plaintext exists: one plaintext segment at a time
        index += 1
        if last:
            return StreamInfo(digest.finalize().hex() if digest else None, size, index)
        cur, nxt, n = nxt, cur, m


def _damage(header: _Header, index: int, chunk: memoryview, last: bool) -> CorruptContent:
    """Name the damage: a stream cut at a segment boundary, or a segment that fails."""
    if last:
        with contextlib.suppress(InvalidTag):
            header.key.decrypt(header.nonce(index), chunk, header.aad(index, False))
            return CorruptContent(
                f"the stream is truncated: it ends after segment {index}, which was not its "
                "final segment"
            )
    return CorruptContent(
        f"segment {index} failed authentication: the stream is damaged, truncated, reordered "
        "or mixed with another stream"
    )


class _Discard:
    def write(self, data: bytes, /) -> int:
        return len(data)


def verify_stream(reader: Reader, data_key: bytes, *, hash_plaintext: bool = False) -> StreamInfo:
    """Authenticate a whole stream without keeping any plaintext."""
    return decrypt_stream(reader, _Discard(), data_key, hash_plaintext=hash_plaintext)


def decrypt_to_file(
    reader: Reader, path: Path, data_key: bytes, *, hash_plaintext: bool = False
) -> StreamInfo:
    """All or nothing: `path` appears (mode 0600) only if the whole stream authenticates."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            info = decrypt_stream(reader, out, data_key, hash_plaintext=hash_plaintext)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return info
