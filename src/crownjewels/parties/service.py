"""Parties verbs for organisations and people (users and tokens: parties/accounts.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, inspect, select
from sqlalchemy.orm import Session, joinedload

from crownjewels.core import adverse, clock, departures
from crownjewels.core import search as core_search
from crownjewels.core.actor import Actor
from crownjewels.core.changes import apply_changes
from crownjewels.core.db import keep, read
from crownjewels.core.departures import NoticeGiven
from crownjewels.core.errors import Conflict, Invalid
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission, Role
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import repository
from crownjewels.parties.errors import DuplicateName, OrganisationNotFound, PersonNotFound
from crownjewels.parties.models import Organisation, Person, User, UserRole
from crownjewels.parties.schemas import (
    Departure,
    OrganisationCreate,
    OrganisationFilter,
    OrganisationRead,
    OrganisationUpdate,
    OrgKind,
    PersonCreate,
    PersonFilter,
    PersonHandle,
    PersonRead,
    PersonStanding,
    PersonStatus,
    PersonUpdate,
)
from crownjewels.parties.sessions import EndReason, revoke_user_sessions

# --- organisations ---------------------------------------------------------------------------


def _org(session: Session, actor: Actor, ref: str) -> Organisation:
    query = repository.organisations_visible_to(actor)
    # by id, an actor who sees every organisation finds it in the session when already loaded
    if actor.can(Permission.PARTIES_READ):
        org = session.get(Organisation, ref)
    else:
        org = session.scalar(query.where(Organisation.id == ref))
    org = org or session.scalar(query.where(func.lower(Organisation.name) == ref.strip().lower()))
    if org is None:
        raise OrganisationNotFound(
            f"no organisation {ref!r}; `crownjewels orgs list` shows the ones that exist"
        )
    keep(session, org)
    return org


def _check_org_name(session: Session, name: str, *, exclude: str | None = None) -> None:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if exclude:
        query = query.where(Organisation.id != exclude)
    if session.scalar(query):
        raise DuplicateName(
            f"an organisation named {name!r} already exists; choose another name", field="name"
        )


def create_organisation(
    session: Session, *, actor: Actor, data: OrganisationCreate
) -> OrganisationRead:
    """Record a new organisation."""
    actor.require(Permission.PARTIES_WRITE)
    _check_org_name(session, data.name)
    if data.kind == OrgKind.OWN and session.scalar(
        select(Organisation.id).where(Organisation.kind == OrgKind.OWN)
    ):
        raise Conflict(
            "our own company is already recorded; add subsidiaries with kind 'subsidiary'",
            field="kind",
        )
    org = Organisation(**data.model_dump())
    session.add(org)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ORGANISATION_CREATED,
        subject_type="organisation",
        subject_id=org.id,
        details={"after": data},
    )
    return OrganisationRead.model_validate(org)


def update_organisation(
    session: Session, *, actor: Actor, org_ref: str, changes: OrganisationUpdate
) -> OrganisationRead:
    """Change an organisation; records before and after."""
    actor.require(Permission.PARTIES_WRITE)
    org = _org(session, actor, org_ref)
    if changes.name is not None:
        _check_org_name(session, changes.name, exclude=org.id)
    diff = apply_changes(org, changes)
    if diff["after"]:
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.ORGANISATION_UPDATED,
            subject_type="organisation",
            subject_id=org.id,
            details=diff,
        )
    return OrganisationRead.model_validate(org)


def get_organisation(session: Session, *, actor: Actor, org_ref: str) -> OrganisationRead:
    """One organisation by id or name."""
    return OrganisationRead.model_validate(_org(session, actor, org_ref))


def list_organisations(
    session: Session, *, actor: Actor, filters: OrganisationFilter, page: PageParams
) -> tuple[list[OrganisationRead], int]:
    """A page of organisations the actor may see."""
    query = repository.filter_organisations(repository.organisations_visible_to(actor), filters)
    rows, total = paginate(session, query, page)
    return [OrganisationRead.model_validate(o) for o in rows], total


# --- people ----------------------------------------------------------------------------------


#: an email lookup of an actor who sees everyone (an access decision's fact reader among
#: them) with the organisation in the same query, built once: only the email changes
_ANYONE_BY_EMAIL = (
    select(Person)
    .options(joinedload(Person.organisation))
    .where(func.lower(Person.email) == bindparam("email"))
)


def _person(session: Session, actor: Actor, ref: str) -> Person:
    # the organisation comes in the same query (its name is shown, its kind and status ruled on)
    email = ref.strip().lower()
    person: Person | None = None
    if actor.can(Permission.PARTIES_READ):
        # by id, found in the session when already loaded; an email is never an id: straight
        # to the (indexed) email lookup
        if "@" not in ref:
            person = session.get(Person, ref, options=[joinedload(Person.organisation)])
        person = person or session.scalar(_ANYONE_BY_EMAIL, {"email": email})
    else:
        query = repository.people_visible_to(actor).options(joinedload(Person.organisation))
        if "@" not in ref:
            person = session.scalar(query.where(Person.id == ref))
        person = person or session.scalar(query.where(func.lower(Person.email) == email))
    if person is None:
        raise PersonNotFound(
            f"no person {ref!r}; `crownjewels people list` shows the ones that exist"
        )
    keep(session, person)
    if "organisation" not in inspect(person).unloaded:
        keep(session, person.organisation)
    return person


def _person_read(session: Session, person: Person) -> PersonRead:
    read = PersonRead.model_validate(person)
    # loaded with the person (or already in the session): no query then
    org = session.get(Organisation, person.organisation_id)
    read.organisation_name = org.name if org is not None else None
    return read


def _check_email(session: Session, email: str, *, exclude: str | None = None) -> None:
    query = select(Person.id).where(func.lower(Person.email) == email.lower())
    if exclude:
        query = query.where(Person.id != exclude)
    if session.scalar(query):
        raise DuplicateName(
            f"a person with email {email} already exists; each person needs their own",
            field="email",
        )


def create_person(session: Session, *, actor: Actor, data: PersonCreate) -> PersonRead:
    """Record a new person in an existing organisation."""
    actor.require(Permission.PARTIES_WRITE)
    org = _org(session, actor, data.organisation_id)
    _check_email(session, data.email)
    person = Person(**{**data.model_dump(), "organisation_id": org.id, "email": data.email.lower()})
    session.add(person)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.PERSON_CREATED,
        subject_type="person",
        subject_id=person.id,
        details={"after": {**data.model_dump(mode="json"), "organisation_id": org.id}},
    )
    return _person_read(session, person)


def update_person(
    session: Session, *, actor: Actor, person_ref: str, changes: PersonUpdate
) -> PersonRead:
    """Change a person's details; records before and after."""
    actor.require(Permission.PARTIES_WRITE)
    person = _person(session, actor, person_ref)
    if changes.email is not None:
        _check_email(session, changes.email, exclude=person.id)
        changes.email = changes.email.lower()
    diff = apply_changes(person, changes)
    if diff["after"]:
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            subject_type="person",
            subject_id=person.id,
            details=diff,
        )
    return _person_read(session, person)


