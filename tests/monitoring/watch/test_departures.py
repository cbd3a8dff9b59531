"""Departure watches: a notice recorded on a person opens DW-… in the same transaction with
its look-back against their own baseline and peers', puts them under heightened thresholds
until their last day, gives HR and legal their report; who may read and close it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core import departures as core_departures
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.departures import NoticeGiven
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.monitoring.models import ActivityEvent, DepartureWatch, PendingScore
from crownjewels.monitoring.watch import lookback, repository, service
from crownjewels.monitoring.watch.departures import GRACE_DAYS
from crownjewels.monitoring.watch.lookback import DayTotals
from crownjewels.parties import imports
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import Departure, OrgKind
from crownjewels.training import service as training
from tests.inventory.factories import make_secret
from tests.monitoring.watch.factories import alert, at, daily, events
from tests.parties.factories import actor_for, make_org, make_person, make_user


def _team(session: Session, admin: Actor) -> tuple[str, str, str]:
    """Rohan (who will leave), a peer of the same organisation and kind, and a secret;
    Rohan downloads 2 documents a day for 180 days, his peer 3, and Rohan 48 on one day
    ten days ago."""
    org = make_org(session, admin, kind=OrgKind.SUBSIDIARY)
    rohan = make_person(session, admin, org=org, name="Rohan Gupta", country="IN")
    peer = make_person(session, admin, org=org, name="Priya Peer", country="IN")
    secret = make_secret(session, admin, name="Brine recipe")
    today = clock.today()
    start = today - timedelta(days=179)
    rows = daily(rohan.id, start, 180, 2, action="download", secret_id=secret.id)
    rows += daily(peer.id, start, 180, 3, action="download", secret_id=secret.id)
    burst = today - timedelta(days=10)
    rows += [
        {
            "occurred_at": at(burst, 2, 10 + n % 14),
            "action": "download",
            "person_id": rohan.id,
            "actor": rohan.email,
            "secret_id": secret.id,
            "document_id": f"burst-{n}",
            "bytes": 2_000_000,
        }
        for n in range(48)
    ]
    events(session, rows)
    return rohan.id, peer.id, secret.id


def test_a_notice_opens_a_watch_with_its_look_back(session: Session, admin: Actor) -> None:
    rohan, peer, _ = _team(session, admin)
    notice_on, last_day = clock.today() - timedelta(days=2), clock.today() + timedelta(days=28)
    person = parties.depart_person(
        session,
        actor=admin,
        person_ref=rohan,
        departure=Departure(on=last_day, notice_on=notice_on),
    )
    assert person.status == "departing" and person.notice_on == notice_on
    watch = service.watch_of_person(session, actor=admin, person_id=rohan)
    assert watch is not None and watch.ref.startswith("DW-") and watch.status == "open"
    assert (watch.notice_on, watch.last_day, watch.heightened) == (notice_on, last_day, True)
    lb = watch.lookback
    assert lb is not None and lb.peers == 1 and lb.baseline_days == 90
    burst = clock.today() - timedelta(days=10)
    taken = [u for u in lb.unusual_days if u.measure == "taken"]
    assert [(u.day, u.value, u.own_median, u.peer_median) for u in taken] == [
        (burst, 50, 2, 3)
    ]  # 48 + the usual 2
    assert f"notice of departure given on {notice_on}" in lb.summary
    assert rohan in service.watched_people(session) and peer not in service.watched_people(session)
    kinds = [
        e.event_type
        for e in custody.history(
            session, subject_type="departure-watch", subject_id=_id(session, watch.ref)
        )
    ]
    assert kinds == ["DEPARTURE_WATCH_OPENED"]


def _id(session: Session, ref: str) -> str:
    row = session.query(DepartureWatch).filter_by(ref=ref).one()
    return row.id


def test_a_new_notice_moves_the_open_watch_instead_of_opening_another(
    session: Session, admin: Actor
) -> None:
    rohan, _, _ = _team(session, admin)
    first = service.give_notice(
        session,
        actor=admin,
        person_ref=rohan,
        notice_on=clock.today(),
        last_day=clock.today() + timedelta(days=30),
    )
    again = service.give_notice(
        session,
        actor=admin,
        person_ref=rohan,
        notice_on=clock.today(),
        last_day=clock.today() + timedelta(days=14),
    )
    assert again.ref == first.ref and again.last_day == clock.today() + timedelta(days=14)
    kinds = [
        e.event_type
        for e in custody.history(
            session, subject_type="departure-watch", subject_id=_id(session, first.ref)
        )
    ]
    assert sorted(kinds) == ["DEPARTURE_WATCH_OPENED", "DEPARTURE_WATCH_UPDATED"]
    assert [w.ref for w in service.list_watches(session, actor=admin)].count(first.ref) == 1


def test_a_notice_after_the_last_day_is_refused(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    with pytest.raises(Invalid, match="notice comes first"):
        service.give_notice(
            session,
            actor=admin,
            person_ref=person.id,
            notice_on=clock.today(),
            last_day=clock.today() - timedelta(days=1),
        )
    with pytest.raises(ValueError, match="notice comes first"):
        Departure(on=clock.today(), notice_on=clock.today() + timedelta(days=1))
    with pytest.raises(ValueError, match="give the last day"):
        Departure(notice_on=clock.today())


def test_heightened_only_until_the_last_day_and_closed_after_the_grace(
    session: Session, admin: Actor
) -> None:
    person = make_person(session, admin)
    watch = service.give_notice(
        session,
        actor=admin,
        person_ref=person.id,
        notice_on=clock.today() - timedelta(days=60),
        last_day=clock.today() - timedelta(days=1),
    )
    assert watch.status == "open" and not watch.heightened
    assert person.id not in service.watched_people(session)
    assert service.close_ended(session, actor=admin) == []
    later = clock.today() + timedelta(days=GRACE_DAYS)
    assert service.close_ended(session, actor=admin, today=later) == [watch.ref]
    assert service.get_watch(session, actor=admin, ref=watch.ref).status == "closed"


def test_closing_a_watch_needs_a_reason_and_ends_the_heightened_thresholds(
    session: Session, admin: Actor
) -> None:
    person = make_person(session, admin)
    watch = service.give_notice(
        session,
        actor=admin,
        person_ref=person.email,
        notice_on=clock.today(),
        last_day=clock.today() + timedelta(days=20),
    )
    with pytest.raises(Invalid, match="say why"):
        service.close_watch(session, actor=admin, ref=watch.ref, reason=" ")
    closed = service.close_watch(session, actor=admin, ref=watch.ref.lower(), reason="all clear")
    assert closed.status == "closed" and closed.closed_by == admin.ref
    assert person.id not in service.watched_people(session)


def test_the_report_lists_what_they_took_alerts_and_exit_obligations(
    session: Session, admin: Actor
) -> None:
    rohan, _, secret_id = _team(session, admin)
    events(
        session,
        [
            {
                "occurred_at": at(clock.today() - timedelta(days=5)),
                "action": "view",
                "person_id": rohan,
                "actor": "rohan",
                "resource": "https://wiki.example.com/private",
            }
        ],
    )
    alert(
        session,
        person_id=rohan,
        secret_ids=[secret_id],
        when=at(clock.today() - timedelta(days=10), 2, 24),
        status="confirmed",
        resolution="took the recipe",
    )
    watch = service.give_notice(
        session,
        actor=admin,
        person_ref=rohan,
        notice_on=clock.today(),
        last_day=clock.today() + timedelta(days=10),
    )
    training.acknowledge(
        session,
        actor=admin,
        person_id=rohan,
        kind="exit-obligations",
        text="I return every copy and keep the secrets secret after I leave.",
    )
    found = service.report(session, actor=admin, ref=watch.ref)
    (taken,) = found.taken
    assert taken.action == "download" and taken.secret_name == "Brine recipe"
    assert taken.count == 2 * 90 + 48  # the 90-day window, the burst within it
    (viewed,) = found.accessed
    assert viewed.secret_ref is None and viewed.resource == "https://wiki.example.com/private"
    assert [(a.status, a.resolution) for a in found.alerts] == [("confirmed", "took the recipe")]
    assert found.exit_obligations_attested and found.attestations[0].kind == "exit-obligations"


def test_only_readers_of_the_log_see_watches_and_only_hr_records_notices(
    session: Session, admin: Actor
) -> None:
    person = make_person(session, admin)
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER))
    legal = actor_for(session, make_user(session, admin, Role.LEGAL))
    with pytest.raises(Forbidden, match="parties:write"):
        service.give_notice(
            session,
            actor=legal,
            person_ref=person.id,
            notice_on=clock.today(),
            last_day=clock.today() + timedelta(days=5),
        )
    watch = service.give_notice(
        session,
        actor=admin,
        person_ref=person.id,
        notice_on=clock.today(),
        last_day=clock.today() + timedelta(days=5),
    )
    assert service.get_watch(session, actor=legal, ref=watch.ref).ref == watch.ref
    with pytest.raises(Forbidden, match="custody:read"):
        service.get_watch(session, actor=owner, ref=watch.ref)
    with pytest.raises(Forbidden, match="custody:read"):
        service.report(session, actor=owner, ref=watch.ref)


def test_an_import_with_notice_columns_opens_watches(session: Session, admin: Actor) -> None:
    org = make_org(session, admin, name="Import Org", kind=OrgKind.SUBSIDIARY)
    known = make_person(session, admin, org=org)
    soon = clock.today() + timedelta(days=20)
    csv = (
        "Name,Email,Organisation,Country,notice_date,last_day\n"
        f"Nia New,nia@example.com,Import Org,GB,{clock.today()},{soon}\n"
        f"Known,{known.email},Import Org,GB,{clock.today()},{soon}\n"
        "Sam Stays,sam@example.com,Import Org,GB,,\n"
    ).encode()
    report = imports.import_people(
        session, actor=admin, data=csv, source="people.csv", dry_run=False
    )
    assert report.written and len(report.created) == 3, report.lines
    watched = {w.person_email for w in service.list_watches(session, actor=admin)}
    assert {"nia@example.com", known.email} <= watched
    assert "sam@example.com" not in watched


def test_a_notice_is_kept_only_with_its_watch(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Session, actor: Actor, notice: NoticeGiven) -> None:
        raise RuntimeError("the watch could not open")

    monkeypatch.setattr(core_departures, "_LISTENERS", [*core_departures._LISTENERS, broken])
    with db.unit_of_work() as s:
        person = make_person(s, admin)
    departure = Departure(on=clock.today() + timedelta(days=9), notice_on=clock.today())
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        parties.depart_person(s, actor=admin, person_ref=person.id, departure=departure)
    with db.unit_of_work() as s:
        assert parties.get_person(s, actor=admin, person_ref=person.id).notice_on is None
        assert service.watch_of_person(s, actor=admin, person_id=person.id) is None


def test_the_database_sums_days_as_the_rule_does(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    day = clock.today() - timedelta(days=3)
    rows = [
        {"occurred_at": at(day, 0, 5), "action": "download", "document_id": "a", "bytes": 10},
        {"occurred_at": at(day, 23, 55), "action": "copy", "document_id": "a", "bytes": None},
        {"occurred_at": at(day, 12), "action": "print", "resource": "s3://b/x", "bytes": 7},
        {"occurred_at": at(day, 13), "action": "view", "document_id": "z"},
        {"occurred_at": at(day + timedelta(days=1), 0, 0), "action": "export", "bytes": 5},
    ]
    for row in rows:
        row.update(person_id=person.id, actor=person.email)
    events(session, rows)
    since, until = at(day - timedelta(days=1), 0), at(day + timedelta(days=2), 0)
    found = repository.daily_totals(session, [person.id], since, until)[person.id]
    expected = lookback.daily(
        (
            r["occurred_at"],
            r["action"],
            r.get("bytes"),
            r.get("document_id") or r.get("resource", "https://files.example.com/x"),
        )
        for r in rows
    )
    assert found == expected
    assert found[day] == DayTotals(events=4, taken=3, bytes=17, documents=2)


def test_unusual_days_go_to_the_scorer_as_a_signal_and_a_quiet_look_back_does_not(
    session: Session, admin: Actor
) -> None:
    rohan, _, _ = _team(session, admin)
    quiet = make_person(session, admin).id
    for who in (rohan, quiet):
        service.give_notice(
            session,
            actor=admin,
            person_ref=who,
            notice_on=clock.today(),
            last_day=clock.today() + timedelta(days=10),
        )
    signals = session.scalars(select(ActivityEvent).where(ActivityEvent.action == "signal")).all()
    (signal,) = [s for s in signals if s.person_id in (rohan, quiet)]
    watch = service.watch_of_person(session, actor=admin, person_id=rohan)
    assert watch is not None and signal.person_id == rohan
    assert signal.details["reference"] == watch.ref and signal.details["severity"] == "high"
    assert signal.details["summary"].startswith("Rohan Gupta")
    assert session.get(PendingScore, signal.id) is not None  # queued for the scorer
    # the signal is not something Rohan did: neither his report nor a new look-back counts it
    report = service.report(session, actor=admin, ref=watch.ref)
    assert all(line.action != "signal" for line in report.accessed + report.taken)
