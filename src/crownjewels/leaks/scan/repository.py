"""Queries of scans, matches and watches (leaks:read sees every one)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crownjewels.leaks.models import Match, Scan, ScannedFile, Source, Token, Watch
from crownjewels.leaks.schemas import WatchStatus


def scan(session: Session, ref: str) -> Scan | None:
    """A scan by ref (LS-0004, any case) or id."""
    typed = ref.strip()
    return session.scalar(
        select(Scan).where(or_(func.upper(Scan.ref) == typed.upper(), Scan.id == typed))
    )


def match(session: Session, ref: str) -> Match | None:
    """A match by ref (LM-0007, any case) or id."""
    typed = ref.strip()
    return session.scalar(
        select(Match).where(or_(func.upper(Match.ref) == typed.upper(), Match.id == typed))
    )


def watch(session: Session, ref: str) -> Watch | None:
    """A watch (not removed) by ref (LW-0002, any case), id or exact name."""
    typed = ref.strip()
    return session.scalar(
        select(Watch)
        .where(
            or_(func.upper(Watch.ref) == typed.upper(), Watch.id == typed, Watch.name == typed),
            Watch.status != WatchStatus.REMOVED.value,
        )
        .order_by(Watch.ref)
        .limit(1)
    )


def scans(session: Session, *, limit: int, offset: int = 0) -> Sequence[Scan]:
    """Latest scans first."""
    return session.scalars(
        select(Scan).order_by(Scan.started_at.desc(), Scan.ref.desc()).limit(limit).offset(offset)
    ).all()


def count_scans(session: Session) -> int:
    """How many scans there are."""
    return session.scalar(select(func.count()).select_from(Scan)) or 0


def matches(
    session: Session, *, status: str | None, limit: int, offset: int = 0
) -> Sequence[Match]:
    """Matches, latest first, of one status (None: all)."""
    query = select(Match)
    if status:
        query = query.where(Match.status == status)
    return session.scalars(
        query.order_by(Match.created_at.desc(), Match.ref.desc()).limit(limit).offset(offset)
    ).all()


def matches_of(session: Session, scan_id: str) -> Sequence[Match]:
    """A scan's matches in the order found."""
    return session.scalars(select(Match).where(Match.scan_id == scan_id).order_by(Match.ref)).all()


def files_of(session: Session, scan_id: str) -> Sequence[ScannedFile]:
    """A scan's files by path."""
    return session.scalars(
        select(ScannedFile).where(ScannedFile.scan_id == scan_id).order_by(ScannedFile.path)
    ).all()


def files(session: Session, ids: Iterable[str]) -> dict[str, ScannedFile]:
    """Scanned files by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.scalars(select(ScannedFile).where(ScannedFile.id.in_(wanted)))
    return {r.id: r for r in rows}


def scan_refs(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Scan refs by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(Scan.id, Scan.ref).where(Scan.id.in_(wanted))).all())


def sources(session: Session, ids: Iterable[str]) -> dict[str, Source]:
    """Fingerprinted sources by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    return {r.id: r for r in session.scalars(select(Source).where(Source.id.in_(wanted)))}


def token_refs(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """Canary token refs by id."""
    wanted = set(ids)
    if not wanted:
        return {}
    return dict(session.execute(select(Token.id, Token.ref).where(Token.id.in_(wanted))).all())


def seen_keys(session: Session, watch_id: str, keys: Iterable[str]) -> set[str]:
    """The match keys among `keys` that a watch's earlier scans already reported."""
    wanted = set(keys)
    if not wanted:
        return set()
    query = (
        select(Match.match_key)
        .join(Scan, Scan.id == Match.scan_id)
        .where(Scan.watch_id == watch_id, Match.match_key.in_(wanted))
    )
    return set(session.scalars(query))


def watches(session: Session, *, include_removed: bool = False) -> Sequence[Watch]:
    """Watches by ref."""
    query = select(Watch).order_by(Watch.ref)
    if not include_removed:
        query = query.where(Watch.status != WatchStatus.REMOVED.value)
    return session.scalars(query).all()


def due_watches(session: Session, now: object) -> Sequence[Watch]:
    """Active watches whose next run is due."""
    return session.scalars(
        select(Watch)
        .where(Watch.status == WatchStatus.ACTIVE.value, Watch.next_due <= now)
        .order_by(Watch.next_due, Watch.ref)
    ).all()
