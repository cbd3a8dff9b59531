"""The Jinja filters of the letters: dates and times in the organisation's style, clauses
picked by topic and cited ("clauses 4.1 and 4.3 of AG-2026-005"), lists in words, and a
yes, no or `[to complete: …]` for a fact that may not be known yet."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

from crownjewels.core.wording import counted
from crownjewels.incidents.letters import values
from crownjewels.incidents.letters.rules import and_list


@pass_context
def day(context: Context, value: date | datetime) -> str:
    """A date, or a time's date in the organisation's zone, in its style."""
    return values.day(context, value)


@pass_context
def moment(context: Context, value: datetime) -> str:
    """A time in the organisation's zone, with the zone's name."""
    return values.moment(context, value)


def topic(clauses: Sequence[Any], *topics: str) -> list[Any]:
    """The clauses about one of `topics` (confidentiality, return-or-destroy, cure …)."""
    return [c for c in clauses if c.topic in topics]


def cite(clauses: Sequence[Any], ref: str | None = None) -> str:
    """Clauses cited by number: "clause 4.1", "clauses 4.1 and 4.3 of AG-2026-005"; empty
    when there are none (the template then says what counsel must complete)."""
    if not clauses:
        return ""
    numbers = and_list([str(c.number) for c in clauses])
    words = f"clause {numbers}" if len(clauses) == 1 else f"clauses {numbers}"
    return f"{words} of {ref}" if ref else words


def cite_all(agreements: Sequence[Any], *topics: str) -> str:
    """The clauses about `topics` of every agreement, each with its agreement's ref."""
    cited = [cite(topic(a.clauses, *topics), a.ref) for a in agreements]
    return and_list([c for c in cited if c])


def yes_no(value: Any, todo: str) -> str:
    """Yes or No for a known fact, `[to complete: todo]` for one left out."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return f"[to complete: {todo}]"


def words_list(items: Sequence[Any]) -> str:
    """Items joined as a sentence does: "A, B and C"."""
    return and_list([str(i) for i in items])


def period(text: str) -> str:
    """A sentence's end: a full stop, unless the text already ends with one (et seq.)."""
    return text if text.endswith(".") else text + "."


def number(value: int) -> str:
    """A whole number with thousands separators: 1,204."""
    return f"{value:,}"


FILTERS: dict[str, Callable[..., Any]] = {
    "day": day,
    "moment": moment,
    "topic": topic,
    "cite": cite,
    "cite_all": cite_all,
    "yes_no": yes_no,
    "and_list": words_list,
    "number": number,
    "period": period,
    "counted": counted,
}
