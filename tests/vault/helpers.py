"""Shared helpers for the vault tests: in-memory streams and a generated reader."""

from __future__ import annotations

import io
import os

from crownjewels.vault import stream


def encrypt(data: bytes, key: bytes, segment_size: int) -> bytes:
    out = io.BytesIO()
    stream.encrypt_stream(io.BytesIO(data), out, key, segment_size=segment_size)
    return out.getvalue()


def split(blob: bytes, segment_size: int) -> tuple[bytes, list[bytes]]:
    """The header and the ciphertext segments of an encrypted stream."""
    size = segment_size + stream.TAG_SIZE
    body = blob[stream.HEADER_SIZE :]
    return blob[: stream.HEADER_SIZE], [body[i : i + size] for i in range(0, len(body), size)]


class Generated:
    """A reader of `size` pseudo-random bytes made on the fly (one 1 MiB block, varied)."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.block = bytearray(os.urandom(1 << 20))
        self.counter = 0

    def readinto(self, buf: bytearray | memoryview) -> int:
        n = min(len(buf), self.left, len(self.block))
        self.counter += 1
        self.block[:8] = self.counter.to_bytes(8, "big")
        buf[:n] = self.block[:n]
        self.left -= n
        return n

    def read(self, size: int = -1, /) -> bytes:
        buf = bytearray(min(self.left, len(self.block)) if size < 0 else size)
        return bytes(buf[: self.readinto(buf)])


class Sink:
    """A writer that keeps only the byte count."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self.size += len(data)
        return len(data)
