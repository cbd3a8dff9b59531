"""Register queries, each scoped to what the actor may see."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Row, Select, bindparam, false, func, or_, select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import keep, read
from crownjewels.core.permissions import Permission
from crownjewels.inventory.models import SecretLocation, SecretReview, TradeSecret
from crownjewels.inventory.schemas import SecretFilter

T = TradeSecret


#: how every secret reference starts (TS-0001)
REF_PREFIX = "TS-"


def visible_to(actor: Actor) -> Select[TradeSecret]:
    """Secrets the actor may see: all, only those it owns, or none."""
    query = select(T)
    if actor.can(Permission.SECRETS_READ_ALL):
        return query
    if actor.can(Permission.SECRETS_READ_OWN) and actor.person_id:
        return query.where(T.owner_id == actor.person_id)
    return query.where(false())


#: the lookups of an actor who sees every secret (an access decision's fact reader among
#: them), built once: only the reference or the name changes
_ANY_BY_REF = select(T).where(T.ref == bindparam("ref"))
_ANY_BY_NAME = select(T).where(func.lower(T.name) == bindparam("name"))


#: the same lookups in plain columns, for the access rules' reads (no ORM object)
_COLUMNS = select(*T.__table__.columns)
_PLAIN_BY_ID = _COLUMNS.where(T.id == bindparam("key"))
_PLAIN_BY_REF = _COLUMNS.where(T.ref == bindparam("key"))
_PLAIN_BY_NAME = _COLUMNS.where(func.lower(T.name) == bindparam("key"))


def find_plain(session: Session, ref: str) -> Row[Any] | None:
    """Any secret by id, reference or exact name (case-insensitive), as a row of its columns;
    looked up in the order `find` uses."""
    key = ref.strip()
    by_ref = key.upper().startswith(REF_PREFIX)  # a reference is never an id
    lookups = (
        ((_PLAIN_BY_REF, key.upper()), (_PLAIN_BY_NAME, key.lower()))
        if by_ref
        else ((_PLAIN_BY_ID, key), (_PLAIN_BY_REF, key.upper()), (_PLAIN_BY_NAME, key.lower()))
    )
    for query, value in lookups:
        row = read(session, query, {"key": value}).first()
        if row is not None:
            return row
    return None


def find(session: Session, actor: Actor, ref: str) -> TradeSecret | None:
    """A visible secret by id, reference (TS-0001) or exact name (case-insensitive)."""
    key = ref.strip()
    by_ref = key.upper().startswith(REF_PREFIX)  # a reference is never an id
    if actor.can(Permission.SECRETS_READ_ALL):
        # by id, found in the session when already loaded; then the (indexed) reference
        found = (
            (None if by_ref else session.get(T, key))
            or session.scalar(_ANY_BY_REF, {"ref": key.upper()})
            or session.scalar(_ANY_BY_NAME, {"name": key.lower()})
        )
    else:
        query = visible_to(actor)
        found = (
            (None if by_ref else session.scalar(query.where(T.id == key)))
            or session.scalar(query.where(T.ref == key.upper()))
            or session.scalar(query.where(func.lower(T.name) == key.lower()))
        )
    if found is not None:
        keep(session, found)
    return found


def filtered(query: Select[TradeSecret], flt: SecretFilter, *, today: date) -> Select[TradeSecret]:
    """Apply listing filters; sorted by tier then name."""
    if flt.tier:
        query = query.where(T.tier == flt.tier)
    if flt.category:
        query = query.where(T.category == flt.category)
    if flt.owner_id:
        query = query.where(T.owner_id == flt.owner_id)
    if flt.status:
        query = query.where(T.status == flt.status)
    if flt.overdue:
        query = query.where(T.next_review_on < today, T.status == "active")
    if flt.q:
        needle = flt.q.strip().lower()
        query = query.where(
            or_(
                func.lower(T.name).contains(needle),
                func.lower(T.description).contains(needle),
                func.lower(T.ref) == needle,
                func.lower(func.coalesce(T.business_unit, "")).contains(needle),
            )
        )
    return query.order_by(T.name)


def name_taken(session: Session, name: str, *, exclude: str | None = None) -> bool:
    """True when another secret (visible or not) has this name."""
    query = select(T.id).where(func.lower(T.name) == name.lower())
    if exclude:
        query = query.where(T.id != exclude)
    return session.scalar(query) is not None


def locations(session: Session, secret_id: str) -> list[SecretLocation]:
    """The locations of a secret."""
    return list(
        session.scalars(
            select(SecretLocation)
            .where(SecretLocation.secret_id == secret_id)
            .order_by(SecretLocation.created_at)
        )
    )


def reviews(session: Session, secret_id: str) -> list[SecretReview]:
    """The reviews of a secret, newest first."""
    return list(
        session.scalars(
            select(SecretReview)
            .where(SecretReview.secret_id == secret_id)
            .order_by(SecretReview.reviewed_on.desc(), SecretReview.id.desc())
        )
    )


def counts(session: Session, query: Select[TradeSecret], column: str) -> dict[str, int]:
    """Counts of visible secrets grouped by a column."""
    sub = query.subquery()
    col = sub.c[column]
    return {k: v for k, v in session.execute(select(col, func.count()).group_by(col)).all()}


def location_countries(session: Session, secret_id: str) -> list[str]:
    """The distinct countries named by the secret's locations, in order."""
    return list(
        session.scalars(
            select(SecretLocation.country)
            .where(SecretLocation.secret_id == secret_id, SecretLocation.country.is_not(None))
            .distinct()
            .order_by(SecretLocation.country)
        )
    )


def reviews_due(session: Session, *, today: date) -> list[TradeSecret]:
    """Active secrets whose review is due on or before `today`, by reference."""
    query = select(T).where(T.status == "active", T.next_review_on <= today).order_by(T.ref)
    return list(session.scalars(query))
