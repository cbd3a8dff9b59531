"""Crafted archives: a DOCX zip bomb (valid XML, 64 MiB of text from ~70 KB), an archive whose
entries overlap (one compressed kernel named many times), and one whose entry claims more bytes
than the file holds."""

from __future__ import annotations

import functools
import io
import struct
import zipfile

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


@functools.cache
def docx_bomb(size: int = 64 << 20) -> bytes:
    """A DOCX whose body is one paragraph of `size` letters: well-formed, and ~1,000 times
    smaller than what it expands to."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as entry:
            entry.write(f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>'.encode())
            block = b"A" * (1 << 20)
            for _ in range(size >> 20):
                entry.write(block)
            entry.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def _central_records(data: bytes) -> list[int]:
    found, at = [], data.find(b"PK\x01\x02")
    while at >= 0:
        found.append(at)
        at = data.find(b"PK\x01\x02", at + 4)
    return found


def overlapping_zip() -> bytes:
    """Two entries whose central records point at the same local header (the kernel reuse of
    overlapping zip bombs); each alone is small and well-formed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"a" * 100)
        archive.writestr("b.txt", b"b" * 100)
    data = bytearray(out.getvalue())
    second = _central_records(bytes(data))[1]
    data[second + 42 : second + 46] = struct.pack("<I", 0)  # b.txt's local header: a.txt's
    return bytes(data)


def overclaiming_zip() -> bytes:
    """One entry whose central record claims a compressed size larger than the whole file."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", b"a" * 100)
    data = bytearray(out.getvalue())
    record = _central_records(bytes(data))[0]
    data[record + 20 : record + 24] = struct.pack("<I", 50_000)
    return bytes(data)


def small_docx() -> bytes:
    """A well-formed one-paragraph DOCX."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "word/document.xml",
            f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return out.getvalue()
