"""The deadline clocks by tables, one per regime: which apply, their deadlines at the edges
(weekends, US federal holidays, time zones, daylight saving changes) and where each stands."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from crownjewels.core.errors import Invalid
from crownjewels.incidents.clocks import rules
from crownjewels.incidents.clocks.schemas import Clock, Facts

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
LA = ZoneInfo("America/Los_Angeles")
DISCOVERED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def facts(**kw: Any) -> Facts:
    """Facts with a discovery time unless given."""
    kw.setdefault("discovered_at", DISCOVERED)
    return Facts.model_validate(kw)


def clocks(
    f: Facts,
    *,
    tz: str = "America/New_York",
    now: datetime | None = None,
    done: dict[str, datetime] | None = None,
) -> dict[str, Clock]:
    """The clocks by key; `now` defaults to the discovery time."""
    found = rules.compute(f, tz=tz, now=now or f.discovered_at, done=done)
    return {c.key: c for c in found}


def one(f: Facts, key: str, **kw: Any) -> Clock:
    """The clock with `key`; fails when it does not apply."""
    found = clocks(f, **kw)
    assert key in found, f"{key} does not apply; applying: {sorted(found)}"
    return found[key]


def local(tz: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=tz)


# -- GDPR ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aware", "org_tz", "due_local"),
    [
        # 72 real hours across the EU spring change (29 March 2026): the wall clock shows 73
        (local(BERLIN, 2026, 3, 27, 12, 0), "Europe/Berlin", local(BERLIN, 2026, 3, 30, 13, 0)),
        # across the EU autumn change (25 October 2026): the wall clock shows 71
        (local(BERLIN, 2026, 10, 23, 12, 0), "Europe/Berlin", local(BERLIN, 2026, 10, 26, 11, 0)),
        # across the US autumn change (1 November 2026), shown in New York
        (local(NY, 2026, 10, 31, 12, 0), "America/New_York", local(NY, 2026, 11, 3, 11, 0)),
        # across the US spring change (8 March 2026)
        (local(NY, 2026, 3, 6, 12, 0), "America/New_York", local(NY, 2026, 3, 9, 13, 0)),
    ],
)
def test_gdpr_art_33_is_72_real_hours(aware: datetime, org_tz: str, due_local: datetime) -> None:
    c = one(
        facts(personal_data=True, jurisdictions=["DE"], discovered_at=aware),
        "gdpr-art-33",
        tz=org_tz,
    )
    assert c.due_at is not None and c.due_at - aware == timedelta(hours=72)
    assert c.due_local == due_local and c.due_local.utcoffset() == due_local.utcoffset()
    assert c.recipient.startswith("the competent") and "Art. 33(1)" in c.citation


@pytest.mark.parametrize(
    ("kw", "applies"),
    [
        ({"personal_data": True, "jurisdictions": ["FR"]}, True),  # established in the EU
        ({"personal_data": True, "data_subject_countries": ["NO"]}, True),  # EEA data subjects
        ({"personal_data": True, "jurisdictions": ["US"], "data_subject_countries": ["US"]}, False),
        ({"personal_data": False, "jurisdictions": ["FR"]}, False),  # no personal data
    ],
)
def test_gdpr_applies_where_the_facts_say(kw: dict[str, Any], applies: bool) -> None:
    assert ("gdpr-art-33" in clocks(facts(**kw))) is applies


def test_gdpr_art_34_is_a_duty_without_a_fixed_deadline() -> None:
    f = facts(personal_data=True, jurisdictions=["DE"])
    c = one(f, "gdpr-art-34", now=DISCOVERED + timedelta(days=40))
    assert (c.status, c.due_at, c.remaining) == (
        "no-deadline",
        None,
        "no fixed deadline: without undue delay",
    )
    met = one(f, "gdpr-art-34", done={"gdpr-art-34": DISCOVERED + timedelta(days=1)})
    assert (met.status, met.remaining) == ("met", "done")


def test_uk_gdpr_for_uk_data_subjects() -> None:
    c = one(facts(personal_data=True, data_subject_countries=["GB"]), "uk-gdpr-art-33")
    assert c.due_at == DISCOVERED + timedelta(hours=72) and "ICO" in c.recipient


# -- NIS2 and DORA ---------------------------------------------------------------------------


def test_nis2_clocks_and_the_final_report_after_the_notification() -> None:
    aware = datetime(2026, 1, 28, 9, 0, tzinfo=UTC)
    f = facts(jurisdictions=["NL"], sectors=["essential-entity"], discovered_at=aware)
    found = clocks(f, tz="Europe/Berlin")
    assert found["nis2-early-warning"].due_at == aware + timedelta(hours=24)
    assert found["nis2-notification"].due_at == aware + timedelta(hours=72)
    # until the notification is recorded, the final report counts from its deadline (31 Jan)
    final = found["nis2-final-report"]
    assert final.due_local == local(BERLIN, 2026, 2, 28, 23, 59, 59)  # no 31 February
    assert any("until its done time is recorded" in n for n in final.notes)
    sent = datetime(2026, 1, 29, 16, 0, tzinfo=UTC)
    final = one(f, "nis2-final-report", tz="Europe/Berlin", done={"nis2-notification": sent})
    assert final.trigger_at == sent and final.due_local == local(BERLIN, 2026, 2, 28, 23, 59, 59)
    assert "nis2-early-warning" not in clocks(facts(jurisdictions=["NL"]))  # no NIS2 sector
    assert "nis2-early-warning" not in clocks(
        facts(jurisdictions=["US"], sectors=["important-entity"])
    )


AWARE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("classified", "due", "note"),
    [
        (None, AWARE + timedelta(hours=24), "not known yet"),  # at the latest 24 h from awareness
        (AWARE + timedelta(hours=2), AWARE + timedelta(hours=6), None),  # 4 h after classification
        (AWARE + timedelta(hours=22), AWARE + timedelta(hours=24), "which comes first"),
    ],
)
def test_dora_initial_4_hours_from_classification_24_from_awareness(
    classified: datetime | None, due: datetime, note: str | None
) -> None:
    f = facts(
        jurisdictions=["IE"], sectors=["finance"], discovered_at=AWARE, classified_at=classified
    )
    c = one(f, "dora-initial")
    assert c.due_at == due and c.status != "waiting"
    assert (note is None) or any(note in n for n in c.notes)


def test_dora_reports_follow_each_other() -> None:
    f = facts(
        jurisdictions=["IE"],
        sectors=["finance"],
        discovered_at=AWARE,
        classified_at=AWARE + timedelta(hours=1),
    )
    sent = AWARE + timedelta(hours=3)
    updated = datetime(2026, 6, 5, 10, 0, tzinfo=UTC)
    found = clocks(f, tz="Europe/Berlin", done={"dora-initial": sent, "dora-intermediate": updated})
    assert found["dora-intermediate"].due_at == sent + timedelta(hours=72)
    assert found["dora-intermediate"].status == "met"
    assert found["dora-final"].due_local == local(BERLIN, 2026, 7, 5, 23, 59, 59)
    assert "dora-initial" not in clocks(facts(jurisdictions=["US"], sectors=["finance"]))


# -- HIPAA -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_tz", "due_local"),
    [
        # 02:00 UTC on 1 June is still 31 May in New York: the 60 days count from 31 May
        ("America/New_York", local(NY, 2026, 7, 30, 23, 59, 59)),
        ("Europe/Berlin", local(BERLIN, 2026, 7, 31, 23, 59, 59)),
    ],
)
def test_hipaa_60_calendar_days_end_in_the_organisations_zone(
    org_tz: str, due_local: datetime
) -> None:
    f = facts(phi=True, discovered_at=datetime(2026, 6, 1, 2, 0, tzinfo=UTC))
    assert one(f, "hipaa-individuals", tz=org_tz).due_local == due_local


@pytest.mark.parametrize(
    ("affected", "keys"),
    [
        (600, {"hipaa-hhs-500"}),
        (100, {"hipaa-hhs-under-500"}),
        (None, {"hipaa-hhs-500", "hipaa-hhs-under-500"}),  # unknown: both, each with a note
    ],
)
def test_hipaa_hhs_notice_by_the_number_affected(affected: int | None, keys: set[str]) -> None:
    found = clocks(facts(phi=True, affected=affected))
    assert {k for k in found if k.startswith("hipaa-hhs")} == keys
    if affected is None:
        assert all(any("not known yet" in n for n in found[k].notes) for k in keys)


@pytest.mark.parametrize(
    ("discovered", "due_on"),
    [
        (datetime(2026, 5, 10, 12, tzinfo=UTC), date(2027, 3, 1)),
        (datetime(2027, 2, 1, 12, tzinfo=UTC), date(2028, 2, 29)),  # leap year
    ],
)
def test_hipaa_small_breaches_60_days_after_the_year_end(
    discovered: datetime, due_on: date
) -> None:
    c = one(facts(phi=True, affected=12, discovered_at=discovered), "hipaa-hhs-under-500")
    assert c.due_local == datetime.combine(due_on, rules.DAY_END, tzinfo=NY)


# -- SEC Form 8-K Item 1.05 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("materiality", "due"),
    [
        # Wednesday before Thanksgiving: Thu 26 Nov is a holiday; Fri, Mon, Tue, Wed
        (local(NY, 2026, 11, 25, 10, 0), local(NY, 2026, 12, 2, 17, 30)),
        # 22:30 in New York (03:30 UTC on Thursday) is still Wednesday there
        (datetime(2026, 11, 26, 3, 30, tzinfo=UTC), local(NY, 2026, 12, 2, 17, 30)),
        # before 4 July 2026 (a Saturday, observed Friday 3 July)
        (local(NY, 2026, 7, 1, 9, 0), local(NY, 2026, 7, 8, 17, 30)),
        # a Friday, and a Saturday: both run Monday to Thursday
        (local(NY, 2026, 12, 4, 9, 0), local(NY, 2026, 12, 10, 17, 30)),
        (local(NY, 2026, 12, 5, 9, 0), local(NY, 2026, 12, 10, 17, 30)),
        # across Christmas (Friday 25 December)
        (local(NY, 2026, 12, 22, 9, 0), local(NY, 2026, 12, 29, 17, 30)),
        # Columbus Day (12 October) is a federal holiday the SEC observes
        (local(NY, 2026, 10, 8, 9, 0), local(NY, 2026, 10, 15, 17, 30)),
    ],
)
def test_sec_8k_four_us_federal_business_days(materiality: datetime, due: datetime) -> None:
    f = facts(
        listed_us=True, discovered_at=materiality - timedelta(days=1), materiality_at=materiality
    )
    c = one(f, "sec-8k-item-105")
    assert c.due_local == due and c.due_at == due.astimezone(UTC)


def test_sec_8k_shown_in_berlin_and_waiting_for_materiality() -> None:
    f = facts(listed_us=True, materiality_at=local(NY, 2026, 11, 25, 10, 0))
    c = one(f, "sec-8k-item-105", tz="Europe/Berlin")
    assert c.due_local == local(BERLIN, 2026, 12, 2, 23, 30)  # 17:30 in New York
    waiting = one(facts(listed_us=True), "sec-8k-item-105")
    assert (waiting.status, waiting.due_at, waiting.remaining) == (
        "waiting",
        None,
        "waiting for the materiality determination",
    )
    assert "sec-8k-item-105" not in clocks(facts(materiality_at=DISCOVERED))  # not a registrant


def test_nydfs_72_hours() -> None:
    c = one(facts(nydfs=True), "nydfs-500-17")
    assert c.due_at == DISCOVERED + timedelta(hours=72) and "23 NYCRR 500.17" in c.citation


# -- US states -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "key", "due"),
    [
        # 06:00 UTC on 10 March is still 9 March in Los Angeles
        ("CA", "us-ca-residents", local(LA, 2026, 4, 8, 23, 59, 59)),
        ("NY", "us-ny-residents", local(NY, 2026, 4, 9, 23, 59, 59)),
        ("TX", "us-tx-residents", local(ZoneInfo("America/Chicago"), 2026, 5, 9, 23, 59, 59)),
        ("FL", "us-fl-residents", local(NY, 2026, 4, 9, 23, 59, 59)),
        ("WA", "us-wa-residents", local(LA, 2026, 4, 8, 23, 59, 59)),
        # 06:00 UTC is midnight in Denver: 10 March there
        ("CO", "us-co-residents", local(ZoneInfo("America/Denver"), 2026, 4, 9, 23, 59, 59)),
        ("AZ", "us-az-residents", local(ZoneInfo("America/Phoenix"), 2026, 4, 23, 23, 59, 59)),
        ("DE", "us-de-residents", local(NY, 2026, 5, 9, 23, 59, 59)),
    ],
)
def test_state_breach_notice_to_residents(state: str, key: str, due: datetime) -> None:
    f = facts(
        personal_data=True, us_states=[state], discovered_at=datetime(2026, 3, 10, 6, tzinfo=UTC)
    )
    c = one(f, key)
    assert c.due_at == due.astimezone(UTC) and c.recipient


def test_california_30_days_only_from_2026() -> None:
    before = facts(
        personal_data=True, us_states=["CA"], discovered_at=datetime(2025, 12, 31, 20, tzinfo=UTC)
    )
    assert "us-ca-residents" not in clocks(before)
    # a calendar-day deadline across the November change ends at 23:59:59 PST
    c = one(
        facts(personal_data=True, us_states=["CA"], discovered_at=local(LA, 2026, 10, 15, 9, 0)),
        "us-ca-residents",
    )
    assert c.due_at == datetime(2026, 11, 15, 7, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("state", "key", "count", "applies"),
    [
        ("CA", "us-ca-attorney-general", 500, False),  # more than 500
        ("CA", "us-ca-attorney-general", 501, True),
        ("TX", "us-tx-attorney-general", 249, False),  # at least 250
        ("TX", "us-tx-attorney-general", 250, True),
        ("AZ", "us-az-attorney-general", 1000, False),  # more than 1,000
        ("FL", "us-fl-attorney-general", 500, True),  # 500 or more
    ],
)
def test_state_attorney_general_thresholds(state: str, key: str, count: int, applies: bool) -> None:
    f = facts(personal_data=True, us_states=[state], residents={state: count})
    assert (key in clocks(f)) is applies


def test_california_attorney_general_15_days_after_the_residents_notice() -> None:
    base = {
        "personal_data": True,
        "us_states": ["CA"],
        "discovered_at": local(LA, 2026, 3, 2, 9, 0),
    }
    unknown = one(facts(**base), "us-ca-attorney-general")
    assert any("at least 501 residents of CA" in n for n in unknown.notes)
    assert unknown.due_local == local(NY, 2026, 4, 17, 2, 59, 59)  # 1 April + 15 days, in LA
    notified = local(LA, 2026, 3, 20, 15, 0)
    c = one(
        facts(**base, residents={"CA": 800}),
        "us-ca-attorney-general",
        done={"us-ca-residents": notified},
    )
    assert c.trigger_at == notified and c.due_at == local(LA, 2026, 4, 4, 23, 59, 59)


# -- India and China -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "keys"),
    [
        ({"jurisdictions": ["IN"]}, {"in-cert-in"}),
        ({"jurisdictions": ["IN"], "personal_data": True}, {"in-cert-in"}),  # DPDP rule 7 later
        (
            {
                "jurisdictions": ["IN"],
                "personal_data": True,
                "discovered_at": datetime(2027, 6, 1, tzinfo=UTC),
            },
            {"in-cert-in", "in-dpdp-board"},
        ),
        ({"jurisdictions": ["CN"], "sectors": ["network-operator"]}, {"cn-cac-operator"}),
        (
            {"jurisdictions": ["CN"], "sectors": ["network-operator", "critical-infrastructure"]},
            {"cn-cac-ciio"},
        ),
        (
            {
                "jurisdictions": ["CN"],
                "sectors": ["network-operator"],
                "discovered_at": datetime(2025, 10, 31, tzinfo=UTC),
            },
            set(),
        ),  # before 1 Nov 2025
        ({"jurisdictions": ["CN"]}, set()),  # not named as a network operator
    ],
)
def test_india_and_china(kw: dict[str, Any], keys: set[str]) -> None:
    f = facts(**kw)
    found = clocks(f)
    assert set(found) == keys
    hours = {"in-cert-in": 6, "in-dpdp-board": 72, "cn-cac-operator": 4, "cn-cac-ciio": 1}
    for key in keys:
        assert found[key].due_at == f.discovered_at + timedelta(hours=hours[key])


# -- contracts -------------------------------------------------------------------------------


def test_one_contractual_clock_per_agreement() -> None:
    f = facts(
        agreements=[
            {"ref": "AG-2026-005", "counterparty": "Acme GmbH", "notice_hours": 48},
            {"ref": "AG-2026-011", "counterparty": "Blue Ltd", "notice_hours": 24 * 5},
        ]
    )
    late = DISCOVERED + timedelta(hours=50)
    found = clocks(f, now=DISCOVERED + timedelta(hours=60), done={"contract:AG-2026-005": late})
    acme, blue = found["contract:AG-2026-005"], found["contract:AG-2026-011"]
    assert (acme.name, acme.recipient) == ("Notice to Acme GmbH under AG-2026-005", "Acme GmbH")
    assert (acme.status, acme.remaining) == ("met", "done 2 hours late")
    assert blue.due_at == DISCOVERED + timedelta(days=5) and blue.status == "running"
    assert not any(k.startswith("contract") for k in clocks(facts()))


# -- trade-secret limitation periods ---------------------------------------------------------


@pytest.mark.parametrize(
    ("kw", "key", "due"),
    [
        ({"jurisdictions": ["US"]}, "dtsa-limitation", local(NY, 2029, 12, 1, 23, 59, 59)),
        ({"us_state_of_claim": "CA"}, "utsa-3-years", local(NY, 2029, 12, 1, 23, 59, 59)),
        ({"us_state_of_claim": "IL"}, "il-itsa-limitation", local(NY, 2031, 12, 1, 23, 59, 59)),
        ({"us_state_of_claim": "OH"}, "oh-utsa-limitation", local(NY, 2030, 12, 1, 23, 59, 59)),
        ({"us_state_of_claim": "GA"}, "ga-tsa-limitation", local(NY, 2031, 12, 1, 23, 59, 59)),
        # Germany: three years from the end of the year of knowledge, in Berlin
        (
            {"jurisdictions": ["DE"]},
            "de-geschgehg-limitation",
            local(BERLIN, 2029, 12, 31, 23, 59, 59),
        ),
        (
            {"jurisdictions": ["ES"]},
            "es-secretos-limitation",
            local(ZoneInfo("Europe/Madrid"), 2029, 12, 1, 23, 59, 59),
        ),
        # France counts from the facts themselves
        (
            {"jurisdictions": ["FR"], "occurred_at": datetime(2026, 2, 3, 12, tzinfo=UTC)},
            "fr-secret-affaires-limitation",
            local(ZoneInfo("Europe/Paris"), 2031, 2, 3, 23, 59, 59),
        ),
    ],
)
def test_limitation_periods(kw: dict[str, Any], key: str, due: datetime) -> None:
    c = one(facts(trade_secret=True, **kw), key)
    assert c.kind == "limitation" and c.due_at == due.astimezone(UTC)


def test_limitation_edges() -> None:
    leap = one(
        facts(
            trade_secret=True,
            jurisdictions=["US"],
            discovered_at=datetime(2028, 2, 29, 15, tzinfo=UTC),
        ),
        "dtsa-limitation",
    )
    assert leap.due_local == local(NY, 2031, 2, 28, 23, 59, 59)
    fr = one(facts(trade_secret=True, jurisdictions=["FR"]), "fr-secret-affaires-limitation")
    assert (fr.status, fr.remaining) == ("waiting", "waiting for the date the incident occurred")
    ny = clocks(facts(trade_secret=True, us_state_of_claim="NY"))
    assert set(ny) == {"dtsa-limitation"}  # New York has no state clock
    assert clocks(facts(jurisdictions=["US", "DE"])) == {}  # no trade secret, no personal data


# -- status, words, order --------------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("due_h", "now_h", "done_h", "status", "words"),
    [
        (72, 0, None, "running", "3 days left"),
        (72, 40, None, "running", "1 day 8 hours left"),
        (72, 49, None, "due-soon", "23 hours left"),  # under 24 hours
        (2400, 1900, None, "due-soon", "20 days 20 hours left"),  # under a quarter
        (2400, 1700, None, "running", "29 days 4 hours left"),
        (6, 5.5, None, "due-soon", "30 minutes left"),
        (72, 75, None, "overdue", "overdue by 3 hours"),
        (72, 72 + 1 / 120, None, "overdue", "overdue by under a minute"),
        (72, 80, 71, "met", "done on time"),
        (72, 80, 74.5, "met", "done 2 hours 30 minutes late"),
        (26000, 0, None, "running", "1083 days left"),
    ],
)
def test_standing(
    due_h: float, now_h: float, done_h: float | None, status: str, words: str
) -> None:
    def at(hours: float) -> datetime:
        return T0 + timedelta(hours=hours)

    done = at(done_h) if done_h is not None else None
    assert rules.standing(start=T0, due=at(due_h), done_at=done, now=at(now_h)) == (status, words)


def test_sorted_by_due_then_undue_delay_then_waiting() -> None:
    f = facts(personal_data=True, jurisdictions=["DE", "US", "IN"], listed_us=True, phi=True)
    found = rules.compute(f, tz="Europe/Berlin", now=DISCOVERED)
    dated = [c.due_at for c in found if c.due_at is not None]
    assert dated == sorted(dated) and found[0].key == "in-cert-in"
    assert [c.status for c in found[-2:]] == ["no-deadline", "waiting"]


def test_bad_input_is_refused_in_words() -> None:
    f = facts()
    with pytest.raises(Invalid, match="not a time zone"):
        rules.compute(f, tz="Mars/Olympus", now=DISCOVERED)
    with pytest.raises(Invalid, match="has no time zone"):
        rules.compute(f, tz="UTC", now=datetime(2026, 12, 1, 9))
    with pytest.raises(ValidationError, match="timezone"):
        Facts.model_validate({"discovered_at": datetime(2026, 12, 1, 9)})
    with pytest.raises(ValidationError, match="not a US state"):
        facts(us_states=["ZZ"])
    with pytest.raises(ValidationError, match="ISO 3166"):
        facts(jurisdictions=["XX"])
