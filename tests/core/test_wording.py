"""Words for people: statuses and tiers in one capitalisation, media types as file kinds, and
domain messages without their command-line hints on a page."""

from __future__ import annotations

import pytest

from crownjewels.core.wording import file_kind, for_pages, words


@pytest.mark.parametrize(
    ("code", "shown"),
    [
        ("highly-sensitive", "Highly sensitive"),
        ("in_force", "In force"),
        ("expired", "Expired"),
        ("not_mentioned", "Not mentioned"),
        ("nda", "NDA"),
        ("employee-nda", "Employee NDA"),
        ("", ""),
    ],
)
def test_words_is_sentence_case_with_acronyms(code: str, shown: str) -> None:
    assert words(code) == shown


@pytest.mark.parametrize(
    ("media_type", "kind"),
    [
        ("application/pdf", "PDF"),
        ("application/msword", "Word document"),
        ("text/plain; charset=utf-8", "Text"),
        ("image/webp", "Image"),
        ("application/x-unheard-of", "File"),
        (None, "File"),
    ],
)
def test_file_kind_names_the_file_as_a_person_does(media_type: str | None, kind: str) -> None:
    assert file_kind(media_type) == kind


def test_for_pages_drops_command_line_hints_only() -> None:
    assert for_pages("no agreement 'AG-9'; `crownjewels agreements list` shows them") == (
        "no agreement 'AG-9'"
    )
    assert for_pages("the reason is missing; say why") == "the reason is missing; say why"


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "document 1 is under legal hold (audit); release the hold first "
            "(`crownjewels vault release`)",
            "document 1 is under legal hold (audit); release the hold first",
        ),
        (
            "D: left out, Dana is protected from retaliation; suspending the grant G needs a "
            "case handler's approval first (`crownjewels reports approvals request d@x.org "
            '--action suspend-grant --target "G (brine)" --reason ...`)',
            "D: left out, Dana is protected from retaliation; suspending the grant G needs a "
            "case handler's approval first",
        ),
        (
            "document 1 must be kept until 2027-01-01; shorten its retention first "
            "(`crownjewels vault retain`) if it may go earlier",
            "document 1 must be kept until 2027-01-01; shorten its retention first if it may "
            "go earlier",
        ),
        (
            "AG-0001 has no document yet; upload one with `crownjewels agreements upload "
            "AG-0001 FILE`",
            "AG-0001 has no document yet",
        ),
    ],
)
def test_a_command_in_brackets_leaves_its_clause_standing(message: str, shown: str) -> None:
    """Only the bracketed command goes: the advice around it stays on the page."""
    assert for_pages(message) == shown