def depart_person(
    session: Session, *, actor: Actor, person_ref: str, departure: Departure
) -> PersonRead:
    """Mark a person departing (date in the future) or departed (today or earlier); with a
    notice date, record it and tell the capabilities that watch departures."""
    actor.require(Permission.PARTIES_WRITE)
    check_departure_date(departure.on)
    check_departure_date(departure.notice_on)
    person = _person(session, actor, person_ref)
    if person.status == PersonStatus.DEPARTED:
        raise Conflict(f"{person.full_name} already departed on {person.departed_on}")
    # a departure ends the login: against a person protected from retaliation, approved first
    login = session.scalar(select(User.username).where(User.person_id == person.id))
    adverse.check(
        session,
        actor=actor,
        person_id=person.id,
        action=adverse.DISABLE_ACCOUNT,
        target=login or person.email,
    )
    on: date = departure.on or clock.today()
    before = {
        "status": person.status,
        "notice_on": person.notice_on,
        "departing_on": person.departing_on,
        "departed_on": person.departed_on,
    }
    if departure.notice_on is not None:
        person.notice_on = departure.notice_on
    if on > clock.today():
        person.status, person.departing_on = PersonStatus.DEPARTING, on
        event_type = EventType.PERSON_DEPARTING
    else:
        person.status, person.departed_on = PersonStatus.DEPARTED, on
        person.departing_on = person.departing_on or on
        event_type = EventType.PERSON_DEPARTED
    session.flush()
    after = {
        "status": person.status,
        "notice_on": person.notice_on,
        "departing_on": person.departing_on,
        "departed_on": person.departed_on,
    }
    custody.record(
        session,
        actor=actor,
        event_type=event_type,
        subject_type="person",
        subject_id=person.id,
        details={"before": before, "after": after},
    )
    if departure.notice_on is not None:
        # the capabilities above react in this transaction (monitoring opens its watch)
        notice = NoticeGiven(person.id, departure.notice_on, person.departing_on or on)
        departures.notice_given(session, actor=actor, notice=notice)
    if person.status == PersonStatus.DEPARTED:
        _end_sessions_of_departed(session, actor, person.id)
    return _person_read(session, person)


