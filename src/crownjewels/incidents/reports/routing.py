"""Who a report reaches: the case handlers, less those the reporter names as involved (or asks
to keep away); the people a reporter names, matched by full name or email; the person a named
reporter is (to protect them)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.permissions import Role
from crownjewels.incidents.models import Report
from crownjewels.parties import accounts
from crownjewels.parties import service as parties
from crownjewels.parties.notifications import service as notifications

READER = fact_reader("incidents")
#: how a reporter separates the people they name
_SEPARATORS = re.compile(r"[,;\n]|\band\b|&", re.IGNORECASE)
#: what a piece of the typed text may carry around a name: "Mr. ", "(the plant manager)"
_NOISE = re.compile(r"\([^)]*\)|\b(mr|mrs|ms|dr)\.?\s", re.IGNORECASE)


@dataclass(frozen=True)
class Handler:
    """A case handler as the intake form and the routing know them."""

    person_id: str
    name: str
    email: str


def handlers(session: Session) -> list[Handler]:
    """Every person with an active login holding the case-handler role, by name."""
    found = notifications.holders_of(session, [Role.CASE_HANDLER.value])
    return [Handler(person_id=r.person_id or "", name=r.name, email=r.email) for r in found]


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def people_named(session: Session, typed: str) -> list[str]:
    """The ids of the people a piece of text names by their full name or email (every one of
    them when two share a name: routing away errs on the side of the reporter)."""
    found: list[str] = []
    for piece in _SEPARATORS.split(typed):
        wanted = " ".join(_NOISE.sub(" ", piece).split())
        if len(wanted) < 3:
            continue
        for person in parties.search_people(session, actor=READER, q=wanted):
            if (_same(person.full_name, wanted) or _same(person.email, wanted)) and (
                person.id not in found
            ):
                found.append(person.id)
    return found


def reporter_person(session: Session, name: str | None, contact: str | None) -> str | None:
    """The person a reporter who gave their name is: the one whose email they gave, else the
    one person of that full name (none when nobody, or several, match)."""
    if contact and "@" in contact:
        by_email = people_named(session, contact.strip())
        if len(by_email) == 1:
            return by_email[0]
    if name:
        by_name = [p for p in people_named(session, name) if p]
        if len(by_name) == 1:
            return by_name[0]
    return None


def routed_away(report: Report, actor: Actor) -> bool:
    """Whether the report names the actor's person as involved: they must not see it."""
    return bool(actor.person_id) and actor.person_id in (report.involved_people or [])


def person_of_user(session: Session, user_id: str) -> str | None:
    """The person of a login."""
    return accounts.get_user(session, user_id=user_id).person_id
