"""Queries of alert channels and deliveries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from crownjewels.monitoring.models import Alert, Channel, Delivery


def by_name(session: Session, name: str) -> Channel | None:
    """The channel of that name (case-insensitive)."""
    query = select(Channel).where(func.lower(Channel.name) == name.strip().lower())
    return session.scalars(query).first()


def all_channels(session: Session) -> list[Channel]:
    """Every channel, by name."""
    return list(session.scalars(select(Channel).order_by(Channel.name)))


def active_channels(session: Session) -> list[Channel]:
    """The channels alerts go to now."""
    query = select(Channel).where(Channel.active.is_(True)).order_by(Channel.name)
    return list(session.scalars(query))


def delivered_channels(session: Session, alert_id: str) -> set[str]:
    """The ids of the channels an alert was queued to already."""
    query = select(Delivery.channel_id).where(Delivery.alert_id == alert_id)
    return set(session.scalars(query))


def counts(session: Session) -> dict[str, tuple[int, int]]:
    """Per channel id: deliveries not sent yet (still to be tried) and given up."""
    pending = func.sum(case((Delivery.next_attempt_at.is_not(None), 1), else_=0))
    failed = func.sum(case((Delivery.next_attempt_at.is_(None), 1), else_=0))
    query = (
        select(Delivery.channel_id, pending, failed)
        .where(Delivery.sent_at.is_(None))
        .group_by(Delivery.channel_id)
    )
    return {cid: (int(p or 0), int(f or 0)) for cid, p, f in session.execute(query)}


def due(session: Session, *, now: datetime, ids: Sequence[str] | None, limit: int) -> list[str]:
    """Ids of unsent deliveries of active channels whose next attempt is due, oldest first,
    locked for the caller's transaction; rows another sender holds are skipped (PostgreSQL)."""
    query = (
        select(Delivery.id)
        .join(Channel, Channel.id == Delivery.channel_id)
        .where(
            Delivery.sent_at.is_(None),
            Delivery.next_attempt_at.is_not(None),
            Delivery.next_attempt_at <= now,
            Channel.active.is_(True),
        )
    )
    if ids is not None:
        query = query.where(Delivery.id.in_(list(ids)))
    query = query.order_by(Delivery.created_at, Delivery.id).limit(limit)
    return list(session.scalars(query.with_for_update(skip_locked=True, of=Delivery)))


def page(
    session: Session, *, unsent_only: bool, channel_id: str | None, offset: int, limit: int
) -> tuple[list[tuple[Delivery, Channel, Alert]], int]:
    """Deliveries newest first with their channel and alert, and how many there are."""
    query = (
        select(Delivery, Channel, Alert)
        .join(Channel, Channel.id == Delivery.channel_id)
        .join(Alert, Alert.id == Delivery.alert_id)
    )
    if unsent_only:
        query = query.where(Delivery.sent_at.is_(None))
    if channel_id:
        query = query.where(Delivery.channel_id == channel_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Delivery.created_at.desc(), Delivery.id.desc()).offset(offset).limit(limit)
    ).all()
    return [(d, c, a) for d, c, a in rows], total
