"""The letters' pure rules, table by table: a clause's number and heading found in an
agreement's text, the words quoted, a governing law in words, the letter regime of a clock,
times in the organisation's style and file names."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from crownjewels.incidents.legal import rules
from crownjewels.incidents.letters.schemas import ClauseTopic, Regime

TEXT = """MUTUAL NON-DISCLOSURE AGREEMENT

1. Definitions
"Confidential Information" means all information disclosed.

2. The Recipient shall use it solely for the Purpose.

Section 7 – Remedies
The Discloser may seek an injunction.
It may also claim damages.

ARTICLE 9. Governing Law
This Agreement is governed by the laws of Germany.

The parties agree to all of the above.
"""


def _at(sentence: str) -> int:
    return TEXT.index(sentence)


@pytest.mark.parametrize(
    ("sentence", "number", "heading"),
    [
        ('"Confidential Information" means', "1", "Definitions"),
        ("The Recipient shall use it", "2", None),
        ("The Discloser may seek", "7", "Remedies"),
        ("It may also claim damages", "7", "Remedies"),
        ("This Agreement is governed", "9", "Governing Law"),
        ("MUTUAL NON-DISCLOSURE", None, None),
    ],
)
def test_a_clause_is_numbered_by_its_line_or_the_nearest_above(
    sentence: str, number: str | None, heading: str | None
) -> None:
    assert rules.clause_at(TEXT, _at(sentence)) == (number, heading)


def test_an_unnumbered_text_gives_no_number() -> None:
    assert rules.clause_at("The Recipient shall keep it secret.", 4) == (None, None)


@pytest.mark.parametrize(
    ("sentence", "number", "heading", "quoted"),
    [
        ("4. Upon termination return it.", "4", None, "Upon termination return it."),
        ("Section 4.2 – The Recipient shall\n  return it.", "4.2", None,
         "The Recipient shall return it."),
        ("4. Return of Materials Upon termination return it.", "4", "Return of Materials",
         "Upon termination return it."),
        ("The Recipient shall return it.", None, None, "The Recipient shall return it."),
        ("word " * 200, None, None, ("word " * 120).strip() + " …"),
    ],
)  # fmt: skip
def test_the_words_quoted(
    sentence: str, number: str | None, heading: str | None, quoted: str
) -> None:
    assert rules.excerpt(sentence, number, heading) == quoted


@pytest.mark.parametrize(
    ("country", "subdivision", "words"),
    [
        ("US", "US-CA", "the State of California"),
        ("US", "US-MA", "the Commonwealth of Massachusetts"),
        ("US", "US-DC", "the District of Columbia"),
        ("US", None, "the United States"),
        ("GB", "GB-ENG", "England and Wales"),
        ("GB", None, "the United Kingdom"),
        ("DE", "DE-BY", "Germany"),
        ("NL", None, "the Netherlands"),
        ("KR", None, "South Korea"),
        (None, None, None),
    ],
)
def test_a_governing_law_in_words(country: str | None, subdivision: str | None, words: str) -> None:
    assert rules.law_words(country, subdivision) == words


@pytest.mark.parametrize(
    ("kind", "regime", "key", "expected"),
    [
        ("notice", "GDPR", "gdpr-art-33", Regime.GDPR),
        ("notice", "NIS2", "nis2-early-warning", Regime.NIS2),
        ("notice", "SEC", "sec-8k-item-105", Regime.SEC),
        ("notice", "HIPAA", "hipaa-hhs-500", Regime.HIPAA),
        ("notice", "CERT-In", "in-cert-in", Regime.CERT_IN),
        ("notice", "California Civ. Code §1798.82", "us-ca-attorney-general", Regime.US_STATE),
        ("notice", "DORA", "dora-initial", Regime.GENERIC),
        ("notice", "Contract", "contract", None),
        ("limitation", "DTSA", "dtsa-limitation", None),
    ],
)
def test_the_letter_regime_of_a_clock(
    kind: str, regime: str, key: str, expected: Regime | None
) -> None:
    assert rules.letter_regime(kind, regime, key) == expected


def test_topics_states_and_words() -> None:
    assert rules.clause_topic("return_on_termination") == ClauseTopic.RETURN_OR_DESTROY
    assert rules.clause_topic("no_licence") is None
    assert rules.us_state_of("us-ny-residents") == "US-NY" and rules.us_state_of("gdpr") is None
    assert rules.state_name("US-TX") == "Texas"
    moment = datetime(2026, 11, 14, 8, 30, tzinfo=UTC)
    assert rules.moment_words(moment, "Europe/Berlin", False) == "14 November 2026, 09:30 CET"
    assert rules.moment_words(moment, "America/New_York", True) == "November 14, 2026, 03:30 EST"
    assert rules.day_words(date(2026, 3, 1), True) == "March 1, 2026"
    assert rules.slug("Jürgen Müller (Meridian GmbH)") == "jurgen-muller-meridian-gmbh"
