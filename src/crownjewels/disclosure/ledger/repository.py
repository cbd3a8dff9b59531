"""Ledger queries: by secret, organisation, person and day range, narrowed to one owner's
secrets (their ids, asked of `inventory` by the service) for a reader who sees only their own;
the copies issued to some people, and which copies were marked compromised."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crownjewels.disclosure.models import DisclosureCopy, DisclosureEntry

E = DisclosureEntry
C = DisclosureCopy


def _day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _visible(secret_ids: Collection[str] | None) -> Select[DisclosureEntry]:
    query = select(E)
    if secret_ids is not None:
        query = query.where(E.secret_id.in_(secret_ids))
    return query


def entries(
    session: Session,
    *,
    secret_ids: Collection[str] | None,
    secret_id: str | None = None,
    organisation_id: str | None = None,
    person_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 10_000,
) -> list[DisclosureEntry]:
    """Entries oldest first (by the custody sequence, the order they were sealed)."""
    query = _visible(secret_ids)
    if secret_id:
        query = query.where(E.secret_id == secret_id)
    if organisation_id:
        query = query.where(E.recipient_organisation_id == organisation_id)
    if person_id:
        query = query.where(E.recipient_person_id == person_id)
    if since:
        query = query.where(E.disclosed_at >= _day(since))
    if until:
        query = query.where(E.disclosed_at < _day(until + timedelta(days=1)))
    query = query.order_by(E.disclosed_at, E.custody_seq).limit(limit)
    return list(session.scalars(query))


def entry(
    session: Session, entry_id: str, *, secret_ids: Collection[str] | None
) -> DisclosureEntry | None:
    """One entry by id, if visible."""
    return session.scalar(_visible(secret_ids).where(E.id == entry_id))


def copies_to(
    session: Session, person_ids: Collection[str], owner_type: str
) -> list[DisclosureCopy]:
    """The copies of documents of one owner type issued to these people, oldest first."""
    if not person_ids:
        return []
    query = select(C).where(C.recipient_person_id.in_(list(person_ids)), C.owner_type == owner_type)
    return list(session.scalars(query.order_by(C.issued_at, C.id)))


def copy(session: Session, copy_id: str) -> DisclosureCopy | None:
    """A copy by its id (the id its marks carry), however it was typed."""
    return session.get(C, copy_id.strip().upper())


def compromised(
    session: Session, copy_ids: Collection[str]
) -> dict[str, tuple[datetime, str | None]]:
    """When and why each of these copies was marked compromised (the others are absent)."""
    ids = [i for i in copy_ids if i]
    if not ids:
        return {}
    query = select(C.id, C.compromised_at, C.compromised_reason).where(
        C.id.in_(ids), C.compromised_at.is_not(None)
    )
    return {cid: (at, why) for cid, at, why in session.execute(query) if at is not None}
