"""The review of a match: an analyst confirms it (a true finding), dismisses it with a reason
(a false positive, a licensed use, our own public release), or opens an investigation through
`leaks.escalation` (the incidents capability's receiver). Each is a custody event on the match
(subject `leak-match`) in the caller's transaction; leaks:review."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.leaks import escalation
from crownjewels.leaks.errors import AlreadyReviewed
from crownjewels.leaks.models import Match
from crownjewels.leaks.scan.schemas import Investigation, MatchRead
from crownjewels.leaks.scan.service import MATCH_SUBJECT, match_row, matches_read
from crownjewels.leaks.schemas import MatchStatus

#: the shortest reason a dismissal accepts
MIN_REASON = 3


def _undecided(session: Session, actor: Actor, ref: str, what: str) -> Match:
    row = match_row(session, ref)
    actor.require(P.LEAKS_REVIEW, what=what)
    if row.status != MatchStatus.NEW.value:
        raise AlreadyReviewed(
            f"{row.ref} was already {row.status} by {row.reviewed_by} on "
            f"{row.reviewed_at:%Y-%m-%d}; it is decided once"
        )
    return row


def _decide(
    session: Session, actor: Actor, row: Match, status: MatchStatus, note: str | None
) -> MatchRead:
    row.status = status.value
    row.reviewed_by = actor.ref
    row.reviewed_at = clock.now()
    row.review_note = note
    custody.record(
        session,
        actor=actor,
        event_type=EventType.LEAK_MATCH_REVIEWED,
        subject_type=MATCH_SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, "status": status.value, "note": note},
    )
    session.flush()
    return matches_read(session, [row])[0]


def confirm(session: Session, *, actor: Actor, ref: str, note: str | None = None) -> MatchRead:
    """Mark the match a true finding: the secret's content is out there."""
    row = _undecided(session, actor, ref, "confirming a match")
    return _decide(session, actor, row, MatchStatus.CONFIRMED, (note or "").strip() or None)


def dismiss(session: Session, *, actor: Actor, ref: str, reason: str) -> MatchRead:
    """Dismiss the match, and why (kept with it)."""
    row = _undecided(session, actor, ref, "dismissing a match")
    why = reason.strip()
    if len(why) < MIN_REASON:
        raise Invalid(
            "say why the match is dismissed (a false positive, a licensed use …)", field="reason"
        )
    return _decide(session, actor, row, MatchStatus.DISMISSED, why)


def investigate(session: Session, *, actor: Actor, ref: str, note: str = "") -> Investigation:
    """Hand the match to whatever opens investigations (the incidents capability); a new
    match is confirmed on the way, a dismissed one is refused."""
    row = match_row(session, ref)
    actor.require(P.LEAKS_REVIEW, what="opening an investigation")
    if row.status == MatchStatus.DISMISSED.value:
        raise AlreadyReviewed(
            f"{row.ref} was dismissed by {row.reviewed_by}; a dismissed match opens no "
            "investigation"
        )
    read = matches_read(session, [row])[0]
    finding = escalation.Finding(
        kind="leak-match",
        reference=row.ref,
        secret_ids=[row.secret_id] if row.secret_id else [],
        summary=f"{row.ref} in {read.file_path}: {row.verdict}",
        note=note.strip(),
        details={"scan": read.scan_ref, "sha256": read.file_sha256, "similarity": row.similarity},
    )
    case = escalation.hand_over(session, actor, finding)
    if case is None:
        raise Invalid(
            "no investigation can be opened: nothing that opens cases (the incidents "
            "capability) is installed; confirm the match and open a case by hand",
            field="note",
        )
    if row.status == MatchStatus.NEW.value:
        read = _decide(session, actor, row, MatchStatus.CONFIRMED, note.strip() or None)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.LEAK_MATCH_ESCALATED,
        subject_type=MATCH_SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, "case": case, "note": note.strip() or None},
    )
    return Investigation(match=read, case=case, message=f"{row.ref}: investigation {case} opened")
