"""How a letter's context reaches its template, strictly: every model becomes a node that
knows its path (`recipient`, `agreements[0].clauses[1]`), a value left out (None) becomes an
absent value that is false in an `{% if %}` but fails when printed or looked into, and a
name the context does not have fails too; each failure names the field. Every printed value
goes through `finalize`: a time is shown in the organisation's zone, a date in its style, and
text is escaped (markup.escape), never read as markup or as a template."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateRuntimeError, UndefinedError, pass_context
from jinja2.runtime import Context
from jinja2.utils import missing
from pydantic import BaseModel

from crownjewels.incidents.letters.markup import escape

#: template variables that carry how times and dates are shown
ZONE = "letter_zone"
MONTH_FIRST = "letter_month_first"


class Missing(UndefinedError):
    """A field the template needs and the context does not give; `path` names it (render
    turns it into LetterFieldMissing)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class Node:
    """A model of the context as a template reads it: its fields by attribute, and its path."""

    __slots__ = ("_fields", "_path")

    def __init__(self, path: str, fields: dict[str, Any]) -> None:
        self._path = path
        self._fields = fields

    def __getattr__(self, name: str) -> Any:
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<{self._path}>"


class Absent:
    """A field left out of the context: false in a test, a `Missing` when printed or used."""

    __slots__ = ("_path",)

    def __init__(self, path: str) -> None:
        self._path = path

    def fail(self) -> NoReturn:
        """Raise `Missing` naming this field."""
        raise Missing(self._path)

    def __bool__(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        self.fail()

    def __str__(self) -> str:
        self.fail()

    def __iter__(self) -> NoReturn:
        self.fail()

    def __repr__(self) -> str:
        return f"<absent {self._path}>"


class Undefined(StrictUndefined):
    """A name or attribute the context does not have: fails on any use, naming it."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[TemplateRuntimeError] = Missing,
    ) -> None:
        super().__init__(hint, obj, name, Missing)

    @property
    def _undefined_message(self) -> str:
        owner = self._undefined_obj
        name = str(self._undefined_name)
        return f"{owner._path}.{name}" if isinstance(owner, Node | Absent) else name


def data(value: Any, path: str) -> Any:
    """A context value as the template reads it (models as nodes, None as absent)."""
    if value is None:
        return Absent(path)
    if isinstance(value, BaseModel):
        names = type(value).model_fields
        return Node(path, {n: data(getattr(value, n), f"{path}.{n}") for n in names})
    if isinstance(value, tuple | list):
        return [data(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, Enum):
        return value.value
    return value


def day(context: Context, value: date | datetime) -> str:
    """A date (or a time's date in the organisation's zone): "14 November 2026", or
    "November 14, 2026" for an organisation in the United States."""
    if isinstance(value, datetime):
        value = value.astimezone(context[ZONE])
    if context[MONTH_FIRST]:
        return f"{value:%B} {value.day}, {value:%Y}"
    return f"{value.day} {value:%B %Y}"


def moment(context: Context, value: datetime) -> str:
    """A time in the organisation's zone with the zone's name: "14 November 2026, 09:30 CET"."""
    local = value.astimezone(context[ZONE])
    return f"{day(context, local)}, {local:%H:%M} {local:%Z}"


@pass_context
def finalize(context: Context, value: Any) -> str:
    """Every printed value in words, escaped; an absent one fails, naming its field."""
    if isinstance(value, Absent):
        value.fail()
    if isinstance(value, datetime):
        return moment(context, value)
    if isinstance(value, date):
        return day(context, value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return escape(str(value))


def style(timezone: str, country_code: str | None) -> dict[str, Any]:
    """The template variables that say how times and dates are shown."""
    return {ZONE: ZoneInfo(timezone), MONTH_FIRST: country_code == "US"}
