"""Outbox queries: the messages due for sending, the outbox page, a person's choices, and the
people who hold a role (the approvers and reviewers a mail goes to)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from crownjewels.parties.models import Person, User, UserRole
from crownjewels.parties.notifications.models import MailMessage, MailPreference


def due(session: Session, *, now: datetime, ids: Sequence[str] | None, limit: int) -> list[str]:
    """Ids of unsent messages whose next attempt is due (of the given ids, or all), oldest
    first, locked for the caller's transaction; rows another sender holds are skipped
    (PostgreSQL), so two senders never claim one message."""
    query = select(MailMessage.id).where(
        MailMessage.sent_at.is_(None),
        or_(MailMessage.next_attempt_at.is_(None), MailMessage.next_attempt_at <= now),
    )
    if ids is not None:
        query = query.where(MailMessage.id.in_(list(ids)))
    query = query.order_by(MailMessage.created_at, MailMessage.id).limit(limit)
    return list(session.scalars(query.with_for_update(skip_locked=True)))


def page(
    session: Session, *, unsent_only: bool, offset: int, limit: int
) -> tuple[list[MailMessage], int]:
    """The outbox, newest first, and how many messages it holds."""
    query = select(MailMessage)
    if unsent_only:
        query = query.where(MailMessage.sent_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(MailMessage.created_at.desc(), MailMessage.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), total


def has_key(session: Session, key: str) -> bool:
    """Whether a message with this dedupe key was queued already."""
    found = session.scalar(select(MailMessage.id).where(MailMessage.dedupe_key == key))
    return found is not None


def turned_off(session: Session, person_id: str) -> set[str]:
    """The kinds of mail a person turned off."""
    rows = session.scalars(select(MailPreference.kind).where(MailPreference.person_id == person_id))
    return set(rows)


def preference_rows(session: Session, person_id: str) -> list[MailPreference]:
    """A person's preference rows."""
    query = select(MailPreference).where(MailPreference.person_id == person_id)
    return list(session.scalars(query))


def people_with_roles(session: Session, roles: Sequence[str]) -> list[Person]:
    """Active people with an active login holding any of the roles, by name."""
    query = (
        select(Person)
        .join(User, User.person_id == Person.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role.in_(list(roles)), User.active.is_(True), Person.status != "departed")
        .distinct()
        .order_by(Person.full_name, Person.id)
    )
    return list(session.scalars(query))


def person(session: Session, person_id: str) -> Person | None:
    """One person by id."""
    return session.get(Person, person_id)
