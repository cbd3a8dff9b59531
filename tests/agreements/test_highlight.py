"""Evidence marks: the pieces join back into the text, every valid evidence span sits inside a
mark, overlapping spans share one mark, stale offsets are left out, and each finding links to
the mark of its best evidence."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from crownjewels.agreements import evidence
from crownjewels.agreements.highlight import highlight
from crownjewels.agreements.schemas import FindingRead
from crownjewels.core import clock

TEXT = "One. Two is here. Three follows. Four ends it."


def finding(fid: str, *spans: tuple[int, int], text: str = TEXT) -> FindingRead:
    return FindingRead(
        id=fid,
        requirement=fid,
        title=fid,
        status="satisfied",  # type: ignore[arg-type]
        evidence=[evidence.seal(text, a, b) for a, b in spans],  # type: ignore[misc]
        explanation="",
        strictness="required",
        review=None,
        review_status=None,
        review_reason=None,
        reviewed_by=None,
        reviewed_at=clock.now(),
    )


def test_marks_merge_overlaps_and_link_each_finding_to_its_best_evidence() -> None:
    two, three, four = (5, 17), (18, 32), (33, 46)
    pieces, first = highlight(
        TEXT,
        [
            finding("a", three, two),  # best evidence first: "Three follows."
            finding("b", (18, 24)),  # inside "Three follows." -> the same mark
            finding("c", four),
            finding("d"),  # no evidence: no link
        ],
    )
    assert "".join(p.text for p in pieces) == TEXT
    marks = {p.mark: (p.text, p.findings) for p in pieces if p.mark}
    assert marks == {
        "ev-1": ("Two is here.", ["a"]),
        "ev-2": ("Three follows.", ["b", "a"]),  # in reading order of their spans
        "ev-3": ("Four ends it.", ["c"]),
    }
    assert first == {"a": "ev-2", "b": "ev-2", "c": "ev-3"}


def test_stale_offsets_are_left_out() -> None:
    stale = finding("a", (0, 4), text="Else. " + TEXT)  # sealed against another text
    pieces, first = highlight(TEXT, [stale, finding("b", (50, 60))])
    assert [p.mark for p in pieces] == [None] and first == {}


def test_offsets_stored_before_digests_are_trusted_when_in_range() -> None:
    legacy = finding("a", (5, 17))
    legacy.evidence[0].digest = None
    outside = finding("b", (5, 17))
    outside.evidence[0].digest, outside.evidence[0].end = None, 99
    pieces, first = highlight(TEXT, [legacy, outside])
    assert [p.text for p in pieces if p.mark] == ["Two is here."] and first == {"a": "ev-1"}


def test_a_digest_confirms_its_sentence_only_with_the_whole_text() -> None:
    sealed = evidence.seal(TEXT, 5, 17)
    assert set(sealed) == {"start", "end", "digest"}
    assert sealed["digest"] != evidence.digest("Two is here.", 0, 12)  # the sentence alone
    assert sealed["digest"] != evidence.digest(TEXT + " ", 5, 17)


@given(
    st.text(alphabet="ab. \n", min_size=1, max_size=60),
    st.lists(st.tuples(st.integers(0, 60), st.integers(1, 20)), max_size=8),
)
def test_pieces_always_join_back_and_cover_every_span(
    text: str, raw: list[tuple[int, int]]
) -> None:
    spans = [(a, min(a + n, len(text))) for a, n in raw if a < len(text)]
    findings = [finding(f"f{i}", s, text=text) for i, s in enumerate(spans) if s[1] > s[0]]
    pieces, first = highlight(text, findings)
    assert "".join(p.text for p in pieces) == text
    pos, covered = 0, []
    for p in pieces:
        if p.mark:
            covered.append((pos, pos + len(p.text)))
        pos += len(p.text)
    for f in findings:
        e = f.evidence[0]
        assert any(a <= e.start and e.end <= b for a, b in covered)
        assert f.id in first
