"""The intake: a batch of activity in the documented format is checked line by line, mapped to
people and secrets, stored append-only, queued for scoring, and recorded once in custody."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Permission, Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import LocationCreate, LocationKind, LocationPatterns
from crownjewels.monitoring import service
from crownjewels.monitoring.errors import IdentityTaken, TooManyEvents
from crownjewels.monitoring.intake import MAX_BATCH
from crownjewels.monitoring.models import ActivityEvent, PendingScore
from crownjewels.monitoring.schemas import (
    IdentityCreate,
    IdentityKind,
    Severity,
    Signal,
    SignalKind,
)
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person

AT = "2026-12-01T03:12:00Z"


def _line(**fields: object) -> str:
    event = {"time": AT, "actor": "x@example.com", "action": "download", "resource": "/tmp/x"}
    event.update(fields)
    return json.dumps(event)


def _events(session: Session) -> list[ActivityEvent]:
    return list(session.scalars(select(ActivityEvent).order_by(ActivityEvent.id)))


def _ingested(session: Session) -> list[CustodyEvent]:
    custody.flush(session)
    query = select(CustodyEvent).where(CustodyEvent.event_type == "ACTIVITY_INGESTED")
    return list(session.scalars(query))


def test_good_lines_are_kept_and_each_bad_one_named(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    lines = [
        _line(actor=person.email.upper(), bytes=12345, ip="203.0.113.5", country="in"),
        "{not json",
        "",
        _line(action="downlaod"),
        _line(time="yesterday"),
        json.dumps([1, 2]),
        _line(actor="someone-else", user="extra"),
        _line(actor="unknown-key-AKIA1"),
        _line(resource="/srv/a\u0000b"),
    ]
    result = service.ingest(session, actor=admin, lines=lines, channel="api")

    assert result.accepted == 2
    assert result.unknown_actors == 1
    assert result.unclassified == 2
    reasons = {r.line: r.reason for r in result.rejected}
    assert sorted(reasons) == [2, 4, 5, 6, 7, 9]
    assert "not JSON" in reasons[2]
    assert "'downlaod' is not one of" in reasons[4] and "download" in reasons[4]
    assert "2026-12-01T03:12:00Z" in reasons[5]
    assert "JSON object is expected" in reasons[6]
    assert "user is not a field of the format" in reasons[7]
    assert "resource holds a NUL character" in reasons[9]

    first, second = _events(session)
    assert first.person_id == person.id and first.organisation_id == person.organisation_id
    assert (first.bytes, first.ip, first.country, first.channel) == (
        12345,
        "203.0.113.5",
        "IN",
        "api",
    )
    assert first.occurred_at == datetime(2026, 12, 1, 3, 12, tzinfo=UTC)
    assert second.person_id is None and second.actor == "unknown-key-AKIA1"

    keys = dict(session.execute(select(PendingScore.event_id, PendingScore.person_key)).all())
    assert keys == {first.id: person.id, second.id: "actor:unknown-key-akia1"}

    (recorded,) = _ingested(session)
    details = json.loads(recorded.details)
    assert details["accepted"] == 2 and details["rejected"] == 6
    assert details["first_event_id"] == first.id and details["last_event_id"] == second.id


def test_resources_map_to_secrets_by_their_locations_patterns(
    session: Session, admin: Actor
) -> None:
    recipes = make_secret(session, admin, name="Recipes")
    process = make_secret(session, admin, name="Process")
    inventory.add_location(
        session,
        actor=admin,
        secret_ref=recipes.ref,
        data=LocationCreate(
            kind=LocationKind.REPOSITORY,
            name="GitHub",
            patterns=["https://github.com/acme/recipes", "s3://acme-data/recipes/"],
        ),
    )
    added = inventory.add_location(
        session,
        actor=admin,
        secret_ref=process.ref,
        data=LocationCreate(kind=LocationKind.SYSTEM, name="SFTP"),
    )
    inventory.set_location_patterns(
        session,
        actor=admin,
        secret_ref=process.ref,
        location_id=added.locations[0].id,
        data=LocationPatterns(patterns=["/srv/sftp/*/process/**"]),
    )
    resources = {
        "https://github.com/acme/recipes/blob/main/mix.c": recipes.id,
        "https://github.com/acme/recipes": recipes.id,
        "https://github.com/acme/recipes-old/x": None,
        "s3://acme-data/recipes/2026/a.pdf": recipes.id,
        "/srv/sftp/vendor1/process/line/a.csv": process.id,
        "/srv/sftp/vendor1/other/a.csv": None,
    }
    lines = [_line(resource=r) for r in resources]
    result = service.ingest(session, actor=admin, lines=lines, channel="file")
    assert result.accepted == len(resources) and result.unclassified == 2
    assert {e.resource: e.secret_id for e in _events(session)} == resources


def test_identities_map_usernames_and_keys_to_their_person(session: Session, admin: Actor) -> None:
    person = make_person(session, admin, name="Rohan Gupta")
    other = make_person(session, admin)
    service.add_identity(
        session,
        actor=admin,
        data=IdentityCreate(person=person.email, kind=IdentityKind.USERNAME, value="RGupta"),
    )
    key = service.add_identity(
        session,
        actor=admin,
        data=IdentityCreate(person="Rohan Gupta", kind=IdentityKind.KEY, value="AKIAEXAMPLE1"),
    )
    assert key.person_name == "Rohan Gupta" and key.value == "akiaexample1"
    with pytest.raises(IdentityTaken, match="already Rohan Gupta's"):
        service.add_identity(
            session,
            actor=admin,
            data=IdentityCreate(person=other.email, kind=IdentityKind.KEY, value="akiaexample1"),
        )
    with pytest.raises(IdentityTaken, match="own email"):
        service.add_identity(
            session,
            actor=admin,
            data=IdentityCreate(person=person.email, kind=IdentityKind.EMAIL, value=other.email),
        )
    lines = [_line(actor="rgupta"), _line(actor="AKIAEXAMPLE1"), _line(actor="nobody")]
    service.ingest(session, actor=admin, lines=lines, channel="syslog")
    assert [e.person_id for e in _events(session)] == [person.id, person.id, None]

    listed = service.identities_of(session, actor=admin, person_ref=person.email)
    assert [(i.kind, i.value) for i in listed] == [("key", "akiaexample1"), ("username", "rgupta")]
    service.remove_identity(session, actor=admin, identity_id=key.id)
    assert len(service.identities_of(session, actor=admin, person_ref=person.email)) == 1


def test_a_batch_beyond_the_limit_is_refused_whole(session: Session, admin: Actor) -> None:
    lines = [_line()] * (MAX_BATCH + 1)
    with pytest.raises(TooManyEvents, match="at most 10,000"):
        service.ingest(session, actor=admin, lines=lines, channel="api")
    assert _events(session) == []
    result = service.ingest(session, actor=admin, lines=lines[:MAX_BATCH], channel="api")
    assert result.accepted == MAX_BATCH
    ids = [e.id for e in _events(session)]
    assert len(set(ids)) == MAX_BATCH and ids == sorted(ids)
    assert len(_ingested(session)) == 1, "one custody event per batch, not one per event"


def test_only_an_ingest_scoped_token_sends_activity(session: Session, admin: Actor) -> None:
    roles = frozenset({Role.SECURITY})
    ingest_token = Actor(
        kind="user", id="u1", name="siem", roles=roles, scopes=frozenset({"ingest"})
    )
    write_token = Actor(
        kind="user", id="u1", name="siem", roles=roles, scopes=frozenset({"read", "write"})
    )
    result = service.ingest(session, actor=ingest_token, lines=[_line()], channel="api")
    assert result.accepted == 1
    assert ingest_token.permissions == {Permission.ACTIVITY_INGEST}, "and nothing else"
    with pytest.raises(Forbidden, match="activity:ingest"):
        service.ingest(session, actor=write_token, lines=[_line()], channel="api")
    auditor = Actor(kind="user", id="u2", name="a", roles=frozenset({Role.AUDITOR}))
    with pytest.raises(Forbidden):
        service.ingest(session, actor=auditor, lines=[_line()], channel="api")


def test_a_signal_is_an_event_scored_like_any_other(session: Session, admin: Actor) -> None:
    secret = make_secret(session, admin)
    event_id = service.raise_signal(
        session,
        actor=admin,
        signal=Signal(
            kind=SignalKind.CANARY,
            secret_id=secret.id,
            summary="The canary document of TS-0001 was opened",
            reference="CT-0003",
            occurred_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
            ip="198.51.100.7",
            severity=Severity.CRITICAL,
        ),
    )
    (event,) = _events(session)
    assert event.id == event_id
    assert (event.action, event.channel, event.secret_id) == ("signal", "signal", secret.id)
    assert event.details["kind"] == "canary" and event.details["severity"] == "critical"
    assert session.scalar(select(func.count()).select_from(PendingScore)) == 1
