"""The pure rules of agreements, table by table: the boundaries of `in_force` (inclusive start
and expiry, termination effective on its day, drafts never), `covers` (in force and in scope),
survival, renewal windows, lapsing and the lifecycle's transitions."""

from __future__ import annotations

from datetime import date

import pytest

from crownjewels.agreements import rules
from crownjewels.agreements.schemas import AgreementStatus, ScopeKind, SecretFacts, Terms

S = AgreementStatus
D = date


def terms(
    status: str = S.IN_FORCE,
    effective: date | None = D(2026, 1, 1),
    expires: date | None = D(2026, 12, 31),
    terminated: date | None = None,
    **kw: object,
) -> Terms:
    return Terms(
        ref="AG-2026-001",
        status=status,
        effective_on=effective,
        expires_on=expires,
        terminated_on=terminated,
        **kw,  # type: ignore[arg-type]
    )


IN_FORCE_TABLE = [
    # (case, terms, day, in force?)
    ("day before effective", terms(), D(2025, 12, 31), False),
    ("effective day (inclusive)", terms(), D(2026, 1, 1), True),
    ("middle", terms(), D(2026, 6, 15), True),
    ("expiry day (inclusive)", terms(), D(2026, 12, 31), True),
    ("day after expiry", terms(), D(2027, 1, 1), False),
    ("open-ended, far future", terms(expires=None), D(2099, 1, 1), True),
    ("open-ended, before start", terms(expires=None), D(2025, 6, 1), False),
    ("draft with dates is never in force", terms(status=S.DRAFT), D(2026, 6, 1), False),
    ("no effective date", terms(effective=None), D(2026, 6, 1), False),
    (
        "terminated: day before termination still binds",
        terms(status=S.TERMINATED, terminated=D(2026, 6, 1)),
        D(2026, 5, 31),
        True,
    ),
    (
        "terminated: the termination day does not",
        terms(status=S.TERMINATED, terminated=D(2026, 6, 1)),
        D(2026, 6, 1),
        False,
    ),
    (
        "terminated: after",
        terms(status=S.TERMINATED, terminated=D(2026, 6, 1)),
        D(2026, 9, 1),
        False,
    ),
    ("terminated without a date", terms(status=S.TERMINATED), D(2026, 6, 1), False),
    (
        "termination after expiry: expiry wins",
        terms(status=S.TERMINATED, terminated=D(2027, 3, 1)),
        D(2027, 1, 15),
        False,
    ),
    ("expired status, a past day inside the dates", terms(status=S.EXPIRED), D(2026, 3, 1), True),
    ("expired status, after expiry", terms(status=S.EXPIRED), D(2027, 3, 1), False),
    (
        "termination on the effective day: never bound",
        terms(status=S.TERMINATED, terminated=D(2026, 1, 1)),
        D(2026, 1, 1),
        False,
    ),
    (
        "one-day agreement",
        terms(effective=D(2026, 5, 5), expires=D(2026, 5, 5)),
        D(2026, 5, 5),
        True,
    ),
]


@pytest.mark.parametrize(
    ("case", "t", "day", "expected"), IN_FORCE_TABLE, ids=[c[0] for c in IN_FORCE_TABLE]
)
def test_in_force(case: str, t: Terms, day: date, expected: bool) -> None:
    assert rules.in_force(t, on=day) is expected
    reason = rules.standing(t, on=day)
    assert (reason is None) is expected
    if reason is not None:
        assert "AG-2026-001" in reason


def test_standing_names_why() -> None:
    assert "draft" in (rules.standing(terms(status=S.DRAFT), on=D(2026, 6, 1)) or "")
    assert "not yet effective (effective from 2026-01-01)" in (
        rules.standing(terms(), on=D(2025, 1, 1)) or ""
    )
    assert "expired on 2026-12-31" in (rules.standing(terms(), on=D(2027, 1, 1)) or "")
    assert "terminated on 2026-06-01" in (
        rules.standing(terms(status=S.TERMINATED, terminated=D(2026, 6, 1)), on=D(2026, 7, 1)) or ""
    )


RECIPE = SecretFacts(id="s1", ref="TS-0001", category="formula")
CODE = SecretFacts(id="s2", ref="TS-0002", category="source-code")

