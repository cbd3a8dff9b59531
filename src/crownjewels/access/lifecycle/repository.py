"""Grant-lifecycle queries: the notices not mailed yet, and a person's newest notices."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access.models import Notice


def unsent(session: Session, ids: list[str] | None = None) -> Sequence[Notice]:
    """Notices not mailed yet (of the given ids, or all), oldest first."""
    query = select(Notice).where(Notice.sent_at.is_(None))
    if ids is not None:
        query = query.where(Notice.id.in_(ids))
    return session.scalars(query.order_by(Notice.created_at)).all()


def notices_for(session: Session, person_id: str, *, limit: int) -> Sequence[Notice]:
    """A person's newest notices."""
    query = (
        select(Notice)
        .where(Notice.recipient_person_id == person_id)
        .order_by(Notice.created_at.desc())
        .limit(limit)
    )
    return session.scalars(query).all()
