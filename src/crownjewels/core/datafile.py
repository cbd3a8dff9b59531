"""YAML data files whose every error names the file and the line it is on.

Questionnaire templates, jurisdiction profiles and clause-requirement profiles are data that
people edit by hand. The YAML node tree keeps each value's position; pydantic's error
locations (and a capability's own cross-record checks) are mapped back to the nearest value
that has one. Scalars stay the text as written, so pydantic converts them to the field's type:
`1.1` stays a question id, `yes` an answer, `NO` Norway (YAML 1.1 would make them a float, a
boolean and a boolean).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crownjewels.core.errors import Invalid

Loc = tuple[str | int, ...]
#: a problem: the 1-based line it is on (None: the whole file) and what is wrong, with the fix
Problem = tuple[int | None, str]


class DataFileError(Invalid):
    """A data file that cannot be used; `problems` lists (line, message) pairs."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [
            f"{source}:{line}: {msg}" if line else f"{source}: {msg}" for line, msg in problems
        ]
        super().__init__("\n".join(lines), field="file")


@dataclass(frozen=True)
class Document:
    """A parsed file: its plain Python value and the line of every value by its path."""

    data: Any
    marks: dict[Loc, int]

    def line(self, loc: Loc) -> int | None:
        """The line of the nearest enclosing value that has one."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.marks:
                return self.marks[loc[:end]]
        return None

    def problems(
        self,
        exc: ValidationError,
        *,
        at: Loc = (),
        label: str = "",
        hints: dict[str, str] | None = None,
    ) -> list[Problem]:
        """pydantic's errors for the value at `at`, each at its line and path."""
        out: list[Problem] = []
        for err in exc.errors():
            loc: Loc = (*at, *(p if isinstance(p, int) else str(p) for p in err["loc"]))
            prefix = f"{label} " if label else ""
            path = where(loc[len(at) :], empty="record" if at else "file")
            out.append((self.line(loc), f"{prefix}{path}: {message(err, hints)}"))
        return out


def compose(text: str, *, source: str, error: type[DataFileError] = DataFileError) -> Document:
    """Parse YAML text, keeping each value's line; a syntax error is `error` at its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise error(source, [(line, f"not valid YAML: {problem}")]) from None
    marks: dict[Loc, int] = {}
    data = None if node is None else _plain(node, (), marks)
    return Document(data=data, marks=marks)


def read_text(path: Path, *, what: str) -> str:
    """A UTF-8 file's text; Invalid names the path and what was expected (`what`)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Invalid(f"{path}: no such file; give the path of {what}") from None
    except (UnicodeDecodeError, IsADirectoryError):
        raise Invalid(f"{path}: not a UTF-8 text file; give {what}") from None


def review_age(reviewed_at: date, *, on: date, max_age_days: int) -> str | None:
    """Why a hand-reviewed data file (or record) is stale on `on`: "last reviewed on 2026-01-05,
    400 days ago (more than 365)"; None while it was reviewed at most `max_age_days` before."""
    age = (on - reviewed_at).days
    if age <= max_age_days:
        return None
    return f"last reviewed on {reviewed_at.isoformat()}, {age} days ago (more than {max_age_days})"


def where(loc: Loc, *, empty: str = "file") -> str:
    """A value's path as a reader writes it: `sections[0].questions[2].id`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or empty


def message(err: Any, hints: dict[str, str] | None = None) -> str:
    """A pydantic error in the words of someone editing the file; `hints` maps an error type
    to the fix for this kind of file (e.g. what a pattern expects)."""
    kind = str(err["type"])
    if hints and kind in hints:
        return f"{err.get('input')!r} {hints[kind]}"
    msg = str(err["msg"])
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return "unknown field; check its spelling"
    if kind == "enum":
        return msg.replace("Input should be", "use one of")
    return msg.removeprefix("Value error, ")


def _plain(node: yaml.Node, loc: Loc, marks: dict[Loc, int]) -> Any:
    """The Python value of a node; records the 1-based line of every value by its path."""
    marks[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            out[key] = _plain(value_node, (*loc, key), marks)
            marks[(*loc, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*loc, i), marks) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return str(node.value)
