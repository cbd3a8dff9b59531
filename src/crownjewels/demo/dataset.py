"""The demo company's data: YAML files in `data/`, each read into a typed model whose every
error (a wrong value or a key that names nothing) names the file and the line."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from crownjewels.core import datafile
from crownjewels.core.datafile import DataFileError, Loc, Problem
from crownjewels.core.permissions import Role
from crownjewels.parties.schemas import CountryCode, OrgKind, PersonKind

#: the demo's data files, shipped in the package
DATA = Path(__file__).parent / "data"

#: a key that must name something: where it is, its value, what it may be, what it names
Reference = tuple[Loc, str, Collection[str], str]


class DemoDataError(DataFileError):
    """A demo data file that cannot be used; `problems` lists (line, message) pairs."""


class Record(BaseModel):
    """One record of a demo data file: unknown fields are errors, values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DataFile(Record):
    """A whole demo data file; `references` lists the keys that must name a record."""

    def references(self, company: Company) -> Iterator[Reference]:
        """Every key in this file that names an organisation, a person or a login."""
        return iter(())


class Organisation(Record):
    """An organisation; the own company's name is the one given to the demo (none here)."""

    name: str | None = None
    kind: OrgKind
    country: CountryCode
    domain: str
    website: str | None = None
    notes: str


class Login(Record):
    """The login of one role: its person (email local part at the organisation's domain)."""

    email: str
    organisation: str
    kind: PersonKind
    name: str
    title: str


class Person(Record):
    """A person without a login."""

    organisation: str
    name: str
    email: str
    kind: PersonKind
    country: CountryCode
    title: str


class CompanyName(Record):
    """The demo company's default name and its staff's email domain."""

    name: str
    domain: str


class Company(DataFile):
    """company.yaml: organisations by key, logins by role, people, departures in days."""

    company: CompanyName
    organisations: dict[str, Organisation]
    logins: dict[Role, Login]
    people: list[Person]
    departures: dict[str, int]

    def email(self, organisation: str, local: str) -> str:
        """The email of a person of an organisation, from its local part."""
        return f"{local}@{self.organisations[organisation].domain}"

    def staff(self, local: str) -> str:
        """The email of a person of the company or its subsidiary."""
        return f"{local}@{self.company.domain}"

    def login_email(self, role: Role) -> str:
        """The email of the login of a role."""
        login = self.logins[role]
        return self.email(login.organisation, login.email)

    def person(self, local: str) -> tuple[str, str]:
        """The (organisation key, full name) of a person or login by email local part."""
        for login in self.logins.values():
            if login.email == local:
                return login.organisation, login.name
        found = next(p for p in self.people if p.email == local)
        return found.organisation, found.name

    def locals(self) -> set[str]:
        """Every person's email local part (logins included)."""
        return {p.email for p in self.people} | {login.email for login in self.logins.values()}

    def references(self, company: Company) -> Iterator[Reference]:
        """Logins and people name an organisation; departures name a person."""
        orgs = self.organisations.keys()
        for role, login in self.logins.items():
            yield ("logins", role.value, "organisation"), login.organisation, orgs, "organisation"
        for i, person in enumerate(self.people):
            yield ("people", i, "organisation"), person.organisation, orgs, "organisation"
        for local in self.departures:
            yield ("departures", local), local, self.locals(), "person"


F = TypeVar("F", bound=DataFile)


def parse(text: str, *, source: str, model: type[F], company: Company | None = None) -> F:
    """Validate the text of one demo data file; DemoDataError lists each problem at its line.
    `company` is what its keys may name (company.yaml itself when None)."""
    doc = datafile.compose(text, source=source, error=DemoDataError)
    if not isinstance(doc.data, dict):
        raise DemoDataError(source, [(doc.line(()) or 1, "a demo data file is a mapping")])
    try:
        loaded = model.model_validate(doc.data)
    except ValidationError as exc:
        raise DemoDataError(source, doc.problems(exc)) from None
    names = company if company is not None else loaded
    assert isinstance(names, Company)
    problems: list[Problem] = [
        (doc.line(loc), _names_nothing(loc, value, known, what))
        for loc, value, known, what in loaded.references(names)
        if value not in known
    ]
    if problems:
        raise DemoDataError(source, problems)
    return loaded


def _names_nothing(loc: Loc, value: str, known: Collection[str], what: str) -> str:
    return (
        f"{datafile.where(loc)}: {value!r} names no {what}; use one of {', '.join(sorted(known))}"
    )


def load(name: str, model: type[F]) -> F:
    """Read and validate the shipped data file `name` (e.g. "vendors.yaml"), once."""
    loaded = _load(name, model)
    assert isinstance(loaded, model)
    return loaded


@cache
def _load(name: str, model: type[DataFile]) -> DataFile:
    path = DATA / name
    text = datafile.read_text(path, what="a demo data file")
    return parse(text, source=str(path), model=model, company=company())


@cache
def company() -> Company:
    """The demo company's organisations, logins and people (company.yaml)."""
    path = DATA / "company.yaml"
    text = datafile.read_text(path, what="a demo data file")
    return parse(text, source=str(path), model=Company)
