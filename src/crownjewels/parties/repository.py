"""Parties queries, scoped to what the actor may see."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.parties.models import ApiToken, Organisation, Person, User
from crownjewels.parties.schemas import OrganisationFilter, PersonFilter


def organisations_visible_to(actor: Actor) -> Select[Organisation]:
    """Organisations the actor may see: all with parties:read, else only its own."""
    query = select(Organisation)
    if actor.can(Permission.PARTIES_READ):
        return query
    if actor.person_id is None:
        return query.where(Organisation.id.is_(None))
    own = select(Person.organisation_id).where(Person.id == actor.person_id).scalar_subquery()
    return query.where(Organisation.id == own)


def people_visible_to(actor: Actor) -> Select[Person]:
    """People the actor may see: all with parties:read, else only itself."""
    query = select(Person)
    if actor.can(Permission.PARTIES_READ):
        return query
    return query.where(Person.id == (actor.person_id or ""))


def filter_organisations(
    query: Select[Organisation], flt: OrganisationFilter
) -> Select[Organisation]:
    """Apply listing filters, sorted by name."""
    if flt.kind:
        query = query.where(Organisation.kind == flt.kind)
    if flt.status:
        query = query.where(Organisation.status == flt.status)
    if flt.country:
        query = query.where(Organisation.country == flt.country.upper())
    if flt.q:
        query = query.where(func.lower(Organisation.name).contains(flt.q.lower()))
    return query.order_by(Organisation.name)


def filter_people(query: Select[Person], flt: PersonFilter) -> Select[Person]:
    """Apply listing filters, sorted by name."""
    if flt.organisation_id:
        query = query.where(Person.organisation_id == flt.organisation_id)
    if flt.status:
        query = query.where(Person.status == flt.status)
    if flt.kind:
        query = query.where(Person.kind == flt.kind)
    if flt.q:
        needle = flt.q.lower()
        query = query.where(
            or_(
                func.lower(Person.full_name).contains(needle),
                func.lower(Person.email).contains(needle),
            )
        )
    return query.order_by(Person.full_name)


def user_by_username(session: Session, username: str) -> User | None:
    """The user with that username (case-insensitive)."""
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def user_by_person(session: Session, person_id: str) -> User | None:
    """The login of a person, if any."""
    return session.scalar(select(User).where(User.person_id == person_id))


def token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    """The token with that hash."""
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def touch_token(session: Session, token_id: str, at: datetime) -> None:
    """Set a token's last use (that column only: the request may have changed the row)."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=at))
