"""The engine: each kind of rule fires on what it is for and stays quiet on an ordinary
history, explains itself in the person's own zone with the numbers, groups repeated hits, and
its state survives a save and restore as JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta

from crownjewels.monitoring.detection import checks
from crownjewels.monitoring.detection.engine import Detector
from crownjewels.monitoring.detection.types import Finding, GrantWindow, Observation
from crownjewels.monitoring.schemas import Action, Severity
from tests.monitoring.detection.factories import (
    OTHER,
    ROHAN,
    local,
    obs,
    peer,
    routine,
    workdays,
)

HISTORY = workdays(date(2026, 10, 1), 40)
NEXT = date(2026, 12, 2)  # a Wednesday after the history


def run(detector: Detector, observations: list[Observation]) -> list[Finding]:
    return [f for o in observations for f in detector.observe(o)]


def warmed() -> Detector:
    """Rohan and five peers after 40 ordinary working days."""
    detector = Detector()
    stream = routine(ROHAN, HISTORY)
    for n in range(5):
        stream += routine(peer(n), HISTORY, per_day=4)
    stream.sort(key=lambda o: o.occurred_at)
    assert run(detector, stream) == []
    return detector


def rules_of(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings}


def test_an_ordinary_day_finds_nothing() -> None:
    detector = warmed()
    assert run(detector, routine(ROHAN, [NEXT])) == []


def test_a_bulk_download_at_night_is_explained_in_the_persons_zone() -> None:
    detector = warmed()
    night = [obs(local(NEXT, 2, 10) + timedelta(seconds=18 * k), doc=f"x{k}") for k in range(48)]
    found = run(detector, night)
    assert {"bulk-secret", "unusual-day", "off-hours"} <= rules_of(found)
    bulk = [f for f in found if f.rule_id == "bulk-secret"]
    assert bulk[0].severity is Severity.HIGH
    assert bulk[0].explanation.startswith(
        "Rohan Gupta downloaded 15 documents of TS-0003 on Wed 2026-12-02 between "
        "02:10 and 02:14 IST, within an hour; their daily median is 3 documents (MAD 0), "
        "their peers' 4 documents"
    )
    assert bulk[-1].facts["documents"] >= 30  # fired again when the count doubled
    assert len({f.group_key for f in bulk}) == 1  # one alert, refreshed
    assert bulk[0].event_ids == [o.event_id for o in night[:15]]
    assert bulk[0].secret_ids == ["sec-1"] and bulk[0].person_key == "p-rohan"
    assert bulk[0].facts["group_window_s"] == 86400
    day = next(f for f in found if f.rule_id == "unusual-day")
    assert "their daily median is 3 documents (MAD 0), their peers' 4 documents" in (
        day.explanation
    )


def test_notice_of_departure_heightens_and_is_named() -> None:
    detector = warmed()
    leaving = replace(ROHAN, notice_on=date(2026, 11, 28), last_day=date(2026, 12, 31))
    found = run(
        detector,
        [obs(local(NEXT, 11, k), person=leaving, doc=f"x{k}") for k in range(9)],
    )
    bulk = next(f for f in found if f.rule_id == "bulk-secret")  # 15 × 0.5 = 8 documents
    assert bulk.facts["documents"] == 8 and bulk.facts["heightened"] is True
    assert bulk.severity is Severity.CRITICAL
    assert bulk.explanation.endswith("notice of departure given on 2026-11-28, last day 2026-12-31")
    departing = next(f for f in found if f.rule_id == "departing")
    assert "after giving notice" in departing.explanation


def test_access_after_the_last_day_is_critical() -> None:
    detector = warmed()
    gone = replace(ROHAN, notice_on=date(2026, 11, 1), last_day=date(2026, 11, 30))
    found = run(detector, [obs(local(NEXT, 10), person=gone)])
    after = next(f for f in found if f.rule_id == "departing")
    assert after.severity is Severity.CRITICAL
    assert "after their last day" in after.explanation


def test_a_new_country_and_impossible_travel() -> None:
    detector = warmed()
    found = run(
        detector,
        [
            obs(local(NEXT, 10), action=Action.VIEW),
            obs(local(NEXT, 10, 30), action=Action.VIEW, country="BR", ip="200.1.2.3"),
        ],
    )
    assert {"new-country", "impossible-travel", "region"} <= rules_of(found)
    assert "new-network" not in rules_of(found)  # a network alone: documents must follow
    travel = next(f for f in found if f.rule_id == "impossible-travel")
    assert "was seen in IN on Wed 2026-12-02 at 10:00 IST and in BR" in travel.explanation
    assert travel.facts["km"] > 10_000
    country = next(f for f in found if f.rule_id == "new-country")
    assert "viewed TS-0003 from country BR, new for them, on Wed 2026-12-02 at 10:30 IST" in (
        country.explanation
    )
    assert "until then from IN (" in country.explanation


def test_a_known_place_is_not_new() -> None:
    detector = warmed()
    assert run(detector, [obs(local(NEXT, 10), action=Action.VIEW, ip="10.1.2.99")]) == []


def test_a_denial_burst_by_an_unknown_actor() -> None:
    detector = Detector()
    stream = [
        obs(
            local(NEXT, 3, 0) + timedelta(seconds=20 * k),
            person=None,
            secret=None,
            action=Action.FAILED_LOGIN,
            actor="admin",
        )
        for k in range(10)
    ]
    found = run(detector, stream)
    assert [f.rule_id for f in found] == ["denial-burst"]
    assert found[0].explanation.startswith("unknown actor 'admin' was refused 10 times")
    assert Detector.subjects(stream[0]) == ["actor:admin"]


def test_access_outside_a_grant_window() -> None:
    detector = Detector()
    grant = GrantWindow(
        starts_at=datetime.fromisoformat("2026-10-01T00:00:00+00:00"),
        expires_at=datetime.fromisoformat("2026-11-30T00:00:00+00:00"),
    )
    inside = obs(local(date(2026, 11, 2), 10), grants=(grant,), source="sftp")
    outside = obs(local(NEXT, 10), grants=(grant,), source="sftp")
    none = obs(local(NEXT, 11), grants=(), source="sftp", secret=OTHER)
    assert run(detector, [inside]) == []
    found = run(detector, [outside, none])
    assert [f.rule_id for f in found] == ["outside-grant", "outside-grant"]
    assert "their grant ran from 2026-10-01 to 2026-11-30" in found[0].explanation
    assert "they hold no grant on it" in found[1].explanation
    assert found[0].severity is Severity.CRITICAL and found[1].severity is Severity.HIGH


def test_a_signal_keeps_its_severity() -> None:
    detector = Detector()
    signal = obs(
        local(NEXT, 9),
        person=None,
        action=Action.SIGNAL,
        actor="leaks",
        details={
            "kind": "canary",
            "summary": "Canary CT-0004 was opened",
            "reference": "CT-0004",
            "severity": "critical",
        },
    )
    (found,) = run(detector, [signal])
    assert found.rule_id == "signal" and found.severity is Severity.CRITICAL
    assert found.explanation.startswith("Canary CT-0004 was opened (canary, CT-0004) of TS-0003")
    assert found.title == "A canary token fired"


def test_a_signal_about_no_secret_is_titled_by_its_kind_and_names_no_resource() -> None:
    detector = Detector()
    signal = obs(
        local(NEXT, 9),
        secret=None,
        action=Action.SIGNAL,
        details={"kind": "departure-look-back", "summary": "2 unusual days", "reference": "DW-1"},
    )
    (found,) = run(detector, [signal])
    assert found.title == "Unusual days before a departure"
    assert found.explanation.startswith("2 unusual days (departure-look-back, DW-1), on ")
    assert "unclassified" not in found.explanation


def test_an_organisations_day_far_above_its_history() -> None:
    detector = Detector()
    people = [peer(n) for n in range(4)]
    stream = [
        obs(local(day, 10, k), person=p, doc=f"d{k}")
        for day in HISTORY
        for p in people
        for k in range(2)
    ]
    assert "organisation-volume" not in rules_of(run(detector, stream))
    surge = [
        obs(
            local(NEXT, 10, k % 60) + timedelta(hours=k // 60),
            person=people[k % 4],
            secret=OTHER,
            doc=f"s{k}",
        )
        for k in range(40)
    ]
    found = [f for f in run(detector, surge) if f.rule_id == "organisation-volume"]
    assert found and found[0].group_key == "organisation-volume|organisation:org-acme"
    assert "Acme Outsourcing reached 24 downloads and copies today (UTC), 3.0 times" in (
        found[0].explanation
    )


def test_secrets_outside_the_persons_and_peers_work() -> None:
    detector = warmed()
    strangers = [
        replace(OTHER, id=f"sec-x{n}", ref=f"TS-01{n:02d}", tier="highly-sensitive")
        for n in range(3)
    ]
    found = run(
        detector,
        [obs(local(NEXT, 11, n), secret=s, action=Action.VIEW) for n, s in enumerate(strangers)],
    )
    new = [f for f in found if f.rule_id == "new-secret"]
    assert len(new) == 1
    assert (
        "opened 2 secrets they had never used and that their peers (Acme Outsourcing, "
        "engineer) do not use: TS-0100, TS-0101" in new[0].explanation
    )


def test_documents_from_a_new_network_on_its_first_day() -> None:
    detector = warmed()
    home = [obs(local(NEXT, 9, k), ip="203.0.113.7", doc=f"d{k % 3}") for k in range(4)]
    assert run(detector, home) == []  # the usual documents, a few times
    more = [obs(local(NEXT, 10, k), ip="203.0.113.8", doc=f"h{k}") for k in range(3)]
    (found,) = run(detector, more)
    assert found.rule_id == "new-network"
    assert found.explanation.startswith(
        "Rohan Gupta downloaded 5 documents of TS-0003 from network 203.0.113.0/24, new for "
        "them, on Wed 2026-12-02 between 09:00 and 10:01 IST; until then from 10.1.2.0/24"
    )
    assert run(detector, [obs(local(NEXT + timedelta(days=1), 9), ip="203.0.113.9")]) == []


def test_a_slow_drift_no_single_day_shows() -> None:
    detector = warmed()
    days = workdays(NEXT, 15)
    drift = [obs(local(day, 15, k), doc=f"new-{day}-{k}") for day in days for k in range(3)]
    found = run(detector, sorted(routine(ROHAN, days) + drift, key=lambda o: o.occurred_at))
    assert "unusual-day" not in rules_of(found) and "bulk-secret" not in rules_of(found)
    drifts = [f for f in found if f.rule_id == "sustained"]
    assert drifts and len({f.group_key for f in drifts}) == 1
    drifting = drifts[0]
    assert (
        "has been above their usual day after day: today 1 document never touched "
        "before" in drifting.explanation
    )
    assert "their daily median is 0 documents never touched before" in drifting.explanation


def test_state_survives_a_save_and_restore_as_json() -> None:
    first = warmed()
    probe = obs(local(NEXT, 10))
    subjects = Detector.subjects(probe)
    assert subjects == ["person:p-rohan", "peers:org-acme:engineer", "organisation:org-acme"]
    second = Detector()
    for subject in subjects:
        second.restore(subject, json.loads(json.dumps(first.state_of(subject))))
        assert second.state_of(subject) == first.state_of(subject)
    night = [obs(local(NEXT, 2, 10) + timedelta(seconds=18 * k), doc=f"x{k}") for k in range(20)]
    assert [f.explanation for f in run(first, night)] == [
        f.explanation for f in run(second, [replace(o) for o in night])
    ]
    assert second.state_of("person:nobody") == {}


def test_night_work_is_usual_for_a_night_worker() -> None:
    detector = Detector()
    nights = routine(ROHAN, HISTORY, hour=23)
    assert "off-hours" not in rules_of(run(detector, nights))
    found = run(detector, [obs(local(NEXT, 23, k), doc=f"d{k % 3}") for k in range(6)])
    assert "off-hours" not in rules_of(found)


def test_first_time_documents_are_remembered_across_a_restore() -> None:
    first = warmed()
    run(first, [obs(local(NEXT, 10), doc="fresh-1")])
    assert first.people["person:p-rohan"].today.fresh == 1
    second = Detector()
    second.restore("person:p-rohan", json.loads(json.dumps(first.state_of("person:p-rohan"))))
    run(second, [obs(local(NEXT, 11), doc="fresh-1"), obs(local(NEXT, 12), doc="fresh-2")])
    assert second.people["person:p-rohan"].today.fresh == 2  # fresh-1 once, fresh-2 once


def test_the_gates_change_nothing_but_the_speed() -> None:
    """Every rule judged without its gate (and outside its family) finds the same."""
    leaving = replace(ROHAN, notice_on=date(2026, 12, 1), last_day=date(2026, 12, 3))
    tail = (
        [obs(local(NEXT, 2, k), doc=f"x{k}", device="usb-1") for k in range(20)]
        + [
            obs(
                local(NEXT, 10, k),
                person=leaving,
                secret=OTHER,
                doc=f"o{k}",
                country="BR",
                ip="200.1.2.3",
                grants=(),
            )
            for k in range(12)
        ]
        + [obs(local(NEXT + timedelta(days=3), 9), person=leaving)]
    )
    gated, plain = warmed(), warmed()
    plain._plan = {
        action: [
            (lambda ev, rule=rule: checks.CHECKS[rule.kind](rule, ev))
            for rule in plain.rules.enabled
            if action in rule.spec.actions
        ]
        for action in Action
    }
    fast = sorted((f.rule_id, f.explanation) for f in run(gated, tail))
    slow = sorted((f.rule_id, f.explanation) for f in run(plain, [replace(o) for o in tail]))
    assert fast == slow
    assert len({rule for rule, _ in fast}) >= 8


def test_our_own_staff_without_any_grant_are_judged_by_their_role_not_by_the_rule() -> None:
    """Holding no grant flags outside staff only; a grant our employee held and outlived is
    still a finding."""
    detector = Detector()
    employee = replace(ROHAN, key="p-emp", email="emp@northwind.example", external=False)
    grant = GrantWindow(
        starts_at=datetime.fromisoformat("2026-10-01T00:00:00+00:00"),
        expires_at=datetime.fromisoformat("2026-11-30T00:00:00+00:00"),
    )
    no_grant = obs(local(NEXT, 10), grants=(), source="sftp", person=employee)
    assert run(detector, [no_grant]) == []
    lapsed = obs(local(NEXT, 11), grants=(grant,), source="sftp", person=employee, secret=OTHER)
    assert rules_of(run(detector, [lapsed])) == {"outside-grant"}
