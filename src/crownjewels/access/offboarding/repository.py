"""Offboarding queries: a record by ref, every record, and the empty set of record ids (what
the vault sees of certificates without grants:read)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crownjewels.access.models import Offboarding


def offboarding(session: Session, ref: str) -> Offboarding | None:
    """A record by ref (OFF-0001) or id."""
    return session.scalar(
        select(Offboarding).where((Offboarding.ref == ref) | (Offboarding.id == ref))
    )


def offboardings(session: Session) -> Sequence[Offboarding]:
    """Every record, newest first."""
    return session.scalars(select(Offboarding).order_by(Offboarding.started_at.desc())).all()


def no_ids() -> Select[tuple[str]]:
    """A query of record ids that matches none."""
    return select(Offboarding).where(Offboarding.id.is_(None)).with_only_columns(Offboarding.id)
