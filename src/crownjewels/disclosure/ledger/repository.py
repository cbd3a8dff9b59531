"""Ledger queries: by secret, organisation, person and day range, narrowed to one owner's
secrets (their ids, asked of `inventory` by the service) for a reader who sees only their own."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from crownjewels.disclosure.models import DisclosureEntry

E = DisclosureEntry


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
