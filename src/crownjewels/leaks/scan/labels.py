"""Scans, matches and watches as custody tables and filters name them ("LS-0004", "LM-0007",
"LW-0002"), linked to their pages; typed back by ref. registry.py registers these."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.leaks.models import Match, Scan, Watch


def _scans(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Scan.id, Scan.ref, Scan.target).where(Scan.id.in_(ids)))
    return {
        i: Label(text=f"{ref} of {target[:80]}", short=ref, url=f"/leaks/scans/{ref}")
        for i, ref, target in rows
    }


def _matches(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Match.id, Match.ref, Match.verdict).where(Match.id.in_(ids)))
    return {
        i: Label(text=f"{ref} {verdict[:80]}", short=ref, url=f"/leaks/matches/{ref}")
        for i, ref, verdict in rows
    }


def _watches(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Watch.id, Watch.ref, Watch.name).where(Watch.id.in_(ids)))
    return {
        i: Label(text=f"{ref} {name}", short=ref, url="/leaks/watches") for i, ref, name in rows
    }


def _find_scan(session: Session, typed: str) -> list[str]:
    return list(
        session.scalars(select(Scan.id).where(func.upper(Scan.ref) == typed.strip().upper()))
    )


def _find_match(session: Session, typed: str) -> list[str]:
    wanted = typed.strip().upper()
    return list(session.scalars(select(Match.id).where(func.upper(Match.ref) == wanted)))


def _find_watch(session: Session, typed: str) -> list[str]:
    wanted = typed.strip().upper()
    return list(session.scalars(select(Watch.id).where(func.upper(Watch.ref) == wanted)))


SCANS = SubjectKind(noun="leak scan", label=_scans, find=_find_scan)
MATCHES = SubjectKind(noun="leak match", label=_matches, find=_find_match)
WATCHES = SubjectKind(noun="scan watch", label=_watches, find=_find_watch)
