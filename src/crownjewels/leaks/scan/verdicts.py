"""A match's verdict in words, with its reason: pure functions of what was found ("38
consecutive lines of TS-0007 ingest.py, identifiers renamed; 41% of the document in 3
passages"), of a watermark's copy and of a canary's honey string."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

#: a share of the document at or above it, found verbatim, reads as the whole document
WHOLE = 0.98
#: the verbatim channel's share at or above it: the code was copied with its names
VERBATIM = 0.6


@dataclass(frozen=True)
class Found:
    """What the fingerprints say of one document in one file."""

    kind: str  # "text" or "code"
    similarity: float
    longest_units: int
    longest_lines: int
    passages: int
    renamed: bool
    verbatim: float


@dataclass(frozen=True)
class CopyNamed:
    """The copy a file's watermark names."""

    copy_id: str
    recipient: str
    organisation: str | None
    issued_at: datetime


def _lines(n: int) -> str:
    return f"{n} consecutive line{'' if n == 1 else 's'}"


def _how(found: Found) -> str:
    if found.kind != "code":
        return ""
    if found.renamed:
        return ", identifiers renamed"
    if found.verbatim >= VERBATIM:
        return ", verbatim"
    return ""


def _share(found: Found) -> str:
    many = f" in {found.passages} passages" if found.passages > 1 else ""
    return f"; {found.similarity:.0%} of the document{many}"


def fingerprints(found: Found, *, document: str) -> str:
    """What the passages show: "38 consecutive lines of TS-0007 ingest.py, identifiers
    renamed; 41% of the document in 3 passages" (`document` is "TS-0007 ingest.py")."""
    if found.similarity >= WHOLE and not found.renamed:
        return f"the whole of {document}" + (" (reformatted)" if found.kind == "code" else "")
    if found.kind == "code":
        head = f"{_lines(found.longest_lines)} of {document}"
    else:
        words = f"{found.longest_units} consecutive word{'' if found.longest_units == 1 else 's'}"
        lines = f" ({found.longest_lines} lines)" if found.longest_lines > 1 else ""
        head = f"{words}{lines} of {document}"
    return head + _how(found) + _share(found)


def watermark(copy: CopyNamed) -> str:
    """ "a watermarked copy: copy … issued to Laura Kim (Lotus Process Services) on 2026-11-02"."""
    org = f" ({copy.organisation})" if copy.organisation else ""
    return (
        f"a watermarked copy: copy {copy.copy_id} issued to {copy.recipient}{org} on "
        f"{copy.issued_at:%Y-%m-%d}"
    )


def original(*, document: str, version: int) -> str:
    """A file equal byte for byte to a version kept in the vault."""
    return f"the original of {document} v{version}: its SHA-256 equals the vault's"


def honey(*, token: str, secret: str | None) -> str:
    """A canary's planted honey string found in the file."""
    return f"the honey string of canary {token}" + (f" planted for {secret}" if secret else "")


def combine(*parts: str) -> str:
    """The verdict: its parts joined, the watermark's first (it names a person)."""
    return "; ".join(p for p in parts if p)
