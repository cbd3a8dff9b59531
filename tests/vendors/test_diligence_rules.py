"""The due-diligence rules by tables: risk factors and levels, residual risk after controls,
editing and completion, one-time link states, the reassessment schedule."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from crownjewels.vendors.diligence import loader, rules
from crownjewels.vendors.diligence.definition import coerce_answer, control_in_place
from crownjewels.vendors.diligence.jurisdiction import country_facts
from crownjewels.vendors.diligence.rules import AnswerFacts, CountryFacts, OpenItem, SecretFacts
from crownjewels.vendors.diligence.schemas import AssessmentStatus, Level, Review

CN = CountryFacts(
    code="CN",
    name="China",
    ustr_list="PWL",
    ustr_year=2025,
    rule_of_law_percentile=31.0,
    rule_of_law_year=2023,
    gdpr_adequacy="none",
)
DE = CountryFacts(code="DE", name="Germany", rule_of_law_percentile=90, gdpr_adequacy="eu_eea")
IN = CountryFacts(code="IN", name="India", ustr_list="PWL", ustr_year=2025, gdpr_adequacy="none")
VN = CountryFacts(code="VN", name="Viet Nam", ustr_list="WL", rule_of_law_percentile=20)
XX = CountryFacts(code="XX", name="XX", profiled=False)
TS1 = SecretFacts(ref="TS-0001", name="Glaze", tier="highly-sensitive")
TS2 = SecretFacts(ref="TS-0002", name="Brine", tier="sensitive")
TS3 = SecretFacts(ref="TS-0003", name="List", tier="confidential")
TS4 = SecretFacts(ref="TS-0004", name="Plan", tier="confidential")


@pytest.mark.parametrize(
    ("points", "level"),
    [
        (0, Level.LOW),
        (3.9, Level.LOW),
        (4, Level.MEDIUM),
        (6.9, Level.MEDIUM),
        (7, Level.HIGH),
        (9.9, Level.HIGH),
        (10, Level.CRITICAL),
        (25, Level.CRITICAL),
    ],
)
def test_levels(points: float, level: Level) -> None:
    assert rules.level_for(points) is level


@pytest.mark.parametrize(
    ("criticality", "text", "points"),
    [
        ("low", "criticality low: +1", 1),
        ("medium", "criticality medium: +2", 2),
        ("high", "criticality high: +3", 3),
        ("critical", "criticality critical: +4", 4),
        ("odd", "criticality odd (unknown, counted as high): +3", 3),
    ],
)
def test_criticality(criticality: str, text: str, points: float) -> None:
    factor = rules.criticality_factor(criticality)
    assert (factor.text, factor.points) == (text, points)


@pytest.mark.parametrize(
    ("secrets", "expected"),
    [
        ([], [("no trade secrets planned to be shared: +0", 0)]),
        ([TS1], [("shares TS-0001 (highly sensitive): +4", 4)]),
        ([TS3], [("shares TS-0003 (confidential): +1", 1)]),
        (
            [TS2, TS1],
            [
                ("shares TS-0001 (highly sensitive): +4", 4),
                ("also shares TS-0002 (sensitive): +1", 1),
            ],
        ),
        (
            [TS4, TS3, TS2, TS1],
            [
                ("shares TS-0001 (highly sensitive): +4", 4),
                ("also shares TS-0002 (sensitive): +1", 1),
                ("also shares TS-0003 (confidential): +1", 1),
                (
                    "also shares TS-0004 (confidential), beyond the 2 further secrets that "
                    "count: +0",
                    0,
                ),
            ],
        ),
    ],
)
def test_secrets(secrets: list[SecretFacts], expected: list[tuple[str, float]]) -> None:
    assert [(f.text, f.points) for f in rules.secret_factors(secrets)] == expected


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        (
            CN,
            [
                ("China: USTR Priority Watch List 2025: +2", 2),
                ("China: rule-of-law percentile 31 (World Bank WGI 2023, below 50): +1", 1),
                ("China: no EU adequacy decision for personal data: +1", 1),
            ],
        ),
        (DE, [("Germany: no adverse jurisdiction findings: +0", 0)]),
        (
            VN,
            [
                ("Viet Nam: USTR Watch List: +1", 1),
                ("Viet Nam: rule-of-law percentile 20 (World Bank WGI, below 25): +2", 2),
            ],
        ),
        (XX, [("XX: no jurisdiction profile, counted as a risk until one is added: +1", 1)]),
    ],
)
def test_country_factors(country: CountryFacts, expected: list[tuple[str, float]]) -> None:
    assert [(f.text, f.points) for f in rules.country_factors(country)] == expected


def test_jurisdiction_factors_are_capped() -> None:
    factors = rules.jurisdiction_factors([CN, IN, VN])
    assert sum(f.points for f in factors) == rules.JURISDICTION_CAP
    assert factors[-1].text == "jurisdiction factors capped at 6: −4"


@pytest.mark.parametrize(
    ("criticality", "secrets", "countries", "points", "level"),
    [
        ("low", [], [DE], 1, Level.LOW),
        ("medium", [TS3], [DE], 3, Level.LOW),
        ("high", [TS2], [DE], 5, Level.MEDIUM),
        ("high", [TS1], [DE], 7, Level.HIGH),
        ("high", [TS1], [CN], 11, Level.CRITICAL),
        ("critical", [TS1, TS2], [CN, IN, VN], 15, Level.CRITICAL),
    ],
)
def test_inherent_risk(
    criticality: str,
    secrets: list[SecretFacts],
    countries: list[CountryFacts],
    points: float,
    level: Level,
) -> None:
    score = rules.inherent_risk(criticality=criticality, secrets=secrets, countries=countries)
    assert (score.points, score.level) == (points, level)
    assert score.points == round(sum(f.points for f in score.factors), 1)


QUESTIONNAIRE = loader.built_in()[0].questionnaire


def _all_in_place(review: Review = Review.ACCEPTED) -> dict[str, AnswerFacts]:
    """Answers that put every control of the built-in questionnaire in place."""
    values: dict[str, object] = {}
    for q in QUESTIONNAIRE.questions():
        c = q.control
        if c is None:
            values[q.id] = "no" if q.type == "yes_no" else "n/a"
        elif c.in_place:
            values[q.id] = [c.in_place[0]] if q.type == "multiple_choice" else c.in_place[0]
        elif c.at_least is not None:
            values[q.id] = c.at_least
        elif c.at_most is not None:
            values[q.id] = c.at_most
        else:
            values[q.id] = "DOC-1"
    return {k: AnswerFacts(value=v, review=review) for k, v in values.items()}


def test_every_control_in_place_takes_three_quarters_off() -> None:
    inherent = rules.inherent_risk(criticality="high", secrets=[TS1], countries=[CN])
    residual = rules.residual_risk(inherent, QUESTIONNAIRE, _all_in_place())
    assert residual.factors[0].text == "inherent risk (critical): +11"
    assert residual.points == pytest.approx(11 * 0.25, abs=0.3)
    assert residual.level is Level.LOW
    assert residual.points == round(sum(f.points for f in residual.factors), 1)
    at_rest = next(f for f in residual.factors if "answer 2.1" in f.text)
    assert at_rest.text.startswith("encryption at rest in place (answer 2.1 accepted, weight 3): −")


@pytest.mark.parametrize(
    ("change", "gap_text"),
    [
        ({"3.2": AnswerFacts("no", Review.ACCEPTED)}, "MFA for all staff not in place"),
        ({"3.2": AnswerFacts("yes", Review.REJECTED)}, "MFA for all staff answer 3.2 rejected"),
        ({"3.2": AnswerFacts("yes", Review.PENDING)}, "answer 3.2 not yet accepted"),
        ({"3.2": AnswerFacts("yes", Review.ASK_AGAIN)}, "answer 3.2 not yet accepted"),
        ({"3.2": AnswerFacts(None, Review.ACCEPTED)}, "MFA for all staff not answered"),
        (
            {"5.2": AnswerFacts(72.0, Review.ACCEPTED)},
            "breach notification to us within 24 hours not in place",
        ),
    ],
)
def test_a_gap_gives_no_reduction(change: dict[str, AnswerFacts], gap_text: str) -> None:
    inherent = rules.inherent_risk(criticality="high", secrets=[TS1], countries=[CN])
    full = rules.residual_risk(inherent, QUESTIONNAIRE, _all_in_place())
    gapped = rules.residual_risk(inherent, QUESTIONNAIRE, {**_all_in_place(), **change})
    assert gapped.points > full.points
    gap = next(f for f in gapped.factors if gap_text in f.text)
    assert gap.points == 0 and gap.kind == "gap"


def test_hidden_questions_do_not_count() -> None:
    inherent = rules.inherent_risk(criticality="high", secrets=[TS1], countries=[DE])
    answers = {**_all_in_place(), "4.1": AnswerFacts("no", Review.ACCEPTED)}
    residual = rules.residual_risk(inherent, QUESTIONNAIRE, answers)
    assert not any("answer 4.2" in f.text for f in residual.factors)


def test_open_remediation_is_listed() -> None:
    inherent = rules.inherent_risk(criticality="low", secrets=[], countries=[DE])
    residual = rules.residual_risk(
        inherent, QUESTIONNAIRE, {}, [OpenItem(title="MFA", due_on=date(2027, 1, 15))]
    )
    assert residual.factors[-1].text == "open remediation: MFA by 2027-01-15"
    assert residual.points == inherent.points  # nothing accepted: nothing taken off


@pytest.mark.parametrize(
    ("status", "review", "editable"),
    [
        (AssessmentStatus.SENT, None, True),
        (AssessmentStatus.IN_PROGRESS, Review.PENDING, True),
        (AssessmentStatus.RETURNED, Review.ASK_AGAIN, True),
        (AssessmentStatus.RETURNED, None, True),
        (AssessmentStatus.RETURNED, Review.ACCEPTED, False),
        (AssessmentStatus.RETURNED, Review.REJECTED, False),
        (AssessmentStatus.SUBMITTED, Review.PENDING, False),
        (AssessmentStatus.COMPLETED, Review.ACCEPTED, False),
        (AssessmentStatus.CANCELLED, None, False),
    ],
)
def test_editable(status: AssessmentStatus, review: Review | None, editable: bool) -> None:
    assert rules.editable(status, review) is editable


def test_missing_required_follows_conditions() -> None:
    answers = {q.id: v.value for q, v in zip(QUESTIONNAIRE.questions(), [], strict=False)}
    first = rules.missing_required(QUESTIONNAIRE, answers)
    assert "2.1" in first and "4.2" not in first  # 4.2 shows only when 4.1 is yes
    assert "4.2" in rules.missing_required(QUESTIONNAIRE, {"4.1": "yes"})
    done = {k: v.value for k, v in _all_in_place().items()}
    assert rules.missing_required(QUESTIONNAIRE, done) == []


def test_completion_blockers() -> None:
    answers = _all_in_place()
    assert rules.completion_blockers(QUESTIONNAIRE, answers) == []
    answers["2.1"] = AnswerFacts("yes", Review.PENDING)
    answers["3.2"] = AnswerFacts("yes", Review.ASK_AGAIN)
    assert rules.completion_blockers(QUESTIONNAIRE, answers) == [
        "answer 2.1 is not reviewed yet",
        "answer 3.2 was asked again; return it to the vendor first",
    ]


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expires", "used", "revoked", "words"),
    [
        (NOW + timedelta(days=1), None, None, None),
        (NOW, None, None, "expired on 2026-12-01 12:00 UTC"),
        (NOW - timedelta(days=3), None, None, "expired"),
        (NOW + timedelta(days=1), NOW - timedelta(hours=1), None, "used to submit"),
        (NOW + timedelta(days=1), None, NOW, "withdrawn"),
        (NOW - timedelta(days=1), NOW - timedelta(days=2), None, "used to submit"),
    ],
)
def test_link_problem(
    expires: datetime, used: datetime | None, revoked: datetime | None, words: str | None
) -> None:
    problem = rules.link_problem(expires_at=expires, used_at=used, revoked_at=revoked, now=NOW)
    if words is None:
        assert problem is None
    else:
        assert problem is not None and words in problem


@pytest.mark.parametrize(
    ("completed", "months", "today", "due"),
    [
        (date(2025, 12, 1), 12, date(2026, 11, 30), False),
        (date(2025, 12, 1), 12, date(2026, 12, 1), True),
        (date(2026, 8, 31), 6, date(2027, 2, 27), False),
        (date(2026, 8, 31), 6, date(2027, 2, 28), True),
        (date(2026, 1, 31), 1, date(2026, 2, 28), True),
        (date(2026, 6, 1), 0, date(2026, 7, 1), True),
    ],
)
def test_reassessment_due(completed: date, months: int, today: date, due: bool) -> None:
    assert rules.is_reassessment_due(completed, months, today=today) is due


def test_facts_come_from_the_jurisdiction_profiles() -> None:
    china = country_facts("CN")
    assert (china.name, china.ustr_list, china.ustr_year, china.gdpr_adequacy) == (
        "China",
        "PWL",
        2025,
        "none",
    )
    texts = [f.text for f in rules.country_factors(china)]
    assert "China: USTR Priority Watch List 2025: +2" in texts
    assert country_facts("ZZ").profiled is False


def _q(qid: str) -> Any:
    question = QUESTIONNAIRE.question(qid)
    assert question is not None
    return question


@pytest.mark.parametrize(
    ("qid", "raw", "stored"),
    [
        ("2.1", "yes", "yes"),
        ("2.1", " NO ", "no"),
        ("2.1", True, "yes"),
        ("2.1", "", None),
        ("3.3", "Quarterly", "Quarterly"),
        ("1.1", ["SOC 2 Type II", "ISO/IEC 27001"], ["ISO/IEC 27001", "SOC 2 Type II"]),
        ("1.1", "TISAX", ["TISAX"]),
        ("1.1", [], None),
        ("4.2", "365", 365.0),
        ("4.2", " 72.5 ", 72.5),
        ("5.5", "2026-03-01", "2026-03-01"),
        ("8.1", "  India  ", "India"),
    ],
)
def test_answers_are_stored_per_type(qid: str, raw: Any, stored: Any) -> None:
    assert coerce_answer(_q(qid), raw) == stored


@pytest.mark.parametrize(
    ("qid", "raw", "message"),
    [
        ("2.1", "maybe", "answer yes or no"),
        ("3.3", "Daily", "choose one of: Monthly, Quarterly, Yearly, Never"),
        ("1.1", ["ISO 9001"], "'ISO 9001' is not a choice"),
        ("4.2", "a year", "enter a number, e.g. 72"),
        ("5.5", "01/03/2026", "enter a date as YYYY-MM-DD"),
        ("8.1", "x" * 20_001, "keep the answer under 20,000 characters"),
    ],
)
def test_wrong_answers_name_the_fix(qid: str, raw: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        coerce_answer(_q(qid), raw)


@pytest.mark.parametrize(
    ("qid", "value", "in_place"),
    [
        ("2.1", "yes", True),
        ("2.1", "no", False),
        ("5.3", "no", True),  # no breach: the control is in place
        ("1.1", ["None"], False),
        ("1.1", ["None", "TISAX"], True),
        ("4.2", 365.0, True),
        ("4.2", 364.0, False),
        # GDPR's 72 hours are the controller's (Art. 33(1)); the vendor as processor informs us
        # without undue delay (Art. 33(2)): 72 hours no longer counts as in place (once it did)
        ("5.2", 24.0, True),
        ("5.2", 12.0, True),
        ("5.2", 72.0, False),
        ("5.2", 48.0, False),
        ("1.2", "DOC-1", True),
        ("1.2", None, False),
        ("8.1", "India", False),  # text evidences no control
    ],
)
def test_control_in_place(qid: str, value: Any, in_place: bool) -> None:
    assert control_in_place(_q(qid), value) is in_place


DAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("expires", "lapsed"),
    [
        ([None], None),  # no expiry date: never lapses
        ([DAY], None),  # its last day still counts (the badge: expired after its date)
        ([DAY + timedelta(days=30)], None),
        ([DAY - timedelta(days=1)], "ISO/IEC 27001 from BSI expired on 2026-05-31"),
        (
            [DAY + timedelta(days=9), DAY - timedelta(days=3)],
            "ISO/IEC 27001 from BSI expired on 2026-05-29: record",
        ),
    ],
)
def test_an_expired_certification_lowers_the_standing(
    expires: list[date | None], lapsed: str | None
) -> None:
    certs = [rules.CertFacts("ISO/IEC 27001", "BSI", e) for e in expires]
    why = rules.lapsed_certifications(certs, on=DAY)
    if lapsed is None:
        assert why is None
    else:
        assert why is not None and why.startswith(lapsed)
        assert why.endswith("record the renewed certificate, or remove it and reassess the vendor")
