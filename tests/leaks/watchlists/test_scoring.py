"""TF-IDF scoring: words as scoring counts them, a relevant item well above an unrelated one,
the reason naming what carried the score."""

from __future__ import annotations

import pytest

from crownjewels.leaks.watchlists.scoring import Corpus, Profile, score, words

CELL = (
    "Fed-batch CHO cell culture process: a feed schedule that controls glycosylation of the "
    "antibody, a temperature shift on day five and a galactose feed that raises galactosylated "
    "glycoforms."
)
OTHERS = [
    "The exact recipe and its process parameters.",
    "Brine recipe for pickles: salt, dill and vinegar ratios and the fermentation time.",
    "Source code of the pricing engine that ranks vendor bids.",
]
RELEVANT = "Method for controlling glycosylation in fed-batch cell culture with a galactose feed"
UNRELATED = "Retailer opens new stores in Europe as quarterly revenue grows"
PROFILE = Profile("TS-0003", CELL, terms=("perfusion culture",), competitors=("Biogenix",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fed-batch CULTURES, glycosylation!", ["fed-batch", "culture", "glycosylation"]),
        ("the of and a to", []),
        ("ﬁlter process 2026", ["filter", "process"]),  # NFKC ligature; digits alone dropped
    ],
)
def test_words(text: str, expected: list[str]) -> None:
    assert words(text) == expected


def test_a_relevant_item_scores_above_an_unrelated_one() -> None:
    corpus = Corpus.of([CELL, *OTHERS, RELEVANT, UNRELATED])
    relevant = score(RELEVANT, PROFILE, corpus)
    unrelated = score(UNRELATED, PROFILE, corpus)
    assert relevant.value >= 0.3 > 0.05 >= unrelated.value
    reason = relevant.reason("TS-0003")
    assert reason.startswith("shares '")
    assert "'fed-batch'" in reason and "'glycosylation'" in reason
    assert reason.endswith(f"with TS-0003's description; score {relevant.value:.2f}")
    assert unrelated.reason("TS-0003") == "shares no word with TS-0003's watchlist; score 0.00"


def test_watch_terms_and_competitors_are_named_and_weigh_more() -> None:
    item = "Biogenix moves to perfusion culture for its antibody plant"
    corpus = Corpus.of([CELL, *OTHERS, item])
    watched = score(item, PROFILE, corpus)
    bare = score(item, Profile("TS-0003", CELL), corpus)
    assert watched.value > bare.value
    assert watched.terms == ["perfusion culture"] and watched.competitors == ["Biogenix"]
    assert "mentions the watch term 'perfusion culture'" in watched.reason("TS-0003")
    assert "names the competitor Biogenix" in watched.reason("TS-0003")


def test_common_words_weigh_less_than_rare_ones() -> None:
    common = "process parameters recipe"
    corpus = Corpus.of([CELL, *OTHERS, common, "glycosylation"])
    assert corpus.idf("glycosylation") > corpus.idf("process")
    assert score("glycosylation", PROFILE, corpus).value > score(common, PROFILE, corpus).value
