"""The clock data file: its shape, its validation (every problem names the file and line) and
the shipped copy, `clocks.yaml`. An organisation may keep its own file of the same shape.

The file's `reviewed_at` and `max_age_days` drive the stale-data warning, with the same rule
as the jurisdiction profiles (`core.datafile.review_age`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crownjewels.core import datafile
from crownjewels.core.codes import country_code
from crownjewels.core.datafile import DataFileError, Problem
from crownjewels.incidents.clocks.schemas import Kind, Sector, Trigger, us_state

#: the clocks shipped with Crown Jewels
BUILT_IN = Path(__file__).parent / "clocks.yaml"

Url = Annotated[str, Field(pattern=r"^https?://\S+$")]
_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_GROUP = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
_TRIGGERS = ("awareness", "discovery", "occurrence", "classification", "materiality")
_UNITS = ("hours", "days", "business_days", "months", "years")


class ClockFileError(DataFileError):
    """A clock data file that cannot be used; `problems` lists (line, message) pairs."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@cache
def holiday_calendar(code: str) -> holidays.HolidayBase:
    """The public holidays of a country (`US`), a subdivision (`US-NY`) or a financial market
    (`NYSE`); ValueError names the fix. The calendar grows by year as dates are looked up."""
    country, _, subdiv = code.partition("-")
    try:
        return holidays.country_holidays(country, subdiv=subdiv or None)
    except NotImplementedError:
        pass
    try:
        return holidays.financial_holidays(code)
    except NotImplementedError:
        raise ValueError(
            f"{code!r} is not a holiday calendar; use a country code such as US or DE, a"
            " subdivision such as US-NY, or a market such as NYSE"
        ) from None


class Duration(_Frozen):
    """How long a clock runs: exactly one of hours, calendar days, business days (with the
    holiday calendar to skip), months or years, or `undue_delay` (no fixed deadline).
    `start: end-of-year` counts from the last day of the trigger's calendar year."""

    hours: int | None = Field(default=None, ge=1)
    days: int | None = Field(default=None, ge=1)
    business_days: int | None = Field(default=None, ge=1)
    months: int | None = Field(default=None, ge=1)
    years: int | None = Field(default=None, ge=1)
    undue_delay: bool = False
    calendar: str | None = None
    start: Literal["trigger", "end-of-year"] = "trigger"

    @model_validator(mode="after")
    def _one_unit(self) -> Duration:
        """Exactly one unit; a calendar with business days only; a year end with days only."""
        given = [u for u in _UNITS if getattr(self, u) is not None]
        if len(given) + self.undue_delay != 1:
            raise ValueError(
                "give exactly one of hours, days, business_days, months, years or undue_delay: true"
            )
        if (self.business_days is None) != (self.calendar is None):
            raise ValueError(
                "business_days needs the `calendar` whose holidays are skipped (such as US),"
                " and a calendar goes with business_days only"
            )
        if self.calendar is not None:
            holiday_calendar(self.calendar)
        if self.start == "end-of-year" and self.unit in ("hours", "undue_delay"):
            raise ValueError("start: end-of-year goes with days, months or years")
        return self

    @property
    def unit(self) -> str:
        """hours, days, business_days, months, years or undue_delay."""
        return next((u for u in _UNITS if getattr(self, u) is not None), "undue_delay")

    @property
    def amount(self) -> int:
        """How many of the unit (0 for undue delay)."""
        value = getattr(self, self.unit) if self.unit != "undue_delay" else 0
        return int(value)


class Cap(_Frozen):
    """An outer limit counted from another trigger ("but no later than 24 hours from
    awareness")."""

    trigger: Trigger
    hours: int = Field(ge=1)


def _expand(values: tuple[str, ...], info: ValidationInfo, check: Any, what: str) -> list[str]:
    """Group names replaced by their members, each code checked by `check`."""
    groups: dict[str, tuple[str, ...]] = (info.context or {}).get("groups", {})
    out: list[str] = []
    for value in values:
        for code in groups.get(value, (value,)):
            try:
                out.append(check(code))
            except ValueError:
                names = ", ".join(groups) or "none defined"
                raise ValueError(
                    f"{code!r} is neither {what} nor a group of the file ({names})"
                ) from None
    return out


