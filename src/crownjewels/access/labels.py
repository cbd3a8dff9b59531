"""Grants as custody tables and filters name them: "GR-000012", linked to the grant's page;
typed back by ref. registry.py registers this with custody.labels."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.access.models import Grant as G
from crownjewels.custody.labels import Label, SubjectKind


def _label(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(G.id, G.ref).where(G.id.in_(ids)))
    return {i: Label(text=ref, short=ref, url=f"/access/grants/{ref}") for i, ref in rows}


def _find(session: Session, typed: str) -> list[str]:
    return list(session.scalars(select(G.id).where(func.upper(G.ref) == typed.strip().upper())))


GRANTS = SubjectKind(noun="grant", label=_label, find=_find)
