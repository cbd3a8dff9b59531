"""Every archive from outside meets the same limits (core/archives.py), judged from the central
directory before anything is decompressed."""

from __future__ import annotations

import io
import zipfile

import pytest

from crownjewels.core import archives
from crownjewels.core.archives import ArchiveLimits, ArchiveRefused, BadArchive
from tests.core.archive_samples import (
    docx_bomb,
    overclaiming_zip,
    overlapping_zip,
    small_docx,
)


def _many(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for i in range(count):
            archive.writestr(f"{i}.txt", b"x")
    return out.getvalue()


def test_a_small_docx_opens() -> None:
    with archives.open_zip(small_docx(), archives.IN_MEMORY) as archive:
        assert "word/document.xml" in archive.namelist()


@pytest.mark.parametrize(
    ("data", "limits", "says"),
    [
        (docx_bomb(), archives.IN_MEMORY, "refused as a zip bomb"),
        (docx_bomb(), archives.UPLOAD, "refused as a zip bomb"),
        (_many(11), ArchiveLimits(max_entries=10), "11 entries; at most 10"),
        (small_docx(), ArchiveLimits(max_entry=100), "more than the 100 accepted for one entry"),
        (small_docx(), ArchiveLimits(max_total=200), "more than the 200 accepted"),
        (overlapping_zip(), archives.UPLOAD, "overlap: refused as a zip bomb"),
        (overclaiming_zip(), archives.UPLOAD, "claims more bytes than the file holds"),
    ],
)
def test_archives_past_the_limits_are_refused(
    data: bytes, limits: ArchiveLimits, says: str
) -> None:
    with pytest.raises(ArchiveRefused, match=says) as refused:
        archives.open_zip(data, limits)
    assert refused.value.status_code == 422


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really", b"plain text"])
def test_what_is_not_a_zip_is_a_bad_archive(data: bytes) -> None:
    with pytest.raises(BadArchive, match="not a valid ZIP archive"):
        archives.check_bytes(data, archives.UPLOAD)