def _end_sessions_of_departed(session: Session, actor: Actor, person_id: str) -> None:
    """A departed person's web sessions end with the departure (recorded when any was live)."""
    user = session.scalar(select(User).where(User.person_id == person_id))
    if user is None:
        return
    ended = revoke_user_sessions(session, user_id=user.id, reason=EndReason.DEPARTURE)
    if ended:
        custody.record(
            session,
            actor=actor,
            event_type=EventType.USER_SESSIONS_REVOKED,
            subject_type="user",
            subject_id=user.id,
            details={"reason": EndReason.DEPARTURE.value, "sessions_ended": ended},
        )


def get_person(session: Session, *, actor: Actor, person_ref: str) -> PersonRead:
    """One person by id or email."""
    return _person_read(session, _person(session, actor, person_ref))


def resolve_person_id(session: Session, *, actor: Actor, person_ref: str) -> str:
    """The id of a person named by id or email (for other capabilities' inputs)."""
    return _person(session, actor, person_ref).id


def person_names(session: Session, ids: set[str]) -> dict[str, str]:
    """Full names for a set of person ids (for listings of other capabilities)."""
    if not ids:
        return {}
    rows = session.execute(select(Person.id, Person.full_name).where(Person.id.in_(ids))).all()
    return {pid: name for pid, name in rows}


def organisation_names(session: Session, ids: set[str]) -> dict[str, str]:
    """Names for a set of organisation ids (for labels of other capabilities)."""
    if not ids:
        return {}
    query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))
    return {oid: name for oid, name in session.execute(query)}


def people_by_ids(session: Session, ids: set[str]) -> list[PersonRead]:
    """The people with these ids, with their organisation's name and whether they hold an
    administrator role, in three queries whatever their number (monitoring scores a batch of
    events with them)."""
    if not ids:
        return []
    rows = session.scalars(select(Person).where(Person.id.in_(ids))).all()
    orgs = organisation_names(session, {p.organisation_id for p in rows})
    out = []
    for p in rows:
        read = PersonRead.model_validate(p)
        read.organisation_name = orgs.get(p.organisation_id)
        out.append(read)
    return out


def administrators_among(session: Session, ids: set[str]) -> set[str]:
    """Those of these people whose login holds the admin role."""
    if not ids:
        return set()
    query = (
        select(User.person_id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.person_id.in_(ids), UserRole.role == Role.ADMIN)
    )
    return set(session.scalars(query))


def organisations_named(session: Session, name: str) -> list[str]:
    """Ids of the organisations called `name`, case-insensitively (for typed filters)."""
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.strip().lower())
    return list(session.scalars(query))


def list_people(
    session: Session, *, actor: Actor, filters: PersonFilter, page: PageParams
) -> tuple[list[PersonRead], int]:
    """A page of people the actor may see."""
    query = repository.filter_people(repository.people_visible_to(actor), filters)
    rows, total = paginate(session, query, page)
    orgs = dict(session.execute(select(Organisation.id, Organisation.name)).all())
    out = []
    for p in rows:
        read = PersonRead.model_validate(p)
        read.organisation_name = orgs.get(p.organisation_id)
        out.append(read)
    return out, total


