"""Pure register rules, table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from crownjewels.inventory import rules
from crownjewels.inventory.schemas import FactorScore, SecretStatus, Tier

S = SecretStatus


@pytest.mark.parametrize(
    ("tier", "requested", "days"),
    [
        (Tier.HIGHLY_SENSITIVE, None, 90),
        (Tier.SENSITIVE, None, 180),
        (Tier.CONFIDENTIAL, None, 365),
        (Tier.CONFIDENTIAL, 30, 30),
    ],
)
def test_cadence(tier: Tier, requested: int | None, days: int) -> None:
    assert rules.cadence_for(tier, requested) == days


@pytest.mark.parametrize(
    ("next_on", "today", "overdue"),
    [
        (date(2026, 1, 10), date(2026, 1, 9), False),
        (date(2026, 1, 10), date(2026, 1, 10), False),
        (date(2026, 1, 10), date(2026, 1, 11), True),
    ],
)
def test_overdue(next_on: date, today: date, overdue: bool) -> None:
    assert rules.is_overdue(next_on, on=today) is overdue


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (S.ACTIVE, S.RETIRED, True),
        (S.ACTIVE, S.LOST, True),
        (S.ACTIVE, S.DISCLOSED, True),
        (S.ACTIVE, S.ACTIVE, False),
        (S.RETIRED, S.ACTIVE, True),
        (S.RETIRED, S.LOST, False),
        (S.LOST, S.ACTIVE, False),
        (S.DISCLOSED, S.ACTIVE, False),
    ],
)
def test_status_transitions(current: SecretStatus, new: SecretStatus, allowed: bool) -> None:
    assert rules.can_change_status(current, new) is allowed


def test_legends_name_the_company_and_differ_by_tier() -> None:
    legends = {t: rules.legend_for(t, "Acme Foods") for t in Tier}
    assert all("ACME FOODS" in text for text in legends.values())
    assert legends[Tier.HIGHLY_SENSITIVE].startswith("HIGHLY SENSITIVE")
    assert len(set(legends.values())) == 3


@pytest.mark.parametrize(
    ("scores", "mean"), [([], None), ([5], 5.0), ([1, 2], 1.5), ([3, 4, 4], 3.67)]
)
def test_secrecy_score(scores: list[int], mean: float | None) -> None:
    assessment = {str(i): FactorScore(score=s) for i, s in enumerate(scores)}
    assert rules.secrecy_score(assessment) == mean
    assert rules.factors_assessed(assessment) == (len(scores), 6)


def test_description_digest() -> None:
    assert (
        rules.description_digest("abc")
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )


@pytest.mark.parametrize(
    ("old", "new", "current", "expected"),
    [
        (Tier.CONFIDENTIAL, Tier.HIGHLY_SENSITIVE, 365, 90),
        (Tier.SENSITIVE, Tier.CONFIDENTIAL, 180, 365),
        (Tier.CONFIDENTIAL, Tier.HIGHLY_SENSITIVE, 30, 30),
    ],
)
def test_cadence_follows_a_tier_change_unless_chosen(
    old: Tier, new: Tier, current: int, expected: int
) -> None:
    assert rules.cadence_after_tier_change(old, new, current) == expected
