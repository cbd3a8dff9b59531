"""Agreements as custody tables and filters name them: "AG-2026-005 Mutual NDA", linked to the
agreement's page; typed back by ref or title. registry.py registers this with custody.labels."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crownjewels.agreements.models import Agreement as A
from crownjewels.custody.labels import Label, SubjectKind


def _label(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(A.id, A.ref, A.title).where(A.id.in_(ids)))
    return {
        i: Label(text=f"{ref} {title}", short=ref, url=f"/agreements/{ref}")
        for i, ref, title in rows
    }


def _find(session: Session, typed: str) -> list[str]:
    wanted = typed.strip()
    match = or_(func.upper(A.ref) == wanted.upper(), func.lower(A.title) == wanted.lower())
    return list(session.scalars(select(A.id).where(match)))


AGREEMENTS = SubjectKind(noun="agreement", label=_label, find=_find)
