"""Copy queries, each scoped to the documents the actor may see (the vault decides which)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.disclosure.models import DisclosureCopy

C = DisclosureCopy


def visible_to(actor: Actor, document_ids: Collection[str]) -> Select[DisclosureCopy]:
    """Copies of the given documents (those the vault lets the actor see), if it may read."""
    query = select(C)
    if not actor.can(Permission.DOCUMENTS_READ) or not document_ids:
        return query.where(false())
    return query.where(C.document_id.in_(list(document_ids)))


def find(
    session: Session, actor: Actor, document_ids: Collection[str], copy_id: str
) -> DisclosureCopy | None:
    """A visible copy by id."""
    return session.scalar(visible_to(actor, document_ids).where(C.id == copy_id.strip().upper()))


def listed(
    session: Session, actor: Actor, document_ids: Collection[str], *, limit: int = 500
) -> list[DisclosureCopy]:
    """Visible copies, newest first."""
    query = visible_to(actor, document_ids).order_by(C.issued_at.desc(), C.id.desc())
    return list(session.scalars(query.limit(limit)))
