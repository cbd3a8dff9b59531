"""A scan's target read into files: `read_target(target, kind=, limits=)` yields one `Item` per
file, streamed one at a time (a large folder, repository or bucket is never held whole).

Targets, and how a kind is guessed when none is given (`kind_of`):

- `s3://bucket/prefix`: every object under the prefix (bucket.py), shown as `s3://bucket/key`;
- `http://` or `https://` ending in `.git`, `ssh://`, `git://`, `file://`, `user@host:path`, or a
  local folder holding a repository (`.git`, or a bare one): a git repository, every branch and
  its whole history, each distinct blob once at the first path and commit it appears in
  (gitrepo.py), shown as `path@branch:commit`;
- any other `http(s)://` URL: fetched within size, time and redirect limits (fetch.py);
- a local folder: every file below it, recursively, without following links and leaving out
  `.git`, `.hg` and `.svn`, shown by its path relative to the folder;
- a local file: itself; a ZIP or tar archive (`.tar`, `.tar.gz`, `.tar.bz2`, `.tar.xz`) is
  opened within the vault's archive limits (core/archives.py), its entries shown as
  `archive.zip!dir/entry`;
- `TargetKind.TEXT` (never guessed): the target is pasted text.

An archive found anywhere (in a folder, a repository, a bucket, at a URL, inside the archive
that is the target) is opened too, down to one archive inside another; a single gzip, bzip2 or
xz file is decompressed.

Skipped files are yielded, not dropped: an `Item` with `skipped` set (the reason, in plain
words) and no data, so that a scan counts and lists them. A file is skipped when it is larger
than the limit for one file, is a type with no text and no watermark to read (`READABLE` lists
what is read: text and code, PDF, DOCX, XLSX, PNG and JPEG images), is a link or a device, or
is an archive nested deeper than one level, or damaged. When the whole scan reaches its limit
of files or bytes, one last skipped item says so and the iteration ends.

A target that cannot be read at all raises `TargetRefused` (out of bounds, unreachable, not a
repository) or `Unreadable` (a single file that has no text, a damaged archive), each naming the
problem and the fix; errors are raised when the iteration reaches them, so callers must be
ready for them from the first `next()`.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from crownjewels.core import archives
from crownjewels.leaks.errors import TargetRefused, Unreadable
from crownjewels.leaks.scan import fetch, gitrepo
from crownjewels.leaks.scan.limits import Found, S3Access, ScanLimits, size_words, too_large
from crownjewels.leaks.schemas import TargetKind

__all__ = [
    "READABLE",
    "Item",
    "S3Access",
    "ScanLimits",
    "kind_of",
    "read_target",
    "sniff",
]

TEXT = "text/plain"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
PNG = "image/png"
JPEG = "image/jpeg"
ZIP = "application/zip"
TAR = "application/x-tar"
GZIP = "application/gzip"
BZIP2 = "application/x-bzip2"
XZ = "application/x-xz"
BINARY = "application/octet-stream"
#: the types a scan reads: their text is compared with the index, their watermarks identified
READABLE = frozenset({TEXT, PDF, DOCX, XLSX, PNG, JPEG})
ARCHIVES = frozenset({ZIP, TAR, GZIP, BZIP2, XZ})
#: an archive, and one archive inside it, are opened; deeper ones are skipped
MAX_ARCHIVE_DEPTH = 2
#: version-control folders left out of a folder scan (their history is a git scan's)
_VCS_DIRS = frozenset({".git", ".hg", ".svn"})
_HEAD = 8192
#: the control bytes that mark binary content (tab, line ends, form feed and escape are text's)
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b")
_OFFICE = (("word/document.xml", DOCX), ("xl/workbook.xml", XLSX), ("ppt/presentation.xml", PPTX))
_NAMES = {
    PPTX: "a PowerPoint presentation",
    BINARY: "a binary file",
}
_COMPRESSED_SUFFIX = {GZIP: (".gz", ".tgz"), BZIP2: (".bz2", ".tbz2"), XZ: (".xz", ".txz")}


@dataclass(frozen=True)
class Item:
    """One file to scan: `path` as people read it (relative path, `path@branch:commit`,
    `s3://bucket/key`, URL, `archive.zip!entry`), its bytes and its media type sniffed from
    them. A skipped file has `skipped` (why, in plain words) and empty `data`."""

    path: str
    data: bytes
    media_type: str
    skipped: str | None = None


def read_target(
    target: str, *, kind: TargetKind | None = None, limits: ScanLimits
) -> Iterator[Item]:
    """Every file of `target`, one at a time, skipped ones included (see the module's doc)."""
    kind = kind or kind_of(target)
    files = 0
    read = 0
    for item in _items(target, kind, limits):
        if item.skipped is None:
            files += 1
            read += len(item.data)
            if files > limits.max_files or read > limits.max_scan_bytes:
                yield _stopped(item.path, files - 1, read - len(item.data), limits)
                return
        yield item


def kind_of(target: str) -> TargetKind:
    """The kind of a target written as a person would: a URL, a bucket, a path."""
    if not target.strip():
        raise TargetRefused("nothing to scan: give a path, a URL, s3://bucket/prefix or text")
    lowered = target.lower()
    if lowered.startswith("s3://"):
        return TargetKind.S3
    if lowered.startswith(("http://", "https://")):
        address = lowered.split("?", 1)[0].split("#", 1)[0].rstrip("/")
        return TargetKind.GIT if address.endswith(".git") else TargetKind.URL
    if gitrepo.is_remote(target):
        return TargetKind.GIT
    path = Path(target).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError:
        raise TargetRefused(
            f"there is no file or folder at {target}; check the path (it is read on the server), "
            "or give a URL, a git repository or s3://bucket/prefix"
        ) from None
    if stat.S_ISDIR(mode):
        return TargetKind.GIT if gitrepo.is_repository(path) else TargetKind.FOLDER
    if stat.S_ISREG(mode):
        with path.open("rb") as file:
            head = file.read(_HEAD)
        return TargetKind.ARCHIVE if _sniff_head(head) in ARCHIVES else TargetKind.FILE
    raise TargetRefused(f"{target} is neither a file nor a folder; give a file or a folder")


def sniff(data: bytes) -> str:
    """The media type named by the bytes (never the name): an Office file is told from a plain
    ZIP by its main part; text/plain for text (UTF-8, UTF-16 with its mark, or 8-bit text
    without NUL bytes); application/octet-stream when nothing matches."""
    media_type = _sniff_head(data[:_HEAD])
    if media_type == ZIP:
        try:
            with archives.open_zip(data, archives.IN_MEMORY) as archive:
                names = set(archive.namelist())
        except (archives.BadArchive, archives.ArchiveRefused):
            return ZIP
        for part, office in _OFFICE:
            if part in names:
                return office
    return media_type


def _sniff_head(head: bytes) -> str:
    if not head:
        return TEXT
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return ZIP
    if len(head) >= 262 and head[257:262] == b"ustar":
        return TAR
    if head.startswith(b"\x1f\x8b"):
        return GZIP
    if head.startswith(b"BZh"):
        return BZIP2
    if head.startswith(b"\xfd7zXZ\x00"):
        return XZ
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if _is_text(head):
        return TEXT
    import filetype  # imported when used, as the vault's upload check does

    kind = filetype.guess(head)
    return str(kind.mime) if kind is not None else BINARY


def _is_text(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 (or 32) with its byte-order mark
    if b"\x00" in head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls <= len(head) // 100


def _items(target: str, kind: TargetKind, limits: ScanLimits) -> Iterator[Item]:
    if kind == TargetKind.TEXT:
        yield _text(target, limits)
    elif kind == TargetKind.FILE:
        yield from _file(Path(target).expanduser(), limits)
    elif kind == TargetKind.ARCHIVE:
        yield from _archive_file(Path(target).expanduser(), limits)
    elif kind == TargetKind.FOLDER:
        yield from _classified(_folder(Path(target).expanduser(), limits), limits)
    elif kind == TargetKind.GIT:
        yield from _classified(gitrepo.read_repository(target, limits), limits)
    elif kind == TargetKind.S3:
        from crownjewels.leaks.scan import bucket  # boto3 is loaded for a bucket scan only

        yield from _classified(bucket.read_bucket(target, limits), limits)
    elif kind == TargetKind.URL:
        yield from _url(target, limits)
    else:  # pragma: no cover - every kind is handled above
        raise TargetRefused(f"cannot scan a target of kind {kind}")


def _text(text: str, limits: ScanLimits) -> Item:
    if not text.strip():
        raise TargetRefused("the pasted text is empty; paste the text to scan")
    data = text.encode("utf-8")
    if len(data) > limits.max_file_bytes:
        raise TargetRefused(f"the pasted text is {too_large(len(data), limits)}; paste less")
    return Item(path="pasted text", data=data, media_type=TEXT)


def _file(path: Path, limits: ScanLimits) -> Iterator[Item]:
    """One file given as the target: refused, rather than skipped, when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise TargetRefused(
                f"{path.name} is {too_large(size, limits)}; scan a smaller file or raise the limit"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise TargetRefused(
            f"{path} cannot be read ({exc.strerror or exc}); check the path"
        ) from None
    yield from _single(path.name, data, limits)


def _single(name: str, data: bytes, limits: ScanLimits) -> Iterator[Item]:
    """A target that is one file (a file, a URL's answer): expanded when an archive, else read
    or refused with the reason it would be skipped for."""
    for item in _classify(Found(name, data), limits, depth=0, strict=True):
        if item.skipped is not None and item.path == name:
            raise Unreadable(f"{name} cannot be scanned: {item.skipped}")
        yield item


def _archive_file(path: Path, limits: ScanLimits) -> Iterator[Item]:
    try:
        file = path.open("rb")
    except OSError as exc:
        raise TargetRefused(
            f"{path} cannot be read ({exc.strerror or exc}); check the path"
        ) from None
    with file:
        media_type = _sniff_head(file.read(_HEAD))
        file.seek(0)
        if media_type not in ARCHIVES:
            raise Unreadable(f"{path.name} is not a ZIP or tar archive; scan it as a file instead")
        entries = _guarded(path.name, media_type, _expand(path.name, file, media_type, limits, 1))
        yield from _classified(entries, limits, depth=1)


def _url(url: str, limits: ScanLimits) -> Iterator[Item]:
    answer = fetch.fetch(
        url,
        max_bytes=limits.fetch_max_bytes,
        timeout=limits.fetch_timeout,
        max_redirects=limits.fetch_max_redirects,
        private_addresses=limits.fetch_private_addresses,
    )
    if answer.status != 200:
        raise TargetRefused(
            f"the URL {url} answered {answer.status}; give a URL that serves a file"
        )
    yield from _single(fetch.display(url), answer.data, limits)


def _folder(root: Path, limits: ScanLimits) -> Iterator[Found]:
    if not root.is_dir():
        raise TargetRefused(f"{root} is not a folder; give a folder, or scan it as a file")
    unreadable: list[OSError] = []
    for here, dirs, names in os.walk(root, onerror=unreadable.append, followlinks=False):
        while unreadable:
            yield _unlisted(unreadable.pop(0), root)
        dirs[:] = sorted(d for d in dirs if d not in _VCS_DIRS)
        base = Path(here)
        for name in sorted(names):
            path = base / name
            yield _read_local(path, path.relative_to(root).as_posix(), limits)
        for name in dirs:
            if (base / name).is_symlink():
                shown = (base / name).relative_to(root).as_posix()
                yield Found(shown, None, "a link to a folder, not followed")
    while unreadable:
        yield _unlisted(unreadable.pop(0), root)


def _unlisted(error: OSError, root: Path) -> Found:
    where = Path(str(error.filename)) if error.filename else root
    shown = where.relative_to(root).as_posix() if where.is_relative_to(root) else str(where)
    return Found(shown or ".", None, f"a folder that could not be listed ({error.strerror})")


def _read_local(path: Path, shown: str, limits: ScanLimits) -> Found:
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return Found(shown, None, "a symbolic link, not followed")
        if not stat.S_ISREG(info.st_mode):
            return Found(shown, None, "not a regular file (a device, socket or pipe)")
        if info.st_size > limits.max_file_bytes:
            return Found(shown, None, too_large(info.st_size, limits))
        with path.open("rb") as file:
            head = file.read(_HEAD)
            kind = _sniff_head(head)
            if kind not in READABLE and kind not in ARCHIVES:
                return Found(shown, None, _unreadable(kind))  # the rest is never read
            data = head + file.read(limits.max_file_bytes + 1 - len(head))
    except OSError as exc:
        return Found(shown, None, f"could not be read ({exc.strerror or exc})")
    if len(data) > limits.max_file_bytes:
        return Found(shown, None, too_large(len(data), limits))
    return Found(shown, data)


def _classified(found: Iterator[Found], limits: ScanLimits, depth: int = 0) -> Iterator[Item]:
    for each in found:
        yield from _classify(each, limits, depth=depth, strict=False)


def _classify(found: Found, limits: ScanLimits, *, depth: int, strict: bool) -> Iterator[Item]:
    """A found file as items: skipped, read, or (an archive) its entries. `strict`: a damaged
    or refused archive raises instead of being skipped (it is the target itself)."""
    if found.data is None:
        yield Item(found.path, b"", "", skipped=found.skipped or "not read")
        return
    media_type = sniff(found.data)
    if media_type in ARCHIVES:
        if depth >= MAX_ARCHIVE_DEPTH:
            yield Item(
                found.path,
                b"",
                media_type,
                skipped="an archive inside an archive inside an archive: only one archive "
                "within another is opened; extract it and scan the folder",
            )
            return
        entries = _expand(found.path, io.BytesIO(found.data), media_type, limits, depth + 1)
        for entry in _guarded(found.path, media_type, entries, strict=strict):
            yield from _classify(entry, limits, depth=depth + 1, strict=False)
        return
    if media_type not in READABLE:
        yield Item(found.path, b"", media_type, skipped=_unreadable(media_type))
        return
    yield Item(found.path, found.data, media_type)


def _unreadable(media_type: str) -> str:
    what = _NAMES.get(media_type) or f"a {media_type} file"
    return f"{what}: no text or watermark to compare"


def _guarded(
    name: str, media_type: str, entries: Iterator[Found], *, strict: bool = True
) -> Iterator[Found]:
    """An archive's entries as they are read; when the archive turns out damaged or out of
    bounds: raised if it is the target (`strict`) and nothing was read yet, else reported as a
    skipped item (the archive, or the rest of it)."""
    read = False
    try:
        for entry in entries:
            read = True
            yield entry
    except (TargetRefused, Unreadable) as exc:
        if strict and not read:
            raise
        shown = f"{name}!…" if read else name
        what = "the rest of the archive: " if read else ""
        yield Found(shown, None, what + exc.message)


def _expand(
    name: str, source: IO[bytes], media_type: str, limits: ScanLimits, depth: int
) -> Iterator[Found]:
    """The entries of an archive (a ZIP, a tar, or a single compressed file) held in `source`.
    The archive that is the target is judged by the vault's upload limits; one inside another,
    held in memory, by the tighter in-memory limits."""
    bounds = limits.archive if depth <= 1 else limits.nested_archive
    if media_type == ZIP:
        return _zip_entries(name, source, bounds, limits)
    return _tar_entries(name, source, media_type, bounds, limits)


def _zip_entries(
    name: str, source: IO[bytes], bounds: archives.ArchiveLimits, limits: ScanLimits
) -> Iterator[Found]:
    try:
        archive = archives.open_zip(source, bounds)
    except archives.BadArchive:
        raise Unreadable(
            f"{name} is not a valid ZIP archive: its index is missing or damaged; save it again"
        ) from None
    except archives.ArchiveRefused as exc:
        raise TargetRefused(f"{name}: {exc.message}") from None
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            shown = f"{name}!{info.filename}"
            if info.flag_bits & 0x1:
                yield Found(shown, None, "encrypted; extract it with its password and scan it")
            elif info.file_size > limits.max_file_bytes:
                yield Found(shown, None, too_large(info.file_size, limits))
            else:
                try:
                    data = archive.read(info)
                except (
                    zipfile.BadZipFile,
                    zlib.error,
                    OSError,
                    EOFError,
                    NotImplementedError,
                ) as exc:
                    yield Found(shown, None, f"damaged in the archive ({_short(exc)})")
                else:
                    yield Found(shown, data)


def _tar_entries(
    name: str,
    source: IO[bytes],
    media_type: str,
    bounds: archives.ArchiveLimits,
    limits: ScanLimits,
) -> Iterator[Found]:
    compressed = _size(source)
    if media_type != TAR and not _holds_tar(source, media_type):
        yield _decompressed(name, source, media_type, limits)
        return
    read = False
    total = 0
    count = 0
    try:
        with tarfile.open(fileobj=source, mode="r|*") as archive:
            for member in archive:
                count += 1
                if count > bounds.max_entries:
                    raise TargetRefused(
                        f"{name} holds more than {bounds.max_entries:,} entries, more than "
                        "are accepted; extract it and scan the folder"
                    )
                if member.isdir():
                    continue
                shown = f"{name}!{member.name}"
                if member.issym() or member.islnk():
                    yield Found(shown, None, "a link in the archive, not followed")
                    continue
                if not member.isfile():
                    yield Found(shown, None, "not a regular file (a device or pipe)")
                    continue
                total += member.size
                if total > bounds.max_total or (
                    total > bounds.ratio_floor and total / max(1, compressed) > bounds.max_ratio
                ):
                    raise TargetRefused(
                        f"{name} would expand to more than {size_words(total)}, more than is "
                        "accepted (an archive bomb?); extract what you need and scan that"
                    )
                read = True
                if member.size > limits.max_file_bytes:
                    yield Found(shown, None, too_large(member.size, limits))
                    continue
                file = archive.extractfile(member)
                yield Found(shown, file.read() if file is not None else b"")
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError) as exc:
        damaged = "damaged" if read else "not a readable tar archive"
        raise Unreadable(f"{name} is {damaged} ({_short(exc)}); save it again") from None


def _opener(source: IO[bytes], media_type: str) -> gzip.GzipFile | bz2.BZ2File | lzma.LZMAFile:
    if media_type == GZIP:
        return gzip.GzipFile(fileobj=source, mode="rb")
    if media_type == BZIP2:
        return bz2.BZ2File(source, mode="rb")
    return lzma.LZMAFile(source, mode="rb")


def _holds_tar(source: IO[bytes], media_type: str) -> bool:
    here = source.tell()
    try:
        head = _opener(source, media_type).read(512)
    except (EOFError, OSError, zlib.error, lzma.LZMAError):
        return False
    finally:
        source.seek(here)
    return len(head) >= 262 and head[257:262] == b"ustar"


def _decompressed(name: str, source: IO[bytes], media_type: str, limits: ScanLimits) -> Found:
    inner = name
    for suffix in _COMPRESSED_SUFFIX.get(media_type, ()):
        if name.lower().endswith(suffix):
            inner = name[: -len(suffix)]
            break
    shown = f"{name}!{Path(inner).name if inner != name else 'content'}"
    try:
        data = _opener(source, media_type).read(limits.max_file_bytes + 1)
    except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
        return Found(shown, None, f"damaged compressed file ({_short(exc)})")
    if len(data) > limits.max_file_bytes:
        return Found(
            shown,
            None,
            f"decompresses to more than the {size_words(limits.max_file_bytes)} limit for one "
            "file (CROWNJEWELS_LEAKS_MAX_FILE_BYTES)",
        )
    return Found(shown, data)


def _size(source: IO[bytes]) -> int:
    here = source.tell()
    size = source.seek(0, io.SEEK_END)
    source.seek(here)
    return size


def _stopped(path: str, files: int, read: int, limits: ScanLimits) -> Item:
    if files >= limits.max_files:
        limit = f"its limit of {limits.max_files:,} files (CROWNJEWELS_LEAKS_MAX_FILES)"
    else:
        limit = (
            f"its limit of {size_words(limits.max_scan_bytes)} read "
            "(CROWNJEWELS_LEAKS_MAX_SCAN_BYTES)"
        )
    return Item(
        path,
        b"",
        "",
        skipped=f"not read, nor anything after it: the scan reached {limit} after "
        f"{files:,} files and {size_words(read)}; scan a narrower target or raise the limit",
    )


def _short(exc: BaseException) -> str:
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]
