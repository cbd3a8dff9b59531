"""Departure watches and log reviews as custody tables and filters name them: "DW-0001",
"LR-0003", linked to their pages; typed back by ref. registry.py registers these with
custody.labels."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.monitoring.models import DepartureWatch as W
from crownjewels.monitoring.models import LogReview as R


def _watch_labels(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(W.id, W.ref).where(W.id.in_(ids)))
    return {i: Label(text=ref, short=ref, url=f"/monitoring/departures/{ref}") for i, ref in rows}


def _find_watch(session: Session, typed: str) -> list[str]:
    return list(session.scalars(select(W.id).where(func.upper(W.ref) == typed.strip().upper())))


def _review_labels(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(R.id, R.ref).where(R.id.in_(ids)))
    return {i: Label(text=ref, short=ref, url=f"/monitoring/reviews/{ref}") for i, ref in rows}


def _find_review(session: Session, typed: str) -> list[str]:
    return list(session.scalars(select(R.id).where(func.upper(R.ref) == typed.strip().upper())))


WATCHES = SubjectKind(noun="departure watch", label=_watch_labels, find=_find_watch)
REVIEWS = SubjectKind(noun="log review", label=_review_labels, find=_find_review)
