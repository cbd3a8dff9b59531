"""Fingerprints: text and code normalised to units, k-grams hashed and winnowed (the MOSS
algorithm), compared with their positions so that matches show as passages.

The contract the rest of leaks relies on (fingerprint/core.py):

- `fingerprint(text, *, name="", language=None) -> Prints`: a text's winnowed fingerprints on
  every channel that applies (text: channel 0; code: 1 structure, 2 verbatim, 3 literals), as
  parallel numpy arrays (channel, hash, unit, start, end: char offsets in `text`), with
  `line_of(offset)`, its kind (text or code) and language.
- `compare(suspect: Prints, source: Prints, weights=None) -> Comparison`: the fragments
  (consecutive matching k-grams merged into passages with offsets and lines on both sides),
  the similarity (share of the source's fingerprints found, IDF-weighted when weights are
  given), the longest fragment in units and lines, and whether identifiers were renamed.
- `Index`: many sources in memory (numpy, sorted by hash): `add(key, prints)`, `query(prints)`
  -> {key: Comparison}, `all_pairs()`, document frequencies for IDF.
- `is_match(comparison, channel)`: the decision a scan makes; `strength(...)`: the same as a
  score (1 = the decision's limit).
- `PARAMS`: k, w and the thresholds, with the guarantee t = w + k - 1 (docs/leaks.md).
"""

from crownjewels.leaks.fingerprint.core import (
    LANGUAGES,
    PARAMS,
    Channel,
    ChannelParams,
    Comparison,
    Fragment,
    Index,
    Params,
    Prints,
    Weights,
    compare,
    fingerprint,
    idf_weights,
    is_match,
    language_of,
    strength,
)

__all__ = [
    "LANGUAGES",
    "PARAMS",
    "Channel",
    "ChannelParams",
    "Comparison",
    "Fragment",
    "Index",
    "Params",
    "Prints",
    "Weights",
    "compare",
    "fingerprint",
    "idf_weights",
    "is_match",
    "language_of",
    "strength",
]
