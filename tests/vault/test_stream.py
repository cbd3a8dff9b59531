"""Streaming segmented AEAD: round trips, every kind of damage, constant memory."""

from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crownjewels.vault import keys, stream
from crownjewels.vault.errors import BlobTooLarge, CorruptContent, VaultError, WrongKey

from .helpers import Generated, Sink, encrypt, split

SEG = 64
KEY = keys.new_data_key()
PLAIN = os.urandom(4 * SEG + 10)  # five segments, the last one short


def decrypt_all_or_nothing(blob: bytes, tmp_path: Path, key: bytes = KEY) -> bytes:
    target = tmp_path / "out.bin"
    stream.decrypt_to_file(io.BytesIO(blob), target, key)
    return target.read_bytes()


def assert_refused(
    blob: bytes, tmp_path: Path, match: str, error: type[VaultError] = CorruptContent
) -> bytes:
    """Decryption raises `error`; the all-or-nothing path leaves no file; returns what the
    streaming path wrote (whole authenticated segments only)."""
    with pytest.raises(error, match=match):
        decrypt_all_or_nothing(blob, tmp_path)
    assert list(tmp_path.iterdir()) == [], "no plaintext file, no temp file left behind"
    written = io.BytesIO()
    with pytest.raises(error, match=match):
        stream.decrypt_stream(io.BytesIO(blob), written, KEY)
    return written.getvalue()


