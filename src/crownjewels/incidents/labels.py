"""Cases as custody tables name them (IN-0004 Source code on a personal repository) and find
them (by the ref typed); registry.py registers them with custody.labels."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.incidents.models import Incident


def _cases(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(
        select(Incident.id, Incident.ref, Incident.title).where(Incident.id.in_(ids))
    )
    return {
        cid: Label(text=f"{ref} {title}", short=ref, url=f"/incidents/{ref}")
        for cid, ref, title in rows
    }


def _find_cases(session: Session, typed: str) -> list[str]:
    return list(session.scalars(select(Incident.id).where(Incident.ref == typed.strip().upper())))


CASES = SubjectKind(noun="incident case", label=_cases, find=_find_cases)
