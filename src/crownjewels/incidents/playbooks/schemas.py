"""A playbook as data: the six steps of an IP incident response, a playbook file (for a kind of
case; its tasks each with a step, a team role, a due time after discovery and guidance) and the
tasks planned from it for a case."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from crownjewels.incidents.schemas import STEPS, IncidentKind, Severity, TeamRole


class Step(IntEnum):
    """The six steps of an IP incident response, in order (`incident_task.step`)."""

    ASSEMBLE = 1
    CONTAIN = 2
    INVESTIGATE = 3
    COUNSEL = 4
    COMMUNICATE = 5
    REMEDIATE = 6

    @property
    def key(self) -> str:
        """The step's key as written in a playbook: assemble, contain, …"""
        return self.name.lower()


#: a task is on the first-day list when it is due at most this long after discovery
FIRST_DAY = timedelta(hours=24)
#: the latest a playbook task may fall due
LATEST_DUE = timedelta(weeks=52)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
_DUE = re.compile(r"([1-9][0-9]{0,3})([hdw])")
DUE_HELP = "write a whole number and a unit with no space: 4h (hours), 3d (days), 2w (weeks)"
STEP_HELP = "use 1–6 or the step's key: " + ", ".join(f"{s.value} {s.key}" for s in Step)


def parse_due(text: str) -> timedelta:
    """A due time after discovery ("1h", "24h", "3d", "2w"); ValueError names the fix."""
    found = _DUE.fullmatch(text)
    if found is None:
        raise ValueError(f"{text!r} is not a due time; {DUE_HELP}")
    due = int(found.group(1)) * _UNITS[found.group(2)]
    if due > LATEST_DUE:
        raise ValueError(f"{text!r} is more than a year after discovery; use at most 52w")
    return due


def format_due(due: timedelta) -> str:
    """A due time as a playbook writes it: the largest whole unit ("2w", "3d", "36h")."""
    for unit in ("w", "d", "h"):
        count, rest = divmod(due, _UNITS[unit])
        if not rest:
            return f"{count}{unit}"
    return f"{due.total_seconds() / 3600:g}h"


def parse_step(value: Any) -> Step:
    """A step given as 1–6 or its key ("contain"); ValueError names the fix."""
    text = str(value)
    if isinstance(value, Step):
        return value
    if text.isdigit() and 1 <= int(text) <= len(Step):
        return Step(int(text))
    for step in Step:
        if text == step.key:
            return step
    raise ValueError(f"{text!r} is not a step; {STEP_HELP}")


Name = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{1,59}$")
]
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=8000)]


class PlaybookTask(BaseModel):
    """One task of a playbook: what to do, in which step, by which role, how long after
    discovery, how; `contain` marks the task the one-action containment completes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Line
    step: Step
    role: TeamRole
    due: timedelta
    guidance: Text
    contain: bool = False

    @field_validator("step", mode="before")
    @classmethod
    def _step(cls, value: Any) -> Step:
        return parse_step(value)

    @field_validator("due", mode="before")
    @classmethod
    def _due(cls, value: Any) -> timedelta:
        return value if isinstance(value, timedelta) else parse_due(str(value))


class PlaybookFile(BaseModel):
    """A playbook file as written: its name (how it is chosen), the kind of case it is for,
    a title, a description, a version, an optional default severity and its tasks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name
    kind: IncidentKind
    title: Line
    description: Text
    version: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    severity: Severity | None = None
    tasks: list[PlaybookTask] = Field(min_length=1)


class Playbook(PlaybookFile):
    """A loaded playbook: the file's content, where it came from and whether it is shipped."""

    source: str
    shipped: bool


@dataclass(frozen=True)
class PlannedTask:
    """A playbook task planned for a case discovered at a given moment."""

    title: str
    step: int
    #: the step's key: assemble, contain, investigate, counsel, communicate, remediate
    step_name: str
    role: str
    due_at: datetime
    #: due within 24 hours of discovery: the first day's list
    first_day: bool
    guidance: str
    contain: bool

    @property
    def step_title(self) -> str:
        """The step in words ("detect and contain")."""
        return STEPS[self.step]