@pytest.mark.parametrize(
    "size",
    [
        0,
        1,
        stream.DEFAULT_SEGMENT_SIZE - 1,
        stream.DEFAULT_SEGMENT_SIZE,
        stream.DEFAULT_SEGMENT_SIZE + 1,
        3 * stream.DEFAULT_SEGMENT_SIZE + 12345,
    ],
)
def test_round_trip_at_the_segment_edges(size: int, tmp_path: Path) -> None:
    data = os.urandom(size)
    out = io.BytesIO()
    info = stream.encrypt_stream(io.BytesIO(data), out, KEY)
    blob = out.getvalue()
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.size == size
    assert info.segments == max(1, -(-size // stream.DEFAULT_SEGMENT_SIZE))
    assert len(blob) == stream.encrypted_size(size)
    assert blob[:4] == b"CJVS" and blob[4] == 1
    back = io.BytesIO()
    again = stream.decrypt_stream(io.BytesIO(blob), back, KEY, hash_plaintext=True)
    assert back.getvalue() == data
    assert again == info
    assert decrypt_all_or_nothing(blob, tmp_path) == data
    assert (tmp_path / "out.bin").stat().st_mode & 0o777 == 0o600


def test_same_plaintext_and_key_give_unrelated_ciphertexts() -> None:
    a, b = encrypt(PLAIN, KEY, SEG), encrypt(PLAIN, KEY, SEG)
    assert a[5:9] == b[5:9]  # segment size
    assert a[9:25] != b[9:25]  # stream id
    assert split(a, SEG)[1][0] != split(b, SEG)[1][0]


class Trickle:
    """A reader with read() only, returning a few bytes at a time (like a slow socket)."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def read(self, size: int = -1, /) -> bytes:
        n = min(size, 7)
        chunk = self.data[self.pos : self.pos + n]
        self.pos += len(chunk)
        return chunk


def test_short_reads_and_read_only_readers() -> None:
    data = os.urandom(5 * SEG + 3)
    out = io.BytesIO()
    stream.encrypt_stream(Trickle(data), out, KEY, segment_size=SEG)
    back = io.BytesIO()
    stream.decrypt_stream(Trickle(out.getvalue()), back, KEY)
    assert back.getvalue() == data


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=3000), segment_size=st.integers(stream.MIN_SEGMENT_SIZE, 700))
def test_round_trip_any_size_any_segment_size(data: bytes, segment_size: int) -> None:
    blob = encrypt(data, KEY, segment_size)
    assert len(blob) == stream.encrypted_size(len(data), segment_size)
    back = io.BytesIO()
    info = stream.decrypt_stream(io.BytesIO(blob), back, KEY, hash_plaintext=True)
    assert back.getvalue() == data
    assert info.sha256 == hashlib.sha256(data).hexdigest()


@settings(max_examples=100, deadline=None)
@given(data=st.binary(min_size=1, max_size=600), where=st.integers(0), bit=st.integers(0, 7))
def test_any_flipped_bit_is_detected(data: bytes, where: int, bit: int) -> None:
    blob = bytearray(encrypt(data, KEY, SEG))
    blob[where % len(blob)] ^= 1 << bit
    with pytest.raises(VaultError):
        stream.decrypt_stream(io.BytesIO(bytes(blob)), io.BytesIO(), KEY)


@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize("offset", [0, 5, -1])  # first byte, a middle one, last byte of the tag
def test_flipped_byte_in_each_segment(index: int, offset: int, tmp_path: Path) -> None:
    header, segments = split(encrypt(PLAIN, KEY, SEG), SEG)
    bad = bytearray(segments[index])
    bad[offset] ^= 0x80
    segments[index] = bytes(bad)
    written = assert_refused(header + b"".join(segments), tmp_path, f"segment {index} failed")
    assert written == PLAIN[: index * SEG], "only the segments before the damage, all intact"


@pytest.mark.parametrize("kept", range(4))
def test_truncated_at_a_segment_boundary(kept: int, tmp_path: Path) -> None:
    header, segments = split(encrypt(PLAIN, KEY, SEG), SEG)
    blob = header + b"".join(segments[: kept + 1])
    written = assert_refused(blob, tmp_path, f"truncated: it ends after segment {kept}")
    assert written == PLAIN[: kept * SEG]


def test_header_only_stream_is_truncated(tmp_path: Path) -> None:
    header, _ = split(encrypt(PLAIN, KEY, SEG), SEG)
    assert assert_refused(header, tmp_path, "has no segments") == b""


@pytest.mark.parametrize("cut", [1, 15, 16, 40, SEG + 15])
def test_truncated_mid_segment(cut: int, tmp_path: Path) -> None:
    blob = encrypt(PLAIN, KEY, SEG)
    start = stream.HEADER_SIZE + 2 * (SEG + stream.TAG_SIZE)
    assert_refused(blob[: start + cut], tmp_path, "segment 2 failed|ends inside a segment")


def test_truncated_inside_the_last_tag(tmp_path: Path) -> None:
    blob = encrypt(PLAIN, KEY, SEG)
    assert_refused(blob[:-1], tmp_path, "segment 4 failed")


def test_dropped_last_segment(tmp_path: Path) -> None:
    header, segments = split(encrypt(PLAIN, KEY, SEG), SEG)
    written = assert_refused(header + b"".join(segments[:-1]), tmp_path, "truncated")
    assert written == PLAIN[: 3 * SEG]


def test_dropped_full_last_segment_of_an_exact_multiple(tmp_path: Path) -> None:
    data = os.urandom(3 * SEG)
    header, segments = split(encrypt(data, KEY, SEG), SEG)
    assert len(segments) == 3
    assert_refused(header + b"".join(segments[:2]), tmp_path, "truncated")


def test_reordered_segments(tmp_path: Path) -> None:
    header, segments = split(encrypt(PLAIN, KEY, SEG), SEG)
    segments[1], segments[2] = segments[2], segments[1]
    written = assert_refused(header + b"".join(segments), tmp_path, "segment 1 failed")
    assert written == PLAIN[:SEG]


def test_appended_data(tmp_path: Path) -> None:
    blob = encrypt(PLAIN, KEY, SEG)
    assert_refused(blob + b"\x00" * 20, tmp_path, "segment 4 failed")


@pytest.mark.parametrize("index", [0, 2, 4])
def test_segment_spliced_from_another_stream_with_the_same_key(index: int, tmp_path: Path) -> None:
    header, segments = split(encrypt(PLAIN, KEY, SEG), SEG)
    _, others = split(encrypt(PLAIN, KEY, SEG), SEG)  # same key, same plaintext
    segments[index] = others[index]
    assert_refused(header + b"".join(segments), tmp_path, f"segment {index} failed")


def test_header_of_another_stream(tmp_path: Path) -> None:
    _, segments = split(encrypt(PLAIN, KEY, SEG), SEG)
    other_header, _ = split(encrypt(PLAIN, KEY, SEG), SEG)
    assert_refused(other_header + b"".join(segments), tmp_path, "segment 0 failed")


def test_wrong_data_key(tmp_path: Path) -> None:
    blob = encrypt(PLAIN, KEY, SEG)
    target = tmp_path / "out.bin"
    with pytest.raises(WrongKey, match="not the key this content was encrypted with"):
        stream.decrypt_to_file(io.BytesIO(blob), target, keys.new_data_key())
    assert list(tmp_path.iterdir()) == []
    written = io.BytesIO()
    with pytest.raises(WrongKey):
        stream.decrypt_stream(io.BytesIO(blob), written, keys.new_data_key())
    assert written.getvalue() == b""


def test_wrong_kek_never_reaches_the_content(tmp_path: Path) -> None:
    ctx = {"purpose": "document-version", "document": "01JDOC", "version": "1"}
    kek, other = (keys.LocalKeyProvider(os.urandom(32), source="test") for _ in range(2))
    data_key = keys.new_data_key()
    wrapped = kek.wrap(data_key, ctx)
    blob = encrypt(PLAIN, data_key, SEG)
    with pytest.raises(WrongKey, match="wrapped by KEK"):
        other.unwrap(wrapped, ctx)
    assert decrypt_all_or_nothing(blob, tmp_path, kek.unwrap(wrapped, ctx)) == PLAIN


@pytest.mark.parametrize("position", range(stream.HEADER_SIZE))
def test_corrupted_header_byte(position: int, tmp_path: Path) -> None:
    blob = bytearray(encrypt(PLAIN, KEY, SEG))
    blob[position] ^= 0x01
    match = "magic|version|header is damaged"
    assert assert_refused(bytes(blob), tmp_path, match) == b""


def test_forged_header_with_fixed_checksum_meets_the_commitment(tmp_path: Path) -> None:
    import struct
    import zlib

    blob = bytearray(encrypt(PLAIN, KEY, SEG))
    blob[5:9] = (SEG * 2).to_bytes(4, "big")  # claim larger segments
    blob[65:69] = struct.pack(">I", zlib.crc32(bytes(blob[:65])))
    assert_refused(bytes(blob), tmp_path, "forged", WrongKey)


@pytest.mark.parametrize(
    ("blob", "match"),
    [
        (b"", "bad magic"),
        (b"PK\x03\x04 a zip file", "bad magic"),
        (b"CJVS\x02" + bytes(64), "version 2 is not supported"),
        (b"CJVS\x01" + bytes(10), "ends inside its header"),
    ],
)
def test_not_a_vault_stream(blob: bytes, match: str, tmp_path: Path) -> None:
    assert_refused(blob, tmp_path, match)


def test_impossible_segment_size_in_header_is_refused_before_allocating(tmp_path: Path) -> None:
    import struct
    import zlib

    blob = bytearray(encrypt(PLAIN, KEY, SEG))
    blob[5:9] = (1 << 31).to_bytes(4, "big")
    blob[65:69] = struct.pack(">I", zlib.crc32(bytes(blob[:65])))
    assert_refused(bytes(blob), tmp_path, "impossible segment size")


def test_max_size_is_enforced_while_streaming() -> None:
    with pytest.raises(BlobTooLarge, match="100-byte limit"):
        stream.encrypt_stream(io.BytesIO(bytes(101)), io.BytesIO(), KEY, max_size=100)
    info = stream.encrypt_stream(io.BytesIO(bytes(100)), io.BytesIO(), KEY, max_size=100)
    assert info.size == 100


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        stream.encrypt_stream(io.BytesIO(b""), io.BytesIO(), b"short")
    with pytest.raises(ValueError, match="segment size"):
        stream.encrypt_stream(io.BytesIO(b""), io.BytesIO(), KEY, segment_size=8)


def _peaks(size: int, path: Path) -> tuple[int, int]:
    """tracemalloc peaks of encrypting `size` generated bytes to a file, then decrypting it."""
    reader, sink = Generated(size), Sink()
    tracemalloc.start()
    try:
        with path.open("wb") as out:
            info = stream.encrypt_stream(reader, out, KEY)
        _, enc_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        with path.open("rb") as src:
            back = stream.decrypt_stream(src, sink, KEY)
        _, dec_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.size == back.size == sink.size == size
    assert path.stat().st_size == stream.encrypted_size(size)
    return enc_peak, dec_peak


@pytest.mark.slow
def test_200_mb_in_constant_memory(tmp_path: Path) -> None:
    small = _peaks(8 << 20, tmp_path / "small.cjvs")
    big = _peaks(200 * 1000 * 1000, tmp_path / "big.cjvs")
    seg = stream.DEFAULT_SEGMENT_SIZE
    for s_peak, b_peak in zip(small, big, strict=True):
        # two segment buffers plus one output segment, whatever the stream's size
        assert b_peak < 3.5 * seg, big
        assert b_peak <= s_peak + 64 * 1024, (small, big)


def test_encrypting_without_the_digest_gives_the_same_format() -> None:
    out = io.BytesIO()
    info = stream.encrypt_stream(
        io.BytesIO(PLAIN), out, KEY, segment_size=SEG, hash_plaintext=False
    )
    assert info == stream.StreamInfo(None, len(PLAIN), 5)
    back = io.BytesIO()
    assert stream.decrypt_stream(io.BytesIO(out.getvalue()), back, KEY).sha256 is None
    assert back.getvalue() == PLAIN
