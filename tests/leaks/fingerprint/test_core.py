"""The in-memory fingerprints: the winnowing guarantee, normalisation, code in every language
under disguise, boilerplate weighting, and an index that holds no text."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from crownjewels.leaks.fingerprint import (
    LANGUAGES,
    PARAMS,
    Channel,
    Index,
    compare,
    fingerprint,
    is_match,
    language_of,
    strength,
)
from crownjewels.leaks.fingerprint.core import _winnow
from tests.leaks.fingerprint.samples import SAMPLES, disguise


def _words(rng: np.random.Generator, prefix: str, n: int) -> list[str]:
    return [f"{prefix}{v}" for v in rng.integers(0, 10**9, n).tolist()]


def _shares_print(a: str, b: str) -> bool:
    pa, pb = fingerprint(a), fingerprint(b)
    return bool(np.isin(pa.hash, pb.hash).any())


def test_the_guarantee_a_shared_run_of_t_words_is_always_found() -> None:
    p = PARAMS.channels[Channel.TEXT]
    rng = np.random.default_rng(13)
    for trial in range(120):
        run = _words(rng, "s", p.t + int(rng.integers(0, 4)) * (trial % 2))
        left = _words(rng, "a", int(rng.integers(0, 40)))
        right = _words(rng, "b", int(rng.integers(0, 40)))
        other_left = _words(rng, "c", int(rng.integers(0, 40)))
        other_right = _words(rng, "d", int(rng.integers(0, 40)))
        a = " ".join(left + run + right)
        b = " ".join(other_left + run + other_right)
        assert _shares_print(a, b), (trial, len(run))


def test_a_run_shorter_than_k_is_never_found() -> None:
    p = PARAMS.channels[Channel.TEXT]
    rng = np.random.default_rng(7)
    for trial in range(120):
        run = _words(rng, "s", int(rng.integers(1, p.k)))
        a = " ".join(_words(rng, "a", 30) + run + _words(rng, "b", 30))
        b = " ".join(_words(rng, "c", 30) + run + _words(rng, "d", 30))
        assert not _shares_print(a, b), (trial, len(run))


@pytest.mark.parametrize(("k", "w"), [(1, 1), (3, 4), (6, 8), (12, 12)])
def test_winnowing_keeps_one_of_every_window(k: int, w: int) -> None:
    rng = np.random.default_rng(k * 100 + w)
    hashes = rng.integers(0, 50, 400).astype(np.uint64)  # many ties
    kept = set(_winnow(hashes, w).tolist())
    for i in range(len(hashes) - w + 1):
        window = hashes[i : i + w]
        rightmost = i + w - 1 - int(np.argmin(window[::-1]))
        assert rightmost in kept


def test_text_is_normalised_case_punctuation_hyphenation_nfkc() -> None:
    words = "the fermentation broth is held at thirty seven degrees for nine days then cooled"
    original = f"{words} slowly before the ﬁnal harvest of the culture"
    disguised = (
        "THE Fermen-\n  tation broth, is held at: thirty-seven (degrees) for nine days; then "
        "cooled SLOWLY before the final harvest of the culture!"
    )
    a, b = fingerprint(original), fingerprint(disguised)
    assert a.kind == "text" and a.language is None
    c = compare(b, a)
    assert c.similarity == 1.0
    # the passage spans the winnowed k-grams: most of the shared run, in the suspect's words
    fragment = c.fragments[0]
    assert fragment.units >= 14
    passage = disguised[fragment.suspect_start : fragment.suspect_end]
    assert "thirty-seven (degrees)" in passage


def test_offsets_and_lines_point_into_the_original_text() -> None:
    rng = np.random.default_rng(3)
    shared = " ".join(_words(rng, "x", 60))
    words = shared.split()
    source = "intro line\n" + "\n".join(" ".join(words[i : i + 6]) for i in range(0, 60, 6))
    suspect = "other words here\nand more\n" + shared.replace(" ", "  ")
    c = compare(fingerprint(suspect), fingerprint(source))
    f = c.fragments[0]
    passage = source[f.source_start : f.source_end].split()
    assert passage == suspect[f.suspect_start : f.suspect_end].split()
    assert " ".join(passage) in shared and len(passage) >= 40
    assert f.source_lines[0] == 2
    assert f.suspect_lines == (3, 3)
    assert c.longest_lines == f.source_lines[1] - f.source_lines[0] + 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_renamed_reformatted_uncommented_code_still_matches(language: str) -> None:
    name, original, names, unrelated = SAMPLES[language]
    copy = disguise(language, original, names)
    source = fingerprint(original, name=name)
    assert source.kind == "code" and source.language == language
    suspect = fingerprint(copy, language=language)
    c = compare(suspect, source)
    assert c.similarity >= 0.6, c
    assert c.renamed
    assert c.verbatim < 0.5
    assert c.fragments and c.fragments[0].channel == Channel.STRUCTURE
    verbatim = compare(fingerprint(original, name=name), source)
    assert verbatim.similarity == 1.0 and verbatim.verbatim == 1.0 and not verbatim.renamed
    control = compare(fingerprint(unrelated, language=language), source)
    assert control.similarity < 0.15, control


def test_languages_from_names_and_content() -> None:
    assert language_of("src/ingest.py") == "python"
    assert language_of("Main.java") == "java"
    assert language_of("x.h", "#include <vector>\nstd::vector<int> v;") == "cpp"
    assert language_of("x.h", "int f(void);") == "c"
    assert language_of("app.tsx") == "typescript"
    assert language_of("notes.txt", "def f():\n    pass\n") == "python"
    assert language_of("report.pdf", "def f():\n    pass\n") is None
    assert language_of("data.csv", "import os") is None
    assert language_of("pasted", "package main\n\nfunc main() {}\n") == "go"
    assert language_of("pasted", "The fermentation runs for nine days.") is None


def _licence(n: int) -> str:
    rng = np.random.default_rng(99)
    return " ".join(_words(rng, "lic", n))


def test_boilerplate_shared_by_many_sources_is_down_weighted() -> None:
    rng = np.random.default_rng(5)
    header = _licence(150)
    index = Index()
    bodies = {}
    for i in range(30):
        bodies[f"doc{i}"] = " ".join(_words(rng, f"b{i}_", 200))
        index.add(f"doc{i}", fingerprint(header + "\n" + bodies[f"doc{i}"]))
    header_only = fingerprint(header + "\n" + " ".join(_words(rng, "new", 200)))
    assert index.query(header_only) == {}
    unweighted = compare(header_only, index.prints["doc4"])
    weighted = compare(header_only, index.prints["doc4"], weights=index.weights)
    assert unweighted.similarity > 0.3
    assert weighted.similarity < 0.05
    assert weighted.fragments == []

    copy = fingerprint(header + "\n" + bodies["doc4"][:900])
    found = index.query(copy)
    assert list(found) == ["doc4"]
    best = found["doc4"].fragments[0]
    # the passage shown is the body (from its first k-gram), not the licence
    assert len(header[best.source_start :].split()) < PARAMS.channels[Channel.TEXT].k


def test_index_query_and_all_pairs() -> None:
    rng = np.random.default_rng(11)
    texts = {f"s{i}": " ".join(_words(rng, f"w{i}_", 300)) for i in range(6)}
    texts["s6"] = texts["s2"][: len(texts["s2"]) // 2] + " " + " ".join(_words(rng, "z", 150))
    index = Index()
    for key, text in texts.items():
        index.add(key, fingerprint(text))
    pairs = index.all_pairs()
    assert [(a, b) for a, b, _ in pairs] == [("s2", "s6")]
    assert pairs[0][2] > 0.4
    found = index.query(fingerprint(texts["s3"][:1200]))
    assert set(found) == {"s3"}
    assert found["s3"].containment > 0.9
    assert index.query(fingerprint(" ".join(_words(rng, "q", 400)))) == {}


def test_prints_hold_numbers_never_text() -> None:
    secret = "the secret titer of strain CJ-77 is 41.5 grams per litre at day nine " * 5
    p = fingerprint(secret)
    code = fingerprint(SAMPLES["python"][1], name="ingest.py")
    for prints in (p, code):
        for f in dataclasses.fields(prints):
            value = getattr(prints, f.name)
            if isinstance(value, np.ndarray):
                assert value.dtype.kind in "iu", f.name
            elif isinstance(value, dict):
                assert all(isinstance(k, int) and isinstance(v, int) for k, v in value.items())
            else:
                assert f.name in {"kind", "language", "chars"}, f.name
    assert p.units == {Channel.TEXT: 80}  # CJ-77 and 41.5 are two words each


def test_hashes_are_stable_across_runs() -> None:
    p = fingerprint("one two three four five six seven eight nine ten eleven twelve thirteen")
    assert p.hash.tolist() == [409488867299586470]


def test_code_pasted_into_a_text_file_is_compared_as_code_and_as_text() -> None:
    name, original, names, _ = SAMPLES["python"]
    source = fingerprint(original, name=name)
    pasted = fingerprint("Found on a forum:\n" + disguise("python", original, names), name="x.txt")
    assert pasted.kind == "code" and set(pasted.units) == {0, 1, 2, 3}
    assert compare(pasted, source).similarity >= 0.6
    prose = " ".join(f"word{i}" for i in range(80))
    text_source = fingerprint(prose, name="notes.txt")
    assert text_source.kind == "text"
    leaked = fingerprint("import os\n" + prose, name="leak.txt")
    assert leaked.language == "python" and compare(leaked, text_source).similarity > 0.9


def _table(rows: range, prefix: str, call: str = "def_op", quote: str = "'") -> str:
    return "".join(f"{call}({quote}{prefix}_{i * 7}{quote}, {i})\n" for i in rows)


def test_a_renamed_table_is_told_apart_by_its_literals() -> None:
    # every source has the same structure: only the literals differ from one to the next
    index = Index()
    for s in range(12):
        index.add(f"ops{s}.py", fingerprint(_table(range(60), f"OP{s}"), name=f"ops{s}.py"))
    table = fingerprint(_table(range(60), "OP3"), name="ops3.py")
    assert set(table.units) == {Channel.STRUCTURE, Channel.VERBATIM, Channel.LITERAL}
    # 25 rows of one, the function renamed and the quotes changed
    copy = fingerprint(_table(range(20, 45), "OP3", call="reg", quote='"'), name="leak.py")
    found = index.query(copy)
    assert list(found) == ["ops3.py"], found
    # found on the evidence of its literals: the structure is everyone's, the names changed
    assert found["ops3.py"].verbatim == 0.0
    assert found["ops3.py"].weight >= PARAMS.channels[Channel.STRUCTURE].min_weight
    assert compare(copy, table, weights=index.weights).fragments == []
    other = fingerprint(_table(range(20, 45), "NEW", call="reg"), name="other.py")
    assert index.query(other) == {}


def test_strength_reaches_one_exactly_when_a_scan_reports_a_match() -> None:
    index = Index()
    for s in range(12):
        index.add(f"ops{s}.py", fingerprint(_table(range(60), f"OP{s}"), name=f"ops{s}.py"))
    for language in LANGUAGES:
        name, original, names, _ = SAMPLES[language]
        index.add(name, fingerprint(original, name=name))
    suspects = [
        fingerprint(_table(range(rows, rows + 12), "OP5", call="reg"), name="t.py")
        for rows in (0, 30, 50)
    ]
    suspects += [
        fingerprint(disguise(lang, *SAMPLES[lang][1:3]), language=lang) for lang in LANGUAGES
    ]
    suspects += [fingerprint(SAMPLES[lang][3], language=lang) for lang in LANGUAGES]
    seen = {True: 0, False: 0}
    for suspect in suspects:
        for key, c in index.query(suspect, threshold=0.0).items():
            channel = index.prints[key].primary
            assert is_match(c, channel) == (strength(c, channel) >= 1.0), (key, c)
            seen[is_match(c, channel)] += 1
    assert seen[True] and seen[False]
