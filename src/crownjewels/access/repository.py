"""Grant queries, each scoped to what the actor may see."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from crownjewels.access.models import Grant, GrantApproval
from crownjewels.access.rules import IN_FORCE, LIVE
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission


def visible_to(actor: Actor, owned_secret_ids: Iterable[str] = ()) -> Select[Grant]:
    """Grants the actor may see: all with grants:read; else the ones naming the actor as
    grantee or requester, or on secrets the actor owns."""
    query = select(Grant)
    if actor.can(Permission.GRANTS_READ):
        return query
    mine: list[ColumnElement[bool]] = [
        Grant.person_id == actor.person_id,
        Grant.requester_person_id == actor.person_id,
    ]
    owned = list(owned_secret_ids)
    if owned:
        mine.append(Grant.secret_id.in_(owned))
    if actor.person_id is None:
        return query.where(false())
    return query.where(or_(*mine))


def find(session: Session, query: Select[Grant], ref: str) -> Grant | None:
    """A grant by id or reference (GR-000001, case-insensitive)."""
    ref = ref.strip()
    return session.scalar(query.where(or_(Grant.id == ref, func.upper(Grant.ref) == ref.upper())))


def applying(
    session: Session, *, person_id: str, secret_id: str, document_id: str | None, at: datetime
) -> list[Grant]:
    """The person's grants that give access to the secret (or this document of it) at `at`:
    one indexed lookup, whatever the number of grants in the installation."""
    docs: list[ColumnElement[bool]] = [Grant.document_id.is_(None)]
    if document_id:
        docs.append(Grant.document_id == document_id)
    query = select(Grant).where(
        Grant.person_id == person_id,
        Grant.secret_id == secret_id,
        Grant.status.in_(IN_FORCE),
        Grant.starts_at <= at,
        Grant.expires_at > at,
        or_(*docs),
    )
    return list(session.scalars(query))


def live_for(
    session: Session,
    *,
    person_id: str | None = None,
    secret_id: str | None = None,
    organisation_id: str | None = None,
    statuses: Iterable[str] = LIVE,
) -> list[Grant]:
    """Grants still live (requested, approved, active, suspended) of a person, a secret or an
    organisation's group grants and their members."""
    query = select(Grant).where(Grant.status.in_(list(statuses)))
    if person_id:
        query = query.where(Grant.person_id == person_id)
    if secret_id:
        query = query.where(Grant.secret_id == secret_id)
    if organisation_id:
        query = query.where(Grant.organisation_id == organisation_id)
    return list(session.scalars(query.order_by(Grant.ref)))


def approvals(session: Session, grant_ids: Iterable[str]) -> dict[str, list[GrantApproval]]:
    """Approvals per grant, oldest first."""
    ids = list(grant_ids)
    out: dict[str, list[GrantApproval]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = session.scalars(
        select(GrantApproval)
        .where(GrantApproval.grant_id.in_(ids))
        .order_by(GrantApproval.decided_at)
    )
    for row in rows:
        out[row.grant_id].append(row)
    return out


def members(session: Session, group_id: str) -> list[Grant]:
    """The member grants a group grant was expanded into."""
    return list(
        session.scalars(select(Grant).where(Grant.group_id == group_id).order_by(Grant.ref))
    )
