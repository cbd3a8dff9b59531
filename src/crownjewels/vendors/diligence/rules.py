"""Pure rules of due diligence: inherent and residual risk with their factors in plain words,
what the vendor may still edit, what blocks submission or completion, one-time link states,
and when a vendor is due for reassessment. No I/O: the service hands in plain facts.

The risk model (docs/due-diligence.md explains it with every weight):

- inherent points = criticality + the most sensitive planned secret (+1 for each further
  secret, at most +2) + jurisdiction factors of each processing country (capped at 6);
- residual points = inherent points minus, for each applicable control whose answer was
  accepted and is in place, its weight's share of three quarters of the inherent points
  (controls can take at most three quarters off: sharing always leaves some risk);
- a level from the points: under 4 low, under 7 medium, under 10 high, else critical.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from crownjewels.vendors.diligence.definition import (
    Question,
    Questionnaire,
    control_in_place,
    visible_questions,
)
from crownjewels.vendors.diligence.schemas import (
    OPEN_FOR_VENDOR,
    AssessmentStatus,
    Factor,
    Level,
    Review,
    RiskScore,
)

CRITICALITY_POINTS = {"low": 1, "medium": 2, "high": 3, "critical": 4}
#: a criticality the rules do not know counts as high: unknown is not safe
UNKNOWN_CRITICALITY_POINTS = 3
TIER_POINTS = {"highly-sensitive": 4, "sensitive": 2, "confidential": 1}
TIER_WORDS = {
    "highly-sensitive": "highly sensitive",
    "sensitive": "sensitive",
    "confidential": "confidential",
}
FURTHER_SECRET_POINTS = 1
FURTHER_SECRETS_CAP = 2
USTR_POINTS = {"PWL": 2, "WL": 1}
USTR_WORDS = {"PWL": "USTR Priority Watch List", "WL": "USTR Watch List"}
#: (percentile below which, points): the first that matches counts
RULE_OF_LAW_POINTS = ((25.0, 2), (50.0, 1))
NO_ADEQUACY_POINTS = 1
NO_PROFILE_POINTS = 1
JURISDICTION_CAP = 6
#: the most the accepted controls may take off the inherent points
CONTROL_CAP = 0.75
#: (points below which, level)
LEVELS = ((4.0, Level.LOW), (7.0, Level.MEDIUM), (10.0, Level.HIGH))


@dataclass(frozen=True)
class SecretFacts:
    """A trade secret planned to be shared: its reference, name and tier."""

    ref: str
    name: str
    tier: str


@dataclass(frozen=True)
class CountryFacts:
    """What a jurisdiction profile says of one processing country (None: no profile)."""

    code: str
    name: str
    profiled: bool = True
    ustr_list: str | None = None
    ustr_year: int | None = None
    rule_of_law_percentile: float | None = None
    rule_of_law_year: int | None = None
    gdpr_adequacy: str | None = None


@dataclass(frozen=True)
class AnswerFacts:
    """A stored answer as the rules see it: its value and its review."""

    value: object
    review: Review = Review.PENDING


@dataclass(frozen=True)
class OpenItem:
    """An open remediation item."""

    title: str
    due_on: date


def level_for(points: float) -> Level:
    """The level of a number of risk points."""
    for below, level in LEVELS:
        if points < below:
            return level
    return Level.CRITICAL


def _num(points: float) -> str:
    text = f"{abs(points):.1f}".removesuffix(".0")
    return ("−" if points < 0 else "+") + text


def _factor(kind: str, words: str, points: float) -> Factor:
    return Factor(kind=kind, text=f"{words}: {_num(points)}", points=points)


def _score(factors: list[Factor]) -> RiskScore:
    points = round(sum(f.points for f in factors), 1)
    return RiskScore(level=level_for(points), points=points, factors=factors)


def criticality_factor(criticality: str) -> Factor:
    """The vendor's criticality tier as a factor."""
    points = CRITICALITY_POINTS.get(criticality)
    if points is None:
        return _factor("criticality", f"criticality {criticality} (unknown, counted as high)", 3.0)
    return _factor("criticality", f"criticality {criticality}", float(points))


def secret_factors(secrets: Sequence[SecretFacts]) -> list[Factor]:
    """The planned secrets: the most sensitive counts in full, each further one +1 (at most +2)."""
    if not secrets:
        return [_factor("secrets", "no trade secrets planned to be shared", 0.0)]
    ranked = sorted(secrets, key=lambda s: (-TIER_POINTS.get(s.tier, 4), s.ref))
    first = ranked[0]
    out = [
        _factor(
            "secrets",
            f"shares {first.ref} ({TIER_WORDS.get(first.tier, first.tier)})",
            float(TIER_POINTS.get(first.tier, 4)),
        )
    ]
    for n, secret in enumerate(ranked[1:]):
        points = FURTHER_SECRET_POINTS if n < FURTHER_SECRETS_CAP else 0
        words = f"also shares {secret.ref} ({TIER_WORDS.get(secret.tier, secret.tier)})"
        if not points:
            words += f", beyond the {FURTHER_SECRETS_CAP} further secrets that count"
        out.append(_factor("secrets", words, float(points)))
    return out


