"""The pure rules of a containment: the one-line summary as the issue words it, lists and
counts in words, and a digest that depends on the changes only."""

from __future__ import annotations

import pytest

from crownjewels.incidents.containment import rules
from crownjewels.incidents.containment.schemas import StepKind


def test_the_summary_reads_like_the_example() -> None:
    tally = rules.Tally(
        grants=12,
        grant_people=3,
        organisations=("Lotus Process Services",),
        accounts=2,
        tokens=4,
        documents=7,
        document_secrets=("TS-0003", "TS-0010"),
    )
    assert rules.summary(tally) == (
        "12 grants of 3 people at Lotus Process Services; 2 accounts; 4 tokens; "
        "legal hold on 7 documents of TS-0003 and TS-0010"
    )


@pytest.mark.parametrize(
    ("tally", "words"),
    [
        (rules.Tally(), "nothing to change"),
        (rules.Tally(grants=1, grant_people=1), "1 grant of 1 person"),
        (rules.Tally(sessions=1, vendors=("VN-0002",)), "1 session; vendor VN-0002"),
        (rules.Tally(vendors=("VN-0001", "VN-0002")), "vendors VN-0001 and VN-0002"),
        (
            rules.Tally(copies=1, watched=2),
            "1 copy marked compromised; heightened monitoring of 2 people",
        ),
        (rules.Tally(documents=1), "legal hold on 1 document"),
    ],
)
def test_each_part_in_words(tally: rules.Tally, words: str) -> None:
    assert rules.summary(tally) == words


@pytest.mark.parametrize(
    ("items", "words"),
    [([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_join_words(items: list[str], words: str) -> None:
    assert rules.join_words(items) == words


def test_already_words() -> None:
    assert rules.already_words(StepKind.GRANTS, 2) == "already suspended: 2"
    assert rules.already_words(StepKind.GRANTS, 0) is None
    assert rules.already_words(StepKind.TOKENS, 3) is None


def test_the_digest_names_the_changes_whatever_their_order() -> None:
    a = [("grants", "GR-000001"), ("holds", "01DOC")]
    assert rules.digest(a) == rules.digest(list(reversed(a)))
    assert rules.digest(a) != rules.digest(a[:1])
    assert rules.digest(a) != rules.digest([*a, ("tokens", "01TOK")])
    assert len(rules.digest(a)) == rules.DIGEST_CHARS