def search_people(session: Session, *, actor: Actor, q: str) -> list[PersonRead]:
    """People the actor may see: the email typed first, then names or emails containing the
    words (the global search)."""
    rows = core_search.matching(
        session,
        repository.people_visible_to(actor),
        exact=[Person.email],
        names=[Person.full_name, Person.email],
        q=q,
        order=Person.full_name,
    )
    return [_person_read(session, p) for p in rows]


def check_departure_date(on: date | None) -> None:
    """Departure dates more than ten years away are surely a typo."""
    if on is not None and abs((on - clock.today()).days) > 3650:
        raise Invalid(
            f"departure date {on} is more than ten years away; check the year", field="on"
        )


#: what an access decision reads of a person, in one query of plain columns (no ORM objects)
_STANDING = select(
    *Person.__table__.columns,
    Organisation.name.label("organisation_name"),
    Organisation.kind.label("organisation_kind"),
    Organisation.status.label("organisation_status"),
    func.coalesce(
        select(User.active).where(User.person_id == Person.id).scalar_subquery(), True
    ).label("account_active"),
).join(Organisation, Organisation.id == Person.organisation_id)
_STANDING_BY_ID = _STANDING.where(Person.id == bindparam("ref"))
_STANDING_BY_EMAIL = _STANDING.where(func.lower(Person.email) == bindparam("ref"))


def person_standing(session: Session, *, person_ref: str) -> PersonStanding:
    """A person by id or email as an access decision reads them, whoever asks (the rules need
    the facts): the person, their organisation's kind and status, their login's state."""
    email = person_ref.strip().lower()
    row = None
    if "@" not in person_ref:  # an email is never an id: straight to the (indexed) lookup
        row = read(session, _STANDING_BY_ID, {"ref": person_ref}).first()
    row = row or read(session, _STANDING_BY_EMAIL, {"ref": email}).first()
    if row is None:
        raise PersonNotFound(
            f"no person {person_ref!r}; `crownjewels people list` shows the ones that exist"
        )
    return PersonStanding.model_validate(row._mapping)


def mfa_in_place(session: Session, *, person_id: str) -> bool:
    """Whether the person's own sign-in is two-factor: their login has TOTP enrolled (True with
    no login at all: no session of theirs exists, and a hand-out to them goes by the MFA of the
    session that hands it out)."""
    user = session.scalar(select(User).where(User.person_id == person_id))
    return user is None or user.mfa_enrolled_at is not None


def people_of(
    session: Session, *, organisation_id: str, active_only: bool = True
) -> list[PersonRead]:
    """The people of an organisation (only the active ones by default), by name."""
    query = select(Person).where(Person.organisation_id == organisation_id)
    if active_only:
        query = query.where(Person.status == PersonStatus.ACTIVE)
    return [_person_read(session, p) for p in session.scalars(query.order_by(Person.full_name))]


def own_organisation(session: Session) -> OrganisationRead | None:
    """Our own company's organisation record (None before it is registered)."""
    row = session.scalar(select(Organisation).where(Organisation.kind == OrgKind.OWN))
    return OrganisationRead.model_validate(row) if row is not None else None


def person_id_by_label(session: Session, *, actor: Actor, label: str) -> str:
    """The id of a visible person named by id, email or full name (as a spreadsheet names an
    owner); a name two people share is refused, asking for the email instead."""
    if "@" in label:
        return _person(session, actor, label).id
    query = repository.people_visible_to(actor).where(
        func.lower(Person.full_name) == " ".join(label.split()).lower()
    )
    found = session.scalars(query.with_only_columns(Person.id).limit(2)).all()
    if len(found) > 1:
        raise Invalid(f"more than one person is named {label!r}; give their email instead")
    if found:
        return found[0]
    return _person(session, actor, label).id


def directory(session: Session) -> list[PersonHandle]:
    """Every person with their email and login (one query, whatever their number): what
    monitoring maps the actors of a batch of activity to."""
    query = select(Person.id, Person.organisation_id, Person.email, User.id, User.username)
    rows = session.execute(query.outerjoin(User, User.person_id == Person.id))
    return [
        PersonHandle(
            person_id=pid, organisation_id=oid, email=email, user_id=uid, username=username
        )
        for pid, oid, email, uid, username in rows
    ]