def country_factors(country: CountryFacts) -> list[Factor]:
    """The jurisdiction factors of one processing country (a +0 line when it has none)."""
    if not country.profiled:
        return [
            _factor(
                "jurisdiction",
                f"{country.name}: no jurisdiction profile, counted as a risk until one is added",
                float(NO_PROFILE_POINTS),
            )
        ]
    out: list[Factor] = []
    if country.ustr_list in USTR_POINTS:
        year = f" {country.ustr_year}" if country.ustr_year else ""
        out.append(
            _factor(
                "jurisdiction",
                f"{country.name}: {USTR_WORDS[country.ustr_list]}{year}",
                float(USTR_POINTS[country.ustr_list]),
            )
        )
    pct = country.rule_of_law_percentile
    if pct is not None:
        for below, points in RULE_OF_LAW_POINTS:
            if pct < below:
                year = f" {country.rule_of_law_year}" if country.rule_of_law_year else ""
                out.append(
                    _factor(
                        "jurisdiction",
                        f"{country.name}: rule-of-law percentile {pct:g} "
                        f"(World Bank WGI{year}, below {below:g})",
                        float(points),
                    )
                )
                break
    if country.gdpr_adequacy == "none":
        out.append(
            _factor(
                "jurisdiction",
                f"{country.name}: no EU adequacy decision for personal data",
                float(NO_ADEQUACY_POINTS),
            )
        )
    if not out:
        out.append(_factor("jurisdiction", f"{country.name}: no adverse jurisdiction findings", 0))
    return out


def jurisdiction_factors(countries: Sequence[CountryFacts]) -> list[Factor]:
    """Every processing country's factors, capped at JURISDICTION_CAP points in all."""
    if not countries:
        return [_factor("jurisdiction", "no processing countries recorded", 0.0)]
    out = [f for c in sorted(countries, key=lambda c: c.code) for f in country_factors(c)]
    total = sum(f.points for f in out)
    if total > JURISDICTION_CAP:
        out.append(
            _factor(
                "jurisdiction",
                f"jurisdiction factors capped at {JURISDICTION_CAP}",
                float(JURISDICTION_CAP - total),
            )
        )
    return out


def inherent_risk(
    *, criticality: str, secrets: Sequence[SecretFacts], countries: Sequence[CountryFacts]
) -> RiskScore:
    """Risk before any control: criticality, the secrets to be shared, the jurisdictions."""
    return _score(
        [
            criticality_factor(criticality),
            *secret_factors(secrets),
            *jurisdiction_factors(countries),
        ]
    )


def _shares(exact: Mapping[str, float]) -> dict[str, float]:
    """Exact shares rounded to tenths so that they still add up to their rounded total
    (largest remainder first), so the listed factors sum to the score shown."""
    tenths = {k: int(v * 10) for k, v in exact.items()}
    missing = round(sum(exact.values()) * 10) - sum(tenths.values())
    by_remainder = sorted(exact, key=lambda k: (-(exact[k] * 10 - tenths[k]), k))
    for k in by_remainder[:missing]:
        tenths[k] += 1
    return {k: t / 10 for k, t in tenths.items()}


def _gap_reason(question: Question, answer: AnswerFacts | None) -> str | None:
    """Why a control does not count (None: it counts)."""
    if answer is None or answer.value in (None, "", []):
        return "not answered"
    if answer.review is Review.REJECTED:
        return f"answer {question.id} rejected"
    if answer.review is not Review.ACCEPTED:
        return f"answer {question.id} not yet accepted"
    if not control_in_place(question, answer.value):
        return f"not in place (answer {question.id} accepted)"
    return None