COVERS_TABLE = [
    ("scope all covers any secret", terms(scope=ScopeKind.ALL), RECIPE, D(2026, 6, 1), True),
    (
        "named: the named secret",
        terms(scope=ScopeKind.NAMED, secret_ids=frozenset({"s1"})),
        RECIPE,
        D(2026, 6, 1),
        True,
    ),
    (
        "named: another secret",
        terms(scope=ScopeKind.NAMED, secret_ids=frozenset({"s1"})),
        CODE,
        D(2026, 6, 1),
        False,
    ),
    (
        "named: none named covers nothing",
        terms(scope=ScopeKind.NAMED),
        RECIPE,
        D(2026, 6, 1),
        False,
    ),
    (
        "categories: the secret's category",
        terms(scope=ScopeKind.CATEGORIES, categories=frozenset({"formula"})),
        RECIPE,
        D(2026, 6, 1),
        True,
    ),
    (
        "categories: another category",
        terms(scope=ScopeKind.CATEGORIES, categories=frozenset({"formula"})),
        CODE,
        D(2026, 6, 1),
        False,
    ),
    ("in scope but not yet effective", terms(), RECIPE, D(2025, 12, 31), False),
    ("in scope on the first day", terms(), RECIPE, D(2026, 1, 1), True),
    ("in scope on the expiry day", terms(), RECIPE, D(2026, 12, 31), True),
    ("in scope the day after expiry", terms(), RECIPE, D(2027, 1, 1), False),
    ("in scope but a draft", terms(status=S.DRAFT), RECIPE, D(2026, 6, 1), False),
    (
        "in scope, terminated that day",
        terms(status=S.TERMINATED, terminated=D(2026, 6, 1)),
        RECIPE,
        D(2026, 6, 1),
        False,
    ),
    (
        "named secret, but expired",
        terms(scope=ScopeKind.NAMED, secret_ids=frozenset({"s1"})),
        RECIPE,
        D(2027, 2, 1),
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "t", "secret", "day", "expected"), COVERS_TABLE, ids=[c[0] for c in COVERS_TABLE]
)
def test_covers(case: str, t: Terms, secret: SecretFacts, day: date, expected: bool) -> None:
    assert rules.covers(t, secret, on=day) is expected
    assert (rules.why_not_covered(t, secret, on=day) is None) is expected


def test_why_not_covered_names_the_scope_problem() -> None:
    named = terms(scope=ScopeKind.NAMED, secret_ids=frozenset({"s1"}))
    assert "not named in it" in (rules.why_not_covered(named, CODE, on=D(2026, 6, 1)) or "")
    cats = terms(scope=ScopeKind.CATEGORIES, categories=frozenset({"formula"}))
    assert "category source-code is not covered" in (
        rules.why_not_covered(cats, CODE, on=D(2026, 6, 1)) or ""
    )
    # the date problem is named before the scope problem
    assert "expired" in (rules.why_not_covered(named, CODE, on=D(2027, 6, 1)) or "")