class Conditions(_Frozen):
    """When a clock applies. The place conditions (operates_in, subjects_in, us_states,
    claim_in) are alternatives: one match is enough. Every other condition must hold."""

    personal_data: bool | None = None
    phi: bool | None = None
    listed_us: bool | None = None
    nydfs: bool | None = None
    trade_secret: bool | None = None
    #: the organisation operates or is established in one of these countries (or groups)
    operates_in: tuple[str, ...] = ()
    #: affected data subjects live in one of these countries (or groups)
    subjects_in: tuple[str, ...] = ()
    #: affected residents of one of these US states
    us_states: tuple[str, ...] = ()
    #: a trade-secret claim governed by the law of one of these US states
    claim_in: tuple[str, ...] = ()
    #: one of these sectors, and none of `not_sectors`
    sectors: tuple[Sector, ...] = ()
    not_sectors: tuple[Sector, ...] = ()
    #: at least this many residents of one state in scope (`us_states`, or any)
    min_residents: int | None = Field(default=None, ge=1)
    #: at least / at most this many people affected in total
    min_affected: int | None = Field(default=None, ge=1)
    max_affected: int | None = Field(default=None, ge=0)

    @field_validator("operates_in", "subjects_in", mode="after")
    @classmethod
    def _countries(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """Country codes, groups expanded."""
        return tuple(_expand(value, info, country_code, "an ISO 3166 country code"))

    @field_validator("us_states", "claim_in", mode="after")
    @classmethod
    def _states(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        """US state codes, groups expanded."""
        return tuple(_expand(value, info, us_state, "a US state code"))

    @property
    def places(self) -> bool:
        """Whether any place condition is given."""
        return bool(self.operates_in or self.subjects_in or self.us_states or self.claim_in)


class ClockSpec(_Frozen):
    """One clock of the file: what is owed to whom under which rule, when it applies, what
    starts it and how long it runs."""

    key: str
    name: str = Field(min_length=3)
    kind: Kind = "notice"
    regime: str = Field(min_length=2)
    recipient: str = Field(min_length=3)
    citation: str = Field(min_length=3)
    source: Url | None = None
    verified: bool = False
    applies_when: Conditions = Field(default_factory=Conditions)
    #: one clock per agreement of the case, its hours from the agreement's notice period;
    #: `{ref}` and `{counterparty}` in name, recipient and citation are replaced
    per_agreement: bool = False
    #: the rule applies to incidents discovered on or after this date
    in_force_from: date | None = None
    #: awareness, discovery, occurrence, classification, materiality or after:<key>
    trigger: str
    duration: Duration | None = None
    no_later_than: Cap | None = None
    #: the IANA zone whose day ends a day-counted deadline (default: the organisation's)
    timezone: str | None = None
    #: when the deadline day ends (default 23:59:59), e.g. 17:30 for an EDGAR filing
    day_ends: time | None = None
    notes: tuple[str, ...] = ()

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        """Lower-case words joined by hyphens, as case pages and reminders name it."""
        if not _KEY.match(value):
            raise ValueError(f"{value!r}: use lower-case words joined by hyphens (gdpr-art-33)")
        return value

    @field_validator("trigger")
    @classmethod
    def _trigger(cls, value: str) -> str:
        """A known trigger, or after:<key> of another clock."""
        if value in _TRIGGERS or (value.startswith("after:") and _KEY.match(value[6:])):
            return value
        raise ValueError(
            f"{value!r}: use one of {', '.join(_TRIGGERS)}, or after:<key> of an earlier clock"
        )

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        """An IANA time zone name."""
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(
                    f"{value!r} is not a time zone; use an IANA name such as America/New_York"
                ) from None
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ClockSpec:
        """A duration unless per agreement; a source unless per agreement; a day end only
        for a day-counted duration."""
        if self.per_agreement:
            if self.duration is not None or self.no_later_than is not None:
                raise ValueError("a per_agreement clock takes its hours from the agreement")
            if self.trigger not in ("awareness", "discovery"):
                raise ValueError("a per_agreement clock starts at awareness or discovery")
        elif self.duration is None:
            raise ValueError("duration: this field is required")
        elif self.source is None:
            raise ValueError("source: give the URL of the rule's text")
        if self.day_ends is not None and (
            self.duration is None or self.duration.unit in ("hours", "undue_delay")
        ):
            raise ValueError("day_ends goes with days, business_days, months or years")
        return self


@dataclass(frozen=True)
class ClockTable:
    """A parsed clock file: where it came from, when it was reviewed, its clocks in order."""

    source: str
    reviewed_at: date
    max_age_days: int
    clocks: tuple[ClockSpec, ...]

    def get(self, key: str) -> ClockSpec | None:
        """The clock with this key, if any."""
        return next((c for c in self.clocks if c.key == key), None)


class _Header(_Frozen):
    reviewed_at: date
    max_age_days: int = Field(ge=1, le=3650)
    groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    clocks: list[Any] = Field(min_length=1)

    @field_validator("groups")
    @classmethod
    def _groups(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """Upper-case names that are no country or state code, so no group hides a code."""
        for name in value:
            if not _GROUP.match(name) or _is_code(name):
                raise ValueError(
                    f"group {name!r}: use an upper-case name that is no country or US state"
                    " code (EU, EEA, UTSA-3Y)"
                )
        return value


def _is_code(name: str) -> bool:
    for check in (country_code, us_state):
        try:
            check(name)
        except ValueError:
            continue
        return True
    return False


#: what a pattern expects, in the words of someone editing the file
_HINTS = {"string_pattern_mismatch": "is not a URL; use one starting with https://"}


def parse(text: str, *, source: str) -> ClockTable:
    """Validate clock YAML text; every problem names its line and the fix."""
    doc = datafile.compose(text, source=source, error=ClockFileError)
    if not isinstance(doc.data, dict):
        raise ClockFileError(
            source, [(doc.line(()) or 1, "a clock file is a mapping with reviewed_at and clocks")]
        )
    try:
        header = _Header.model_validate(doc.data)
    except ValidationError as exc:
        raise ClockFileError(source, _worded(doc.problems(exc, hints=_HINTS))) from None
    specs: list[ClockSpec] = []
    problems: list[Problem] = []
    lines: dict[str, int] = {}
    for i, item in enumerate(header.clocks):
        at = ("clocks", i)
        try:
            spec = ClockSpec.model_validate(item, context={"groups": header.groups})
        except ValidationError as exc:
            problems += _worded(doc.problems(exc, at=at, label=_label(item, i), hints=_HINTS))
            continue
        problems += _cross_checks(spec, lines, doc.line((*at, "key")), doc.line((*at, "trigger")))
        lines.setdefault(spec.key, doc.line((*at, "key")) or 0)
        specs.append(spec)
    if problems:
        raise ClockFileError(source, problems)
    return ClockTable(source, header.reviewed_at, header.max_age_days, tuple(specs))


def _cross_checks(
    spec: ClockSpec, lines: dict[str, int], key_line: int | None, trigger_line: int | None
) -> list[Problem]:
    """A key used once; an after:<key> trigger names a clock defined above it."""
    out: list[Problem] = []
    if spec.key in lines:
        out.append(
            (key_line, f"{spec.key} appears twice (first on line {lines[spec.key]}); rename one")
        )
    after = spec.trigger.removeprefix("after:")
    if after != spec.trigger and after not in lines:
        out.append(
            (
                trigger_line,
                f"clock {spec.key}: trigger {spec.trigger} names no clock defined above it;"
                " define that clock first or correct the key",
            )
        )
    return out


def load(path: Path) -> ClockTable:
    """Read and validate a clock file; ClockFileError names file and line."""
    return parse(datafile.read_text(path, what="a clock YAML file"), source=str(path))


@cache
def built_in() -> ClockTable:
    """The shipped clock file (read once)."""
    return load(BUILT_IN)


def _worded(problems: list[Problem]) -> list[Problem]:
    """A refused name (a sector, a kind) read as the choices: "use one of 'health', ..."."""
    return [(line, msg.replace(": Input should be '", ": use one of '")) for line, msg in problems]


def _label(item: Any, index: int) -> str:
    key = item.get("key") if isinstance(item, dict) else None
    return f"clock {key}" if isinstance(key, str) else f"clock {index + 1}"