def residual_risk(
    inherent: RiskScore,
    questionnaire: Questionnaire,
    answers: Mapping[str, AnswerFacts],
    open_items: Sequence[OpenItem] = (),
) -> RiskScore:
    """Risk after the accepted controls: each control in place takes its weight's share of
    three quarters of the inherent points; gaps and open remediation are listed at 0."""
    values = {qid: a.value for qid, a in answers.items()}
    applicable = [
        q
        for q in visible_questions(questionnaire, values)
        if q.control is not None and q.weight > 0
    ]
    total_weight = sum(q.weight for q in applicable)
    base = max(inherent.points, 0.0)
    reasons = {q.id: _gap_reason(q, answers.get(q.id)) for q in applicable}
    shares = _shares(
        {
            q.id: base * CONTROL_CAP * q.weight / total_weight
            for q in applicable
            if not reasons[q.id]
        }
    )
    factors = [_factor("inherent", f"inherent risk ({inherent.level})", base)]
    for q in applicable:
        assert q.control is not None
        reason = reasons[q.id]
        if reason is None:
            factors.append(
                _factor(
                    "control",
                    f"{q.control.name} in place (answer {q.id} accepted, weight {q.weight})",
                    -shares[q.id],
                )
            )
        else:
            factors.append(
                Factor(
                    kind="gap",
                    text=f"{q.control.name} {reason}: no reduction (weight {q.weight})",
                    points=0.0,
                )
            )
    for item in sorted(open_items, key=lambda i: (i.due_on, i.title)):
        factors.append(
            Factor(
                kind="remediation",
                text=f"open remediation: {item.title} by {item.due_on.isoformat()}",
                points=0.0,
            )
        )
    return _score(factors)


# --- answering and review ---------------------------------------------------------------------


def editable(status: AssessmentStatus, review: Review | None) -> bool:
    """Whether the vendor may change an answer: any while the assessment is open, and only the
    asked-again (or never answered) ones once it was returned."""
    if status not in OPEN_FOR_VENDOR:
        return False
    if status is AssessmentStatus.RETURNED:
        return review in (None, Review.ASK_AGAIN)
    return True


def missing_required(questionnaire: Questionnaire, values: Mapping[str, object]) -> list[str]:
    """Ids of the required visible questions without an answer, in order."""
    return [
        q.id
        for q in visible_questions(questionnaire, dict(values))
        if q.required and values.get(q.id) in (None, "", [])
    ]


def completion_blockers(
    questionnaire: Questionnaire, answers: Mapping[str, AnswerFacts]
) -> list[str]:
    """Why an assessment cannot be completed yet: visible answers still pending or asked again."""
    values = {qid: a.value for qid, a in answers.items()}
    out: list[str] = []
    for q in visible_questions(questionnaire, values):
        answer = answers.get(q.id)
        if answer is None or answer.value in (None, "", []):
            continue
        if answer.review is Review.PENDING:
            out.append(f"answer {q.id} is not reviewed yet")
        elif answer.review is Review.ASK_AGAIN:
            out.append(f"answer {q.id} was asked again; return it to the vendor first")
    return out


# --- links and schedule -----------------------------------------------------------------------


def link_problem(
    *, expires_at: datetime, used_at: datetime | None, revoked_at: datetime | None, now: datetime
) -> str | None:
    """Why a one-time link no longer works, in words for the person holding it (None: it works)."""
    if used_at is not None:
        return (
            f"This link was used to submit the questionnaire on {used_at:%Y-%m-%d}; a link "
            "works once. Ask your contact for a new link if something must change."
        )
    if revoked_at is not None:
        return "This link was withdrawn; ask your contact for a new one."
    if now >= expires_at:
        return (
            f"This link expired on {expires_at:%Y-%m-%d %H:%M} UTC; ask your contact to send "
            "a new one (your saved answers are kept)."
        )
    return None


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reassessment_due_on(completed_on: date, cadence_months: int) -> date:
    """When a vendor assessed on `completed_on` is due again."""
    return add_months(completed_on, max(cadence_months, 1))


def is_reassessment_due(completed_on: date, cadence_months: int, *, today: date) -> bool:
    """True when the last completed assessment is older than the cadence."""
    return today >= reassessment_due_on(completed_on, cadence_months)


@dataclass(frozen=True)
class CertFacts:
    """A certification as the standing rule sees it: what, by whom, until when."""

    label: str
    issuer: str
    expires_on: date | None


def lapsed_certifications(certs: Sequence[CertFacts], *, on: date) -> str | None:
    """Why certifications lower the due-diligence standing on `on` (None: none has lapsed).

    A certification is evidence the due diligence relies on (question 1.1's independent
    security certification, ISO/IEC 27001 A.5.19-A.5.22 supplier assurance): once its expiry
    date has passed (the day after it, as the certification badge counts) the evidence is gone
    until the renewal is recorded or the certification is removed and the vendor reassessed."""
    lapsed = sorted((c for c in certs if c.expires_on is not None and c.expires_on < on),
                    key=lambda c: (c.expires_on, c.label))  # fmt: skip
    if not lapsed:
        return None
    which = "; ".join(f"{c.label} from {c.issuer} expired on {c.expires_on}" for c in lapsed)
    return f"{which}: record the renewed certificate, or remove it and reassess the vendor"
