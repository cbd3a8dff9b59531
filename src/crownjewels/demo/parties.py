"""The demo's organisations, people, logins (one per role, TOTP enrolled as at a first login)
and departures."""

from __future__ import annotations

from datetime import timedelta

import pyotp

from crownjewels.core import clock
from crownjewels.core.sealing import Sealer
from crownjewels.demo.context import Seeding
from crownjewels.demo.credentials import demo_logins
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import Departure, OrganisationCreate, PersonCreate, UserCreate


def seed_organisations(run: Seeding) -> None:
    """Every organisation; the own one takes the company name given to the demo."""
    for key, org in run.company.organisations.items():
        data = OrganisationCreate.model_validate(
            {
                "name": org.name or run.company_name,
                "kind": org.kind,
                "country": org.country,
                "website": org.website,
                "notes": org.notes,
            }
        )
        run.orgs[key] = parties.create_organisation(run.session, actor=run.actor, data=data).id


def seed_people(run: Seeding) -> None:
    """The logins' people first (vendor staff at a vendor), then everyone else."""
    company = run.company
    rows = [
        {
            "organisation": login.organisation,
            "name": login.name,
            "email": login.email,
            "kind": login.kind,
            "country": company.organisations[login.organisation].country,
            "title": login.title,
        }
        for login in company.logins.values()
    ] + [person.model_dump() for person in company.people]
    for row in rows:
        data = PersonCreate.model_validate(
            {
                "full_name": row["name"],
                "email": run.email(row["organisation"], row["email"]),
                "organisation_id": run.orgs[row["organisation"]],
                "kind": row["kind"],
                "country": row["country"],
                "title": row["title"],
            }
        )
        parties.create_person(run.session, actor=run.actor, data=data)


def seed_logins(run: Seeding) -> None:
    """One login per role, each with TOTP enrolled (as the user would at first login)."""
    sealer = Sealer(run.secret_key)
    for login in demo_logins(run.secret_key):
        user = accounts.create_user(
            run.session,
            actor=run.actor,
            data=UserCreate(person_id=login.email, password=run.password, roles=[login.role]),
        )
        code = pyotp.TOTP(login.totp_secret).at(clock.now())
        accounts.confirm_mfa_enrolment(
            run.session, user_id=user.id, secret=login.totp_secret, code=code, sealer=sealer
        )
        run.users[login.role] = accounts.actor_for_user(run.session, user_id=user.id, mfa=True)


def seed_departures(run: Seeding) -> None:
    """People who left (days in the past) or are leaving (days ahead)."""
    today = clock.today()
    for local, days in run.company.departures.items():
        organisation, _name = run.company.person(local)
        parties.depart_person(
            run.session,
            actor=run.actor,
            person_ref=run.email(organisation, local),
            departure=Departure(on=today + timedelta(days=days)),
        )
