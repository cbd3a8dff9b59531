"""TF-IDF scoring of feed items against watched secrets: pure functions, no I/O.

A text becomes words: Unicode NFKC, case folded, hyphenated compounds kept whole ("fed-batch"),
a plural's final s dropped, stop words and one- or two-letter words left out. A secret's profile
is its description plus its watch terms and competitors, counted twice (they are what its owner
asked to be told about). Term weights are (1 + ln tf) x idf, with the smoothed idf
ln((1 + n) / (1 + df)) + 1 over the corpus of the register's descriptions and the feed items;
the score is the cosine of the two vectors (0..1). The reason names the shared words that are
rarest in the corpus (the longer first among equals), the watch terms and competitors found
whole, and the score."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
#: watch terms and competitors weigh as much as this many mentions in the description
BOOST = 2
#: the words a reason names at most
SHOWN = 3
_STOPWORDS = """
    about above after again against all also among and any are because been before being below
    between both but can could did does doing down during each few for from further had has
    have having her here hers him his how into its itself just more most new not now off once
    only other our ours out over own same she should some such than that the their theirs them
    then there these they this those through too under until upon very was were what when where
    which while who whom why will with within without would you your yours may might must shall
    use used using one two three per via yet et al inc ltd llc corp
    """
STOPWORDS = frozenset(_STOPWORDS.split())


def words(text: str) -> list[str]:
    """The words of a text as scoring counts them."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    out: list[str] = []
    for match in WORD.finditer(folded):
        word = match.group().replace("'", "")
        if word.endswith("s") and len(word) > 4 and not word.endswith(("ss", "us", "is")):
            word = word[:-1]
        if len(word) > 2 and word not in STOPWORDS and not word.isdigit():
            out.append(word)
    return out


@dataclass(frozen=True)
class Corpus:
    """Document frequencies of words over the register's descriptions and the feed items."""

    documents: int
    frequency: Mapping[str, int]

    @classmethod
    def of(cls, texts: Iterable[str]) -> Corpus:
        """The corpus of these texts (each counted once per word)."""
        df: Counter[str] = Counter()
        n = 0
        for text in texts:
            n += 1
            df.update(set(words(text)))
        return cls(documents=n, frequency=df)

    def idf(self, word: str) -> float:
        """Smoothed inverse document frequency: rare words weigh more; never zero."""
        return math.log((1 + self.documents) / (1 + self.frequency.get(word, 0))) + 1.0


@dataclass(frozen=True)
class Profile:
    """What a watched secret is scored by: its reference, description, terms, competitors."""

    secret_ref: str
    description: str
    terms: tuple[str, ...] = ()
    competitors: tuple[str, ...] = ()

    def counts(self) -> Counter[str]:
        """Word counts of the description, with each watch term and competitor boosted."""
        counts = Counter(words(self.description))
        for phrase in (*self.terms, *self.competitors):
            for word in words(phrase):
                counts[word] += BOOST
        return counts


@dataclass(frozen=True)
class Score:
    """An item's score against one secret and what carried it."""

    value: float
    #: description words shared, rarest in the corpus first (then the longer, more specific)
    shared: list[str] = field(default_factory=list)
    #: watch terms and competitors found whole in the item (as the owner typed them)
    terms: list[str] = field(default_factory=list)
    competitors: list[str] = field(default_factory=list)

    def reason(self, secret_ref: str) -> str:
        """The score in words: "shares 'fed-batch' and 'glycosylation' with TS-0003's
        description; score 0.71"."""
        parts: list[str] = []
        if self.shared:
            parts.append(f"shares {_listed(self.shared)} with {secret_ref}'s description")
        if self.terms:
            noun = "term" if len(self.terms) == 1 else "terms"
            parts.append(f"mentions the watch {noun} {_listed(self.terms)}")
        if self.competitors:
            noun = "competitor" if len(self.competitors) == 1 else "competitors"
            parts.append(f"names the {noun} {_listed(self.competitors, quote=False)}")
        if not parts:
            parts.append(f"shares no word with {secret_ref}'s watchlist")
        return "; ".join([*parts, f"score {self.value:.2f}"])


def _listed(items: list[str], *, quote: bool = True) -> str:
    shown = [f"'{i}'" if quote else i for i in items]
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _weights(counts: Mapping[str, int], corpus: Corpus) -> dict[str, float]:
    return {w: (1.0 + math.log(c)) * corpus.idf(w) for w, c in counts.items() if c > 0}


def _norm(vector: Mapping[str, float]) -> float:
    return math.sqrt(sum(v * v for v in vector.values()))


def _found(phrase: str, item_words: set[str]) -> bool:
    wanted = words(phrase)
    return bool(wanted) and all(w in item_words for w in wanted)


def score(item_text: str, profile: Profile, corpus: Corpus) -> Score:
    """The cosine of the item's and the secret's TF-IDF vectors, with what carried it."""
    item_counts = Counter(words(item_text))
    secret = _weights(profile.counts(), corpus)
    item = _weights(item_counts, corpus)
    norms = _norm(secret) * _norm(item)
    if not norms:
        return Score(0.0)
    products = {w: secret[w] * item[w] for w in secret.keys() & item.keys()}
    value = min(1.0, sum(products.values()) / norms)
    present = set(item_counts)
    terms = [t for t in profile.terms if _found(t, present)]
    competitors = [c for c in profile.competitors if _found(c, present)]
    in_phrases = {w for p in (*terms, *competitors) for w in words(p)}
    description = set(words(profile.description))
    shared = sorted(
        (w for w in products if w in description and w not in in_phrases),
        key=lambda w: (-round(corpus.idf(w), 6), -len(w), w),
    )[:SHOWN]
    return Score(round(value, 4), shared=shared, terms=terms, competitors=competitors)
