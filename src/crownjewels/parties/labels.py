"""People, logins and organisations as custody tables and filters name them: a person by
name (their email as the short ref), a login by its person's name, an organisation by name;
typed back by email or name. registry.py registers them with custody.labels."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.parties.models import Organisation, Person, User


def _people(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(
        select(Person.id, Person.full_name, Person.email).where(Person.id.in_(ids))
    )
    return {pid: Label(text=name, short=email, url=f"/people/{pid}") for pid, name, email in rows}


def _users(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(
        select(User.id, Person.id, Person.full_name, Person.email)
        .join(Person, Person.id == User.person_id)
        .where(User.id.in_(ids))
    )
    return {
        uid: Label(text=name, short=email, url=f"/people/{pid}") for uid, pid, name, email in rows
    }


def _organisations(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    )
    return {oid: Label(text=name, url=f"/organisations/{oid}") for oid, name in rows}


def _named(typed: str) -> ColumnElement[bool]:
    """A person whose email or full name is `typed`, case-insensitively."""
    wanted = typed.strip().lower()
    return or_(func.lower(Person.email) == wanted, func.lower(Person.full_name) == wanted)


def find_people(session: Session, typed: str) -> list[str]:
    """Ids of the people whose email or name is `typed`."""
    return list(session.scalars(select(Person.id).where(_named(typed)).order_by(Person.id)))


def find_users(session: Session, typed: str) -> list[str]:
    """Ids of the logins whose username, or whose person's email or name, is `typed`."""
    wanted = typed.strip().lower()
    query = (
        select(User.id)
        .join(Person, Person.id == User.person_id)
        .where(or_(_named(typed), func.lower(User.username) == wanted))
        .order_by(User.id)
    )
    return list(session.scalars(query))


def find_organisations(session: Session, typed: str) -> list[str]:
    """Ids of the organisations called `typed` (other than vendors, which vendors finds)."""
    query = select(Organisation.id).where(
        func.lower(Organisation.name) == typed.strip().lower(), Organisation.kind != "vendor"
    )
    return list(session.scalars(query))


PEOPLE = SubjectKind(noun="person", label=_people, find=find_people)
USERS = SubjectKind(noun="login", label=_users)
ORGANISATIONS = SubjectKind(noun="organisation", label=_organisations, find=find_organisations)
