"""The clocks of a case, computed from its facts: which apply, when each is due, where each
stands. Pure: the time is passed in, the data file is read once.

Day ends, one rule per kind (docs: "Deadlines"):
- hours: an exact instant, the trigger plus that many real hours (72 hours across a daylight
  saving change are 72 hours, whatever the wall clock shows);
- calendar days, business days, months, years: the trigger's date in the clock's time zone (the
  zone the data names, else the organisation's), the day of the trigger not counted, then the
  deadline day ends at 23:59:59 there (or at the clock's `day_ends`, e.g. 17:30 for EDGAR).
  Business days skip Saturdays, Sundays and the holidays of the clock's calendar. A month or year
  that has no such day ends on its last day (31 January plus one month: 28 or 29 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crownjewels.core import datafile
from crownjewels.core.errors import Invalid
from crownjewels.incidents.clocks import data
from crownjewels.incidents.clocks.data import ClockSpec, ClockTable, Conditions, Duration
from crownjewels.incidents.clocks.schemas import Agreement, Clock, Facts, Status, Trigger

#: when a day-counted deadline day ends unless the clock names another time
DAY_END = time(23, 59, 59)
#: a clock is due soon with under this share of its period left, or under DUE_SOON_HOURS
DUE_SOON_SHARE = 0.25
DUE_SOON_HOURS = 24

_TRIGGER_WORDS: dict[str, str] = {
    "awareness": "awareness of the incident",
    "discovery": "discovery of the incident",
    "occurrence": "the date the incident occurred",
    "classification": "classification of the incident as major",
    "materiality": "the materiality determination",
}


def load_clocks(path: Path | None = None) -> ClockTable:
    """The clock data: the shipped file, or the file at `path` (ClockFileError names line)."""
    return data.built_in() if path is None else data.load(path)


def stale_warning(today: date, *, table: ClockTable | None = None) -> str | None:
    """A warning when the clock data was reviewed more than its `max_age_days` before
    `today`; None while it is current."""
    t = table or load_clocks()
    age = datafile.review_age(t.reviewed_at, on=today, max_age_days=t.max_age_days)
    if age is None:
        return None
    return (
        f"The deadline rules may be out of date: {age}. Notification laws change often: check"
        f" each clock against its source, then correct {Path(t.source).name} and set its"
        " reviewed_at."
    )


def compute(
    facts: Facts,
    *,
    tz: str,
    now: datetime,
    done: dict[str, datetime] | None = None,
    table: ClockTable | None = None,
) -> list[Clock]:
    """Every clock that applies to `facts`, due first; no-deadline duties, then waiting ones
    last. `done` maps a clock key to when its notice was given (or the suit filed)."""
    ctx = _Context(facts, _zone(tz), _aware(now, "now"), done or {})
    made: dict[str, Clock] = {}
    for spec in (table or load_clocks()).clocks:
        if not _in_force(spec, facts):
            continue
        fits, notes = applies(spec.applies_when, facts)
        if not fits:
            continue
        if spec.per_agreement:
            for agreement in facts.agreements:
                clock = _contract(spec, agreement, ctx)
                made[clock.key] = clock
            continue
        after = spec.trigger.removeprefix("after:")
        if after != spec.trigger and after not in made:
            continue  # the clock it follows does not apply
        made[spec.key] = _statutory(spec, ctx, made, notes)
    return sorted(made.values(), key=_order)


@dataclass(frozen=True)
class _Context:
    facts: Facts
    zone: ZoneInfo
    now: datetime
    done: dict[str, datetime]


# -- which clocks apply --------------------------------------------------------------------


def applies(cond: Conditions, facts: Facts) -> tuple[bool, list[str]]:
    """Whether the conditions hold for `facts`, and the notes for thresholds not yet known
    (such a clock applies until the count shows it does not)."""
    flags = ("personal_data", "phi", "listed_us", "nydfs", "trade_secret")
    for flag in flags:
        wanted = getattr(cond, flag)
        if wanted is not None and getattr(facts, flag) != wanted:
            return False, []
    if cond.places and not _place(cond, facts):
        return False, []
    if cond.sectors and not set(cond.sectors) & set(facts.sectors):
        return False, []
    if set(cond.not_sectors) & set(facts.sectors):
        return False, []
    return _thresholds(cond, facts)


def _place(cond: Conditions, facts: Facts) -> bool:
    states = _states(facts)
    return bool(
        set(cond.operates_in) & set(facts.jurisdictions)
        or set(cond.subjects_in) & set(facts.data_subject_countries)
        or set(cond.us_states) & states
        or (facts.us_state_of_claim is not None and facts.us_state_of_claim in cond.claim_in)
    )


def _states(facts: Facts) -> set[str]:
    return set(facts.us_states) | {s for s, n in facts.residents.items() if n > 0}


def _thresholds(cond: Conditions, facts: Facts) -> tuple[bool, list[str]]:
    notes: list[str] = []
    if cond.min_residents is not None:
        scope = sorted(_states(facts) & set(cond.us_states or _states(facts)))
        known = [facts.residents[s] for s in scope if s in facts.residents]
        if not any(n >= cond.min_residents for n in known):
            if len(known) == len(scope):
                return False, []
            notes.append(
                f"applies only if at least {cond.min_residents} residents of"
                f" {' or '.join(scope)} are affected; the count is not known yet"
            )
    count = facts.affected
    if cond.min_affected is not None or cond.max_affected is not None:
        low, high = cond.min_affected or 0, cond.max_affected
        if count is None:
            limit = f"at least {low}" if high is None else f"at most {high}"
            notes.append(f"applies only if {limit} people are affected; the count is not known yet")
        elif count < low or (high is not None and count > high):
            return False, []
    return True, notes


def _in_force(spec: ClockSpec, facts: Facts) -> bool:
    start = spec.in_force_from
    return start is None or facts.discovered_at.astimezone(UTC).date() >= start


# -- when each is due ----------------------------------------------------------------------


def deadline(start: datetime, duration: Duration, *, zone: ZoneInfo, day_ends: time) -> datetime:
    """The UTC instant a duration that starts at `start` ends (the day-end rules above)."""
    if duration.unit == "hours":
        return start.astimezone(UTC) + timedelta(hours=duration.amount)
    anchor = start.astimezone(zone).date()
    if duration.start == "end-of-year":
        anchor = date(anchor.year, 12, 31)
    if duration.unit == "days":
        last = anchor + timedelta(days=duration.amount)
    elif duration.unit == "business_days":
        last = add_business_days(anchor, duration.amount, duration.calendar or "")
    elif duration.unit == "months":
        last = add_months(anchor, duration.amount)
    else:
        last = add_months(anchor, 12 * duration.amount)
    return datetime.combine(last, day_ends, tzinfo=zone).astimezone(UTC)


def add_business_days(day: date, count: int, calendar_code: str) -> date:
    """The `count`th business day after `day` (not counting `day`), skipping weekends and the
    holidays of the calendar (`US`, `US-NY`, `NYSE`)."""
    off = data.holiday_calendar(calendar_code)
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            count -= 1
    return day


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day where it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _statutory(spec: ClockSpec, ctx: _Context, made: dict[str, Clock], notes: list[str]) -> Clock:
    duration = spec.duration
    assert duration is not None  # validated: only per-agreement clocks have none
    zone = ZoneInfo(spec.timezone) if spec.timezone else ctx.zone
    start, label, waiting = _trigger(spec.trigger, ctx, made, notes)
    due = None
    if start is not None and duration.unit != "undue_delay":
        due = deadline(start, duration, zone=zone, day_ends=spec.day_ends or DAY_END)
    if spec.no_later_than is not None:
        cap = spec.no_later_than
        cap_start = ctx.facts.instant(cap.trigger)
        assert cap_start is not None  # awareness and discovery are always known
        cap_due = cap_start.astimezone(UTC) + timedelta(hours=cap.hours)
        if due is None or cap_due < due:
            limit = f"{cap.hours} hours from {_TRIGGER_WORDS[cap.trigger]}"
            notes.append(
                f"due at the latest {limit}"
                + (", which comes first" if due is not None else f"; {label} not known yet")
            )
            due, waiting = cap_due, None
            start = start if start is not None and start < cap_due else cap_start
    return _clock(spec, spec.key, ctx, start, due, label, waiting, [*notes, *spec.notes])


def _trigger(
    trigger: str, ctx: _Context, made: dict[str, Clock], notes: list[str]
) -> tuple[datetime | None, str, str | None]:
    """The trigger's instant, its words, and what the clock waits for (None: not waiting)."""
    after = trigger.removeprefix("after:")
    if after == trigger:
        at = ctx.facts.instant(cast(Trigger, trigger))  # validated by the data file
        label = _TRIGGER_WORDS[trigger]
        return at, label, None if at is not None else f"waiting for {label}"
    first = made[after]
    label = f"the {first.name}"
    if first.done_at is not None:
        return first.done_at, label, None
    if first.due_at is None:
        return None, label, f"waiting for {label}"
    notes.append(f"counted from the deadline of the {first.name} until its done time is recorded")
    return first.due_at, label, None


