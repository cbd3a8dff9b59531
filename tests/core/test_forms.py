"""core.forms' page helpers: a typed day (`parse_day`) and which errors a form shows (`refused`)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel, ValidationError

from crownjewels.access.errors import AccessDenied
from crownjewels.core.errors import Conflict, Forbidden, Invalid, NotFound
from crownjewels.core.forms import parse_day, refused


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-03-31", date(2026, 3, 31)),
        (" 2026-01-05 ", date(2026, 1, 5)),
        ("", None),
        (None, None),
    ],
)
def test_a_day_as_typed(typed: str | None, expected: date | None) -> None:
    assert parse_day(typed, field="since") == expected


@pytest.mark.parametrize("typed", ["31/03/2026", "2026-02-30", "tomorrow"])
def test_a_bad_day_names_the_value_the_field_and_the_format(typed: str) -> None:
    with pytest.raises(Invalid, match="is not a date; use YYYY-MM-DD") as bad:
        parse_day(typed, field="due_on")
    assert typed in bad.value.message and bad.value.field == "due_on"


def test_a_required_day_left_blank_says_what_to_give() -> None:
    with pytest.raises(Invalid, match="give the date as YYYY-MM-DD") as bad:
        parse_day("  ", field="due_on", required=True)
    assert bad.value.field == "due_on"


class _Form(BaseModel):
    name: str


def _validation_error() -> ValidationError:
    try:
        _Form.model_validate({})
    except ValidationError as exc:
        return exc
    raise AssertionError("unreachable")


@pytest.mark.parametrize(
    ("exc", "on_the_form"),
    [
        (Invalid("say what was disclosed", field="description"), True),
        (Conflict("changed by someone else; reload"), True),
        (NotFound("no vendor 'VN-9'"), True),  # a page that raises 404s checks the status itself
        (AccessDenied("refused", reasons=["no grant"]), True),  # a denial shows its reasons
        (Forbidden("needs the vendors:write permission"), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_errors_a_form_shows(exc: Exception, on_the_form: bool) -> None:
    assert refused(exc) is on_the_form


def test_a_form_shows_validation_errors() -> None:
    assert refused(_validation_error())
