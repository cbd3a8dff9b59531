"""Custody codes read as words: one mapping for the types whose words differ from the code,
every other code spelled out; acronyms stay in capitals."""

from __future__ import annotations

import pytest

from crownjewels.custody.schemas import EventType
from crownjewels.custody.words import event_words, spelled


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("ACCESS_GRANT_REQUESTED", "Access grant requested"),
        ("USER_LOGIN_SUCCEEDED", "Signed in"),
        ("CUSTODY_EXPORTED", "Evidence bundle exported"),
        ("SECRET_REGISTERED", "Secret registered"),
        ("SOMETHING_NEW_HAPPENED", "Something new happened"),  # a type not listed
    ],
)
def test_event_types_read_as_words(code: str, words: str) -> None:
    assert event_words(code) == words


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("expires_on", "Expires on"),
        ("mfa_enrolled", "MFA enrolled"),
        ("data-subject-regions", "Data subject regions"),
        ("api_token_id", "API token ID"),
    ],
)
def test_field_names_read_as_words(code: str, words: str) -> None:
    assert spelled(code) == words


def test_every_event_type_has_words_without_underscores() -> None:
    for event_type in EventType:
        words = event_words(event_type.value)
        assert words and "_" not in words and words[0].isupper(), event_type
