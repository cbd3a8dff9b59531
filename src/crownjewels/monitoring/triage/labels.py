"""Alerts as custody tables and filters name them: "AL-0007", linked to the alert's page;
typed back by ref. registry.py registers this with custody.labels."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.monitoring.models import Alert


def _label(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Alert.id, Alert.ref, Alert.title).where(Alert.id.in_(ids)))
    return {
        i: Label(text=f"{ref} {title}", short=ref, url=f"/alerts/{ref}") for i, ref, title in rows
    }


def _find(session: Session, typed: str) -> list[str]:
    wanted = typed.strip().upper()
    return list(session.scalars(select(Alert.id).where(func.upper(Alert.ref) == wanted)))


ALERTS = SubjectKind(noun="alert", label=_label, find=_find)