SURVIVES_TABLE = [
    ("in force", terms(survival_years=2, trade_secrets_survive=False), D(2026, 6, 1), True, True),
    (
        "other info, last survival day",
        terms(survival_years=2, trade_secrets_survive=False),
        D(2028, 12, 31),
        False,
        True,
    ),
    (
        "other info, day after survival",
        terms(survival_years=2, trade_secrets_survive=False),
        D(2029, 1, 1),
        False,
        False,
    ),
    ("trade secret while secret", terms(survival_years=2), D(2040, 1, 1), True, True),
    (
        "trade secret, agreement says no",
        terms(survival_years=2, trade_secrets_survive=False),
        D(2040, 1, 1),
        True,
        False,
    ),
    ("no survival stated", terms(trade_secrets_survive=False), D(2027, 1, 1), False, False),
    ("draft never binds", terms(status=S.DRAFT, survival_years=5), D(2027, 1, 1), False, False),
    (
        "terminated: survival counts from the day before termination",
        terms(
            status=S.TERMINATED,
            terminated=D(2026, 7, 1),
            survival_years=1,
            trade_secrets_survive=False,
        ),
        D(2027, 6, 30),
        False,
        True,
    ),
    (
        "terminated: and ends a year later",
        terms(
            status=S.TERMINATED,
            terminated=D(2026, 7, 1),
            survival_years=1,
            trade_secrets_survive=False,
        ),
        D(2027, 7, 1),
        False,
        False,
    ),
    (
        "open-ended, before start",
        terms(expires=None, survival_years=3),
        D(2025, 1, 1),
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    ("case", "t", "day", "trade_secret", "expected"),
    SURVIVES_TABLE,
    ids=[c[0] for c in SURVIVES_TABLE],
)
def test_survives(case: str, t: Terms, day: date, trade_secret: bool, expected: bool) -> None:
    assert rules.survives(t, on=day, trade_secret=trade_secret) is expected


def test_survival_from_29_february() -> None:
    t = terms(expires=D(2028, 2, 29), survival_years=1, trade_secrets_survive=False)
    assert rules.survives(t, on=D(2029, 2, 28), trade_secret=False)
    assert not rules.survives(t, on=D(2029, 3, 1), trade_secret=False)


RENEWAL_TABLE = [
    ("day before the window", terms(), 30, D(2026, 11, 30), False),
    ("first day of the window", terms(), 30, D(2026, 12, 1), True),
    ("expiry day", terms(), 30, D(2026, 12, 31), True),
    ("after expiry: nothing to renew", terms(), 30, D(2027, 1, 1), False),
    ("open-ended", terms(expires=None), 30, D(2026, 12, 31), False),
    ("draft", terms(status=S.DRAFT), 30, D(2026, 12, 15), False),
    ("zero notice: only the expiry day", terms(), 0, D(2026, 12, 31), True),
    ("zero notice: the day before", terms(), 0, D(2026, 12, 30), False),
]


@pytest.mark.parametrize(
    ("case", "t", "notice", "day", "expected"), RENEWAL_TABLE, ids=[c[0] for c in RENEWAL_TABLE]
)
def test_renewal_due(case: str, t: Terms, notice: int, day: date, expected: bool) -> None:
    assert rules.renewal_due(t, notice, on=day) is expected


LAPSED_TABLE = [
    ("in force, expiry day", terms(), D(2026, 12, 31), True, False),
    ("in force, day after", terms(), D(2027, 1, 1), True, True),
    ("already expired", terms(status=S.EXPIRED), D(2027, 1, 1), False, False),
    (
        "terminated",
        terms(status=S.TERMINATED, terminated=D(2026, 3, 1)),
        D(2027, 1, 1),
        False,
        False,
    ),
    ("open-ended", terms(expires=None), D(2099, 1, 1), True, False),
]


@pytest.mark.parametrize(
    ("case", "t", "day", "_", "expected"), LAPSED_TABLE, ids=[c[0] for c in LAPSED_TABLE]
)
def test_lapsed(case: str, t: Terms, day: date, _: bool, expected: bool) -> None:
    assert rules.lapsed(t, on=day) is expected


def test_days_until_expiry() -> None:
    assert rules.days_until_expiry(terms(), on=D(2026, 12, 1)) == 30
    assert rules.days_until_expiry(terms(), on=D(2027, 1, 2)) == -2
    assert rules.days_until_expiry(terms(expires=None), on=D(2026, 1, 1)) is None


TRANSITIONS_TABLE = [
    (S.DRAFT, S.IN_FORCE, True),
    (S.DRAFT, S.TERMINATED, True),
    (S.DRAFT, S.EXPIRED, False),
    (S.IN_FORCE, S.EXPIRED, True),
    (S.IN_FORCE, S.TERMINATED, True),
    (S.IN_FORCE, S.DRAFT, False),
    (S.EXPIRED, S.IN_FORCE, True),
    (S.EXPIRED, S.TERMINATED, False),
    (S.TERMINATED, S.IN_FORCE, False),
    (S.TERMINATED, S.DRAFT, False),
]


@pytest.mark.parametrize(("current", "new", "allowed"), TRANSITIONS_TABLE)
def test_transitions(current: AgreementStatus, new: AgreementStatus, allowed: bool) -> None:
    assert rules.can_change_status(current, new) is allowed


def test_every_status_has_a_transition_row() -> None:
    assert set(rules.TRANSITIONS) == set(AgreementStatus)


@pytest.mark.parametrize(
    ("t", "on", "problem"),
    [
        (terms(), D(2026, 6, 1), None),
        (terms(status=S.DRAFT), D(2026, 6, 1), None),
        (terms(), D(2026, 1, 1), None),
        (terms(), D(2025, 12, 31), "before AG-2026-001 took effect"),
        (terms(status=S.EXPIRED), D(2027, 6, 1), "only a draft or an agreement in force"),
        (terms(status=S.TERMINATED), D(2026, 6, 1), "only a draft or an agreement in force"),
    ],
)
def test_why_not_terminable(t: Terms, on: date, problem: str | None) -> None:
    found = rules.why_not_terminable(t, on)
    assert (found is None) if problem is None else (problem in (found or ""))


@pytest.mark.parametrize(
    ("t", "new", "problem"),
    [
        (terms(), D(2027, 12, 31), None),
        (terms(), None, None),
        (terms(status=S.EXPIRED), D(2027, 12, 31), None),
        (terms(), D(2026, 12, 31), "is not after the current one"),
        (terms(), D(2026, 6, 1), "is not after the current one"),
        (terms(expires=None), D(2026, 5, 1), "already past"),
        (terms(status=S.DRAFT), D(2027, 12, 31), "only an agreement in force or expired"),
        (terms(status=S.TERMINATED), D(2027, 12, 31), "only an agreement in force or expired"),
    ],
)
def test_why_not_renewable(t: Terms, new: date | None, problem: str | None) -> None:
    found = rules.why_not_renewable(t, new, on=D(2026, 6, 1))
    assert (found is None) if problem is None else (problem in (found or ""))
