"""Vault documents as custody tables and event pages name them: their title and owner
("Process sheet (TS-0014)"). registry.py registers this with custody.labels."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.vault.models import Document as D


def _label(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(D.id, D.title, D.owner_label).where(D.id.in_(ids)))
    return {i: Label(text=f"{title} ({owner})", short=owner) for i, title, owner in rows}


DOCUMENTS = SubjectKind(noun="document", label=_label)
