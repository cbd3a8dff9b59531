"""Grant queries, each scoped to what the actor may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, bindparam, false, func, or_, select, update
from sqlalchemy.orm import Session

from crownjewels.access.models import Grant, GrantApproval
from crownjewels.access.rules import IN_FORCE, LIVE
from crownjewels.core.actor import Actor
from crownjewels.core.db import read
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


class Applying(NamedTuple):
    """A grant that gives access to a request."""

    id: str
    ref: str
    level: str
    purpose: str


class Waiting(NamedTuple):
    """A live grant that is not in force (requested or suspended)."""

    ref: str
    status: str


@dataclass(frozen=True)
class OnSecret:
    """A person's live grants on one secret as a decision reads them, in one query: those that
    give access to the request (in force, within their dates, on the secret or on its
    document) and those that wait (requested or suspended)."""

    applying: list[Applying]
    waiting: list[Waiting]


#: a decision's one read of the grants (built once: only the person and the secret change)
_ON_SECRET = (
    select(
        Grant.id,
        Grant.ref,
        Grant.level,
        Grant.purpose,
        Grant.status,
        Grant.starts_at,
        Grant.expires_at,
        Grant.document_id,
    )
    .where(
        Grant.person_id == bindparam("person_id"),
        Grant.secret_id == bindparam("secret_id"),
        Grant.status.in_(LIVE),
    )
    .order_by(Grant.ref)
)


def on_secret(
    session: Session, *, person_id: str, secret_id: str, document_id: str | None, at: datetime
) -> OnSecret:
    """The person's live grants on the secret, split as `OnSecret` says: one indexed lookup
    of plain columns, whatever the number of grants in the installation. Applying grants are
    (id, ref, level, purpose); waiting ones (ref, status), by ref."""
    applying: list[Applying] = []
    waiting: list[Waiting] = []
    for g in read(session, _ON_SECRET, {"person_id": person_id, "secret_id": secret_id}):
        if g.status not in IN_FORCE:
            waiting.append(Waiting(g.ref, g.status))
        elif g.starts_at <= at < g.expires_at and g.document_id in (None, document_id):
            applying.append(Applying(g.id, g.ref, g.level, g.purpose))
    return OnSecret(applying, waiting)


def mark_used(session: Session, grant_ids: Iterable[str], at: datetime) -> None:
    """Record that these grants were just used: one UPDATE of the rows already read."""
    ids = list(grant_ids)
    if ids:
        session.execute(
            update(Grant).where(Grant.id.in_(ids)).values(last_used_at=at, updated_at=at)
        )


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
