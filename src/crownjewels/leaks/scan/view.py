"""A match side by side: each passage of the secret's document (read from the vault, a
decrypting read recorded as DOCUMENT_READ, for documents:read) beside the suspect's line
range, and the suspect's text only when the page that ran the scan still holds it (a scanned
file's text is never stored)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.permissions import Permission as P
from crownjewels.core.text import extract
from crownjewels.leaks.scan.schemas import MatchRead, MatchView, Passage, Side, SideBySide
from crownjewels.leaks.scan.service import get_match
from crownjewels.settings import Settings
from crownjewels.vault import reading as vault_reading
from crownjewels.vault import service as vault

#: lines shown around a passage on each side
CONTEXT = 2
#: the most lines a side shows of one passage (a whole copied file is cut with a note)
MAX_LINES = 120


def side(text: str | None, first: int, last: int) -> Side:
    """The lines first..last of a text (1-based), with CONTEXT lines around, marked."""
    if text is None:
        return Side(first_line=first, last_line=last)
    # lines as the fingerprints count them: at "\n" only (a form feed or U+2028 is in a line)
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    lo = max(1, first - CONTEXT)
    hi = min(len(lines), last + CONTEXT, lo + MAX_LINES - 1)
    shown = [(n, lines[n - 1], first <= n <= last) for n in range(lo, hi + 1)]
    return Side(first_line=first, last_line=last, lines=shown)


def _source_text(
    session: Session, actor: Actor, settings: Settings, match: MatchRead
) -> tuple[str | None, str | None]:
    """The secret document's text and, when it cannot be shown, why."""
    if match.token_ref:
        return None, f"a honey string of canary {match.token_ref}: its text is on the token's page"
    if not match.document_id or not match.passages:
        return None, None
    if not actor.can(P.DOCUMENTS_READ):
        return None, "the secret's passages are shown to readers of documents (documents:read)"
    try:
        meta, plain = vault_reading.open_version(
            session,
            actor=actor,
            vault=vault.open_vault(settings),
            document_id=match.document_id,
            version=match.version_number,
        )
        with plain:
            data = plain.read()
        return (
            extract(
                data,
                filename=meta.filename or match.document_name or "",
                media_type=meta.media_type,
            ),
            None,
        )
    except CrownJewelsError as exc:
        return None, f"the secret's text cannot be read: {exc.message}"


#: a secret document's text (or why it cannot be shown) by (document id, version)
Sources = dict[tuple[str | None, int | None], tuple[str | None, str | None]]


def view(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    ref: str,
    suspect_text: str | None = None,
    sources: Sources | None = None,
) -> MatchView:
    """The match with its passages side by side. `sources` is shared by the views of one page
    so that a document matched by many files is decrypted (and its read recorded) once."""
    match = get_match(session, actor=actor, ref=ref)
    key = (match.document_id, match.version_number)
    if sources is not None and key in sources and not match.token_ref:
        source, source_note = sources[key]
    else:
        source, source_note = _source_text(session, actor, settings, match)
        if sources is not None and not match.token_ref:
            sources[key] = (source, source_note)
    suspect_note = (
        None
        if suspect_text is not None
        else "the scanned file's text is not kept: its line numbers are shown"
    )
    return MatchView(
        match=match,
        passages=[_pair(p, source, suspect_text) for p in match.passages],
        source_note=source_note,
        suspect_note=suspect_note if match.passages else None,
    )


def _pair(p: Passage, source: str | None, suspect: str | None) -> SideBySide:
    return SideBySide(
        passage=p,
        source=side(source, *p.source_lines),
        suspect=side(suspect, *p.suspect_lines),
    )
