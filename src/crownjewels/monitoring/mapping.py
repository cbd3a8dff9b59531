"""Who and what an event is about: actors to people (their email, their login's username, the
identities monitoring keeps: usernames, key ids, other emails; case-insensitive) and resources
to secrets (each location's patterns). Loaded once per batch into memory; an actor that is no
one and a resource that matches no pattern are kept as they are (unknown, unclassified)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.inventory import service as inventory
from crownjewels.monitoring.models import Identity
from crownjewels.parties import service as parties

#: characters that make a pattern a glob rather than a prefix
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True, slots=True)
class Who:
    """The person an actor is, and their organisation."""

    person_id: str
    organisation_id: str


@dataclass
class People:
    """Every name a person goes by, lower-cased, and the logins (user ids) of each person."""

    by_name: dict[str, Who] = field(default_factory=dict)
    by_user: dict[str, Who] = field(default_factory=dict)
    by_person: dict[str, Who] = field(default_factory=dict)

    def of(self, actor: str) -> Who | None:
        """The person an actor names (an email, a username, a key id), or None: unknown."""
        return self.by_name.get(actor.strip().lower())

    def of_user(self, user_id: str) -> Who | None:
        """The person behind a login (custody's `user:<id>` actors)."""
        return self.by_user.get(user_id)


def load_people(session: Session) -> People:
    """The directory in memory: two queries, whatever the number of people."""
    people = People()
    for handle in parties.directory(session):
        who = Who(handle.person_id, handle.organisation_id)
        people.by_person[handle.person_id] = who
        people.by_name[handle.email.lower()] = who
        if handle.username:
            # a login's username is a name the person goes by too, unless someone's email
            people.by_name.setdefault(handle.username.lower(), who)
        if handle.user_id:
            people.by_user[handle.user_id] = who
    rows = session.execute(select(Identity.value, Identity.person_id))
    for value, person_id in rows:
        if person_id in people.by_person:
            # an identity monitoring keeps wins over a username that happens to match it
            people.by_name[value] = people.by_person[person_id]
    return people


def pattern_matcher(pattern: str) -> re.Pattern[str]:
    """A location pattern as a regular expression over a resource.

    - a glob (has *, ? or [...]): `**` crosses folders, `*` and `?` stay within one, matched
      against the whole resource (`/srv/sftp/recipes/**`, `https://drive.example.com/*/recipes`);
    - `s3://bucket/prefix`: a plain prefix, as S3 itself reads one (`s3://b/rec` holds
      `s3://b/recipes.pdf`);
    - anything else (a URL, a path, a repository): the resource itself or anything beneath it
      (`https://github.com/acme/recipes` holds `.../recipes/blob/main/x.c`, not `.../recipes-old`).
    """
    if _GLOB.search(pattern):
        out, i = [], 0
        while i < len(pattern):
            c = pattern[i]
            if pattern.startswith("**", i):
                out.append(".*")
                i += 2
                continue
            if c == "*":
                out.append("[^/]*")
            elif c == "?":
                out.append("[^/]")
            elif c == "[":
                end = pattern.find("]", i + 1)
                if end == -1:
                    out.append(re.escape(c))
                else:
                    body = pattern[i + 1 : end].replace("\\", "\\\\")
                    out.append(f"[{'^' + body[1:] if body.startswith('!') else body}]")
                    i = end
            else:
                out.append(re.escape(c))
            i += 1
        return re.compile("".join(out) + r"\Z")
    if pattern.lower().startswith("s3://"):
        return re.compile(re.escape(pattern))
    stem = pattern.rstrip("/")
    return re.compile(re.escape(stem) + r"(?:\Z|[/?#])")


@dataclass
class Locations:
    """The patterns of every secret's locations; the most specific (longest) pattern that
    matches a resource names its secret."""

    matchers: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    _seen: dict[str, str | None] = field(default_factory=dict)

    def secret_of(self, resource: str) -> str | None:
        """The secret a resource belongs to, or None: unclassified."""
        if resource in self._seen:
            return self._seen[resource]
        found = None
        for matcher, secret_id in self.matchers:
            if matcher.match(resource):
                found = secret_id
                break
        if len(self._seen) < 100_000:
            self._seen[resource] = found
        return found


def locations_from(entries: list[tuple[str, str]]) -> Locations:
    """Locations from (pattern, secret id) pairs, the longest pattern tried first."""
    ordered = sorted(entries, key=lambda e: len(e[0]), reverse=True)
    return Locations(matchers=[(pattern_matcher(p), sid) for p, sid in ordered])


def load_locations(session: Session) -> Locations:
    """Every location's patterns in memory (one query)."""
    entries = [
        (pattern, match.secret_id)
        for match in inventory.location_matches(session)
        for pattern in match.patterns
    ]
    return locations_from(entries)


@dataclass
class Mapping:
    """What one batch maps its events with."""

    people: People
    locations: Locations


def load(session: Session) -> Mapping:
    """The people and locations for one batch."""
    return Mapping(people=load_people(session), locations=load_locations(session))
