"""Opening a ZIP archive that came from outside (a vault upload, a DOCX to analyse, to mark or
to identify): every one goes through `open_zip`, which judges the central directory before a
byte is decompressed and refuses a zip bomb with a plain message.

The checks: how many entries; what each entry and all of them together would expand to; the
expansion ratio of the whole (past a floor, since small XML compresses well); entries that
claim more bytes than the file holds, or that overlap one another (the trick of bombs that
reuse one compressed kernel for many entries, and of forged ZIP64 sizes). Python's `zipfile`
stops each entry at its declared size, so bounding the declared sizes bounds the real ones.
Nested archives are never opened here: an entry that is itself a ZIP stays bytes.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from dataclasses import dataclass
from typing import IO

from crownjewels.core.errors import Invalid

#: the smallest local file header: an entry's data starts at least this far after its offset
_LOCAL_HEADER = 30


class BadArchive(Invalid):
    """Not a readable ZIP archive at all. The message is in plain words; `reason` is zipfile's
    own text, for the log only (it is never shown to a person)."""

    title = "Unreadable archive"

    def __init__(self, reason: str) -> None:
        super().__init__(
            "not a valid ZIP archive: its index is missing or damaged; save the file again and "
            "upload the new copy"
        )
        self.reason = reason


class ArchiveRefused(Invalid):
    """A ZIP archive past the limits: refused as a (likely) zip bomb."""

    title = "Archive refused"


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds on what an archive may expand to; past them it is refused."""

    max_entries: int = 10_000
    #: uncompressed bytes of one entry
    max_entry: int = 2 << 30
    #: uncompressed bytes of every entry together
    max_total: int = 2 << 30
    #: uncompressed / compressed; only judged past `ratio_floor` bytes
    max_ratio: int = 100
    ratio_floor: int = 16 << 20


#: an upload into the vault: checked from a temporary file, entry by entry, never held whole
UPLOAD = ArchiveLimits()
#: an archive parsed in memory (python-docx loads every part of a DOCX): far tighter
IN_MEMORY = ArchiveLimits(max_entries=5_000, max_entry=256 << 20, max_total=1 << 30)


def _size(source: IO[bytes]) -> int:
    here = source.tell()
    size = source.seek(0, io.SEEK_END)
    source.seek(here)
    return size


def check(archive: zipfile.ZipFile, size: int, limits: ArchiveLimits) -> None:
    """Refuse (ArchiveRefused) an open archive of `size` bytes that is past `limits`."""
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise ArchiveRefused(
            f"the ZIP archive holds {len(infos):,} entries; at most {limits.max_entries:,} "
            "are accepted"
        )
    for info in infos:
        if info.file_size > limits.max_entry:
            raise ArchiveRefused(
                f"the ZIP archive's entry {info.filename!r} would expand to "
                f"{info.file_size:,} bytes, more than the {limits.max_entry:,} accepted for "
                "one entry (a zip bomb?)"
            )
        if info.header_offset + _LOCAL_HEADER + info.compress_size > size:
            raise ArchiveRefused(
                f"the ZIP archive's entry {info.filename!r} claims more bytes than the file "
                "holds: it is damaged or forged"
            )
    by_offset = sorted(infos, key=lambda i: i.header_offset)
    for before, after in itertools.pairwise(by_offset):
        if after.header_offset < before.header_offset + _LOCAL_HEADER + before.compress_size:
            raise ArchiveRefused(
                f"the ZIP archive's entries {before.filename!r} and {after.filename!r} overlap: "
                "refused as a zip bomb"
            )
    total = sum(i.file_size for i in infos)
    if total > limits.max_total:
        raise ArchiveRefused(
            f"the ZIP archive would expand to {total:,} bytes, more than the "
            f"{limits.max_total:,} accepted (a zip bomb?)"
        )
    compressed = max(1, size)
    if total > limits.ratio_floor and total / compressed > limits.max_ratio:
        raise ArchiveRefused(
            f"the ZIP archive would expand {total / compressed:,.0f} times ({compressed:,} to "
            f"{total:,} bytes), more than the {limits.max_ratio} accepted: refused as a zip bomb"
        )


def open_zip(source: bytes | IO[bytes], limits: ArchiveLimits) -> zipfile.ZipFile:
    """The archive, opened and checked against `limits` (ArchiveRefused), or BadArchive when
    it is not a readable ZIP. The caller closes it."""
    stream = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    try:
        archive = zipfile.ZipFile(stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise BadArchive(_short(exc)) from None
    try:
        check(archive, _size(stream), limits)
    except ArchiveRefused:
        archive.close()
        raise
    return archive


def check_bytes(data: bytes, limits: ArchiveLimits) -> None:
    """Refuse `data` (ArchiveRefused, BadArchive) before another library opens it as a ZIP."""
    open_zip(data, limits).close()


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
