"""Trade secrets as custody tables and filters name them: "TS-0014 Sauce formula", linked to
the secret's page; typed back by ref or name. registry.py registers this with custody.labels."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.inventory.models import TradeSecret as S


def _label(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(S.id, S.ref, S.name).where(S.id.in_(ids)))
    return {
        i: Label(text=f"{ref} {name}", short=ref, url=f"/secrets/{ref}") for i, ref, name in rows
    }


def _find(session: Session, typed: str) -> list[str]:
    wanted = typed.strip()
    match = or_(func.upper(S.ref) == wanted.upper(), func.lower(S.name) == wanted.lower())
    return list(session.scalars(select(S.id).where(match)))


SECRETS = SubjectKind(noun="secret", label=_label, find=_find)
