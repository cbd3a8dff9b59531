"""Canary tokens as custody tables and filters name them: "CT-0001", linked to the token's
page; typed back by ref. registry.py registers this with custody.labels."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.leaks.models import Token


def _label(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Token.id, Token.ref).where(Token.id.in_(ids)))
    return {i: Label(text=ref, short=ref, url=f"/leaks/tokens/{ref}") for i, ref in rows}


def _find(session: Session, typed: str) -> list[str]:
    wanted = typed.strip().upper()
    return list(session.scalars(select(Token.id).where(func.upper(Token.ref) == wanted)))


TOKENS = SubjectKind(noun="canary token", label=_label, find=_find)
