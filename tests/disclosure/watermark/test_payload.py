"""The payload: its encodings round-trip, and damage is reported as damage, never as an id."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ulid import ULID

from crownjewels.disclosure.watermark import marks as wm_core
from crownjewels.disclosure.watermark import text as wm_text
from crownjewels.disclosure.watermark.engine import Mark, MarkError, MarkStatus

ids = st.binary(min_size=16, max_size=16)
keys = st.none() | st.binary(min_size=1, max_size=64)


@given(ids, keys)
def test_zero_width_payload_round_trips(id_bytes: bytes, key: bytes | None) -> None:
    run = wm_text.zw_encode(wm_core.encode_payload(id_bytes, key))
    assert len(run) == wm_text.RUN_LEN and set(run) <= set(wm_text.ZW)
    status, copy_id = wm_core.decode_payload(wm_text.zw_decode(run), key)
    assert status is MarkStatus.VALID
    assert copy_id == str(ULID.from_bytes(id_bytes))


@given(ids, keys)
def test_token_round_trips(id_bytes: bytes, key: bytes | None) -> None:
    token = wm_core.encode_token(id_bytes, key)
    match = wm_core.TOKEN_RE.fullmatch(token)
    assert match is not None
    assert wm_core.decode_token(match.group(1), key) == (
        MarkStatus.VALID,
        str(ULID.from_bytes(id_bytes)),
    )


@settings(max_examples=300)
@given(ids, st.data())
def test_a_changed_character_is_damage_never_another_id(
    id_bytes: bytes, data: st.DataObject
) -> None:
    run = wm_text.zw_encode(wm_core.encode_payload(id_bytes, b"k"))
    i = data.draw(st.integers(0, len(run) - 1))
    other = data.draw(st.sampled_from([c for c in wm_text.ZW if c != run[i]]))
    damaged = run[:i] + other + run[i + 1 :]
    status, copy_id = wm_core.decode_payload(wm_text.zw_decode(damaged), b"k")
    assert (status, copy_id) == (MarkStatus.DAMAGED, None)


@given(ids, st.text(alphabet=st.characters(blacklist_characters=wm_text.ZW), max_size=400))
def test_marked_prose_reads_back_and_shows_the_same_text(id_bytes: bytes, text: str) -> None:
    run = wm_text.zw_encode(wm_core.encode_payload(id_bytes, None))
    marked = wm_text.mark_prose(text, run)
    assert marked.translate(dict.fromkeys(map(ord, wm_text.ZW))) == text
    found = wm_core.Collector()
    wm_text.read_text(marked, None, found)
    assert all(m.status is MarkStatus.VALID for m in found.result())
    assert {m.copy_id for m in found.result()} <= {str(ULID.from_bytes(id_bytes))}


def test_a_mark_under_another_key_is_unverified() -> None:
    token = wm_core.encode_token(bytes(16), b"theirs")
    status, copy_id = wm_core.decode_token(token.removeprefix("CJMARK-"), b"ours")
    assert status is MarkStatus.UNVERIFIED and copy_id == str(ULID.from_bytes(bytes(16)))


@pytest.mark.parametrize(
    "value",
    ["01HZY3K7Q8M2V5T9XWJ4N6B1CD", "01hzy3k7q8m2v5t9xwj4n6b1cd", 12345, bytes(range(16))],
)
def test_copy_ids_are_ulid_strings_integers_or_16_bytes(value: str | int | bytes) -> None:
    mark = Mark(value, "Alice", "Acme", dt.date(2024, 1, 1))
    assert str(ULID.from_str(mark.copy_id)) == mark.copy_id


@pytest.mark.parametrize("value", ["not-a-ulid", b"short", -1])
def test_bad_copy_ids_are_refused(value: str | int | bytes) -> None:
    with pytest.raises(MarkError, match="not a valid copy id"):
        Mark(value, "Alice", "Acme", dt.date(2024, 1, 1))


def test_a_mark_needs_a_recipient() -> None:
    with pytest.raises(MarkError, match="recipient"):
        Mark("01HZY3K7Q8M2V5T9XWJ4N6B1CD", "  ", "Acme", dt.date(2024, 1, 1))
