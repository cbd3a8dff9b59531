"""The posture rule, table-driven: each measure missing on its own, the boundaries of the
review date and the grant expiry, and the tally per tier."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from crownjewels.access.posture.rules import missing, tally
from crownjewels.access.posture.schemas import HolderFacts, Measure, SecretCheck

AT = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BOUND = HolderFacts(bound=True)
GOOD = SecretCheck(
    ref="TS-0001",
    tier="sensitive",
    owner_active=True,
    factors_assessed=6,
    factors_required=6,
    legend="SENSITIVE - TRADE SECRET OF ACME FOODS.",
    next_review_on=AT.date(),
    holders=(BOUND, HolderFacts(bound=True, vendor=True)),
    grant_expiries=(AT + timedelta(seconds=1),),
)

CASES = [
    ("every measure in place", {}, set()),
    ("owner departed", {"owner_active": False}, {Measure.OWNER}),
    ("a factor unscored", {"factors_assessed": 5}, {Measure.ASSESSMENT}),
    ("no factor scored", {"factors_assessed": 0}, {Measure.ASSESSMENT}),
    ("blank legend", {"legend": "  "}, {Measure.LEGEND}),
    ("review due today is not overdue", {"next_review_on": AT.date()}, set()),
    ("review due yesterday", {"next_review_on": date(2026, 5, 31)}, {Measure.REVIEW}),
    ("one holder unbound", {"holders": (BOUND, HolderFacts(bound=False))}, {Measure.AGREEMENT}),
    (
        "one holder's training lapsed",
        {"holders": (BOUND, HolderFacts(bound=True, training_current=False))},
        {Measure.TRAINING},
    ),
    (
        "a vendor holder's diligence lapsed",
        {"holders": (HolderFacts(bound=True, vendor=True, diligence_current=False),)},
        {Measure.DILIGENCE},
    ),
    (
        "diligence is asked of vendors only",
        {"holders": (HolderFacts(bound=True, vendor=False, diligence_current=False),)},
        set(),
    ),
    ("a grant expiring right now is past its expiry", {"grant_expiries": (AT,)}, {Measure.EXPIRY}),
    ("no holder at all", {"holders": (), "grant_expiries": ()}, set()),
    (
        "several at once",
        {"owner_active": False, "legend": "", "holders": (HolderFacts(bound=False),)},
        {Measure.OWNER, Measure.LEGEND, Measure.AGREEMENT},
    ),
]


@pytest.mark.parametrize(("case", "change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_which_measures_a_secret_lacks(
    case: str, change: dict[str, object], expected: set[Measure]
) -> None:
    assert missing(replace(GOOD, **change), at=AT) == expected  # type: ignore[arg-type]


def test_the_tally_counts_per_tier_and_lists_every_tier() -> None:
    checks = [
        GOOD,
        replace(GOOD, ref="TS-0002", legend=""),
        replace(GOOD, ref="TS-0003", tier="highly-sensitive", legend="", owner_active=False),
    ]
    tiers = {t.tier: t for t in tally(checks, at=AT)}
    assert list(tiers) == ["highly-sensitive", "sensitive", "confidential"]
    assert (tiers["sensitive"].total, tiers["sensitive"].protected) == (2, 1)
    assert tiers["sensitive"].missing[Measure.LEGEND] == 1
    assert tiers["highly-sensitive"].missing[Measure.OWNER] == 1
    assert tiers["highly-sensitive"].protected == 0
    assert tiers["confidential"].total == 0
    assert sum(tiers["confidential"].missing.values()) == 0