def _contract(spec: ClockSpec, agreement: Agreement, ctx: _Context) -> Clock:
    def fill(text: str) -> str:
        return text.replace("{ref}", agreement.ref).replace(
            "{counterparty}", agreement.counterparty
        )

    start = ctx.facts.instant(cast(Trigger, spec.trigger))
    assert start is not None  # per-agreement clocks start at awareness or discovery
    due = start.astimezone(UTC) + timedelta(hours=agreement.notice_hours)
    filled = spec.model_copy(
        update={
            "name": fill(spec.name),
            "recipient": fill(spec.recipient),
            "citation": fill(spec.citation),
        }
    )
    label = _TRIGGER_WORDS[spec.trigger]
    return _clock(filled, f"{spec.key}:{agreement.ref}", ctx, start, due, label, None, [])


# -- where each stands ---------------------------------------------------------------------


def _clock(
    spec: ClockSpec,
    key: str,
    ctx: _Context,
    start: datetime | None,
    due: datetime | None,
    label: str,
    waiting: str | None,
    notes: list[str],
) -> Clock:
    done_at = ctx.done.get(key)
    if done_at is not None:
        done_at = _aware(done_at, f"the done time of {key}")
    undue = spec.duration is not None and spec.duration.unit == "undue_delay"
    status, words = standing(
        start=start, due=due, done_at=done_at, now=ctx.now, waiting=waiting, undue=undue
    )
    return Clock(
        key=key,
        name=spec.name,
        kind=spec.kind,
        regime=spec.regime,
        recipient=spec.recipient,
        citation=spec.citation,
        source=spec.source,
        verified=spec.verified,
        trigger=spec.trigger,
        trigger_label=label,
        trigger_at=start.astimezone(UTC) if start is not None else None,
        due_at=due,
        due_local=due.astimezone(ctx.zone) if due is not None else None,
        status=status,
        remaining=words,
        done_at=done_at.astimezone(UTC) if done_at is not None else None,
        notes=tuple(notes),
    )


def standing(
    *,
    start: datetime | None,
    due: datetime | None,
    done_at: datetime | None,
    now: datetime,
    waiting: str | None = None,
    undue: bool = False,
) -> tuple[Status, str]:
    """A clock's status at `now` and its remaining time in words."""
    if done_at is not None:
        if due is None or done_at <= due:
            return "met", "done" if due is None else "done on time"
        return "met", f"done {span(done_at - due)} late"
    if undue and start is not None:
        return "no-deadline", "no fixed deadline: without undue delay"
    if due is None or start is None:
        return "waiting", waiting or "waiting for its trigger"
    left = due - now
    if left < timedelta(0):
        return "overdue", f"overdue by {span(-left)}"
    soon = max((due - start) * DUE_SOON_SHARE, timedelta(hours=DUE_SOON_HOURS))
    return ("due-soon" if left < soon else "running"), f"{span(left)} left"


def span(delta: timedelta) -> str:
    """A duration in words: "2 days 5 hours", "3 hours 10 minutes", "40 days", "under a
    minute"."""
    total = int(delta.total_seconds())
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    if days >= 30:
        return _count(days, "day")
    if days:
        return " ".join(p for p in (_count(days, "day"), _count(hours, "hour")) if p)
    if hours:
        return " ".join(p for p in (_count(hours, "hour"), _count(minutes, "minute")) if p)
    return _count(minutes, "minute") or "under a minute"


def _count(n: int, unit: str) -> str:
    return "" if n == 0 else f"{n} {unit}" if n == 1 else f"{n} {unit}s"


def _order(clock: Clock) -> tuple[int, datetime, str]:
    if clock.due_at is not None:
        return 0, clock.due_at, clock.key
    far = datetime.max.replace(tzinfo=UTC)
    return (1 if clock.status in ("no-deadline", "met") else 2), far, clock.key


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(
            f"{tz!r} is not a time zone; give the organisation's IANA zone such as"
            " Europe/Berlin or America/New_York",
            field="tz",
        ) from None


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise Invalid(f"{what} ({moment.isoformat()}) has no time zone; give an aware time")
    return moment
