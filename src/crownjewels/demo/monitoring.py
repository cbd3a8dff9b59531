"""The demo's month of activity (activity.yaml): each person's routine on their working days in
their own zone, from the systems where the secrets live, and two stories that the detection
rules turn into alerts worth reading; sent through monitoring's intake like any file, then
scored, so the alert queue has something to triage on first start."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import Field

from crownjewels.core import clock
from crownjewels.demo import dataset
from crownjewels.demo.context import Seeding
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.schemas import Action
from crownjewels.monitoring.scoring import service as scoring
from crownjewels.monitoring.watch import service as watch

#: lines per intake batch (its limit is 10,000)
BATCH = 5_000


class Person(dataset.Record):
    """A person: the organisation key and the email local part."""

    organisation: str
    email: str


class Habits(dataset.Record):
    """Where and how a person works: their zone, address, device and the sending system."""

    person: Person
    timezone: str
    ip: str
    country: str = Field(min_length=2, max_length=2)
    device: str
    source: str


class Routine(Habits):
    """A person's usual working day: a few of their documents, within their hours."""

    resources: list[str] = Field(min_length=1)
    documents: int = Field(ge=1)
    per_day: tuple[int, int]
    hours: tuple[time, time]


class Story(Habits):
    """A burst worth an alert: `count` events over `minutes` from `at` (their zone), some
    days ago; a notice of departure given some days ago, when there is one."""

    days_ago: int = Field(ge=1)
    at: time
    minutes: int = Field(ge=1)
    count: int = Field(ge=1)
    action: Action
    resource: str
    bytes: tuple[int, int]
    notice_days_ago: int | None = None


class Activity(dataset.DataFile):
    """activity.yaml."""

    days: int = Field(ge=1, le=90)
    seed: int
    routines: list[Routine]
    stories: list[Story]

    def references(self, company: dataset.Company) -> Iterator[dataset.Reference]:
        """Each routine and story names a person of an organisation."""
        for section, items in (("routines", self.routines), ("stories", self.stories)):
            for i, item in enumerate(items):
                where = (section, i, "person")
                yield (
                    (*where, "organisation"),
                    item.person.organisation,
                    company.organisations,
                    "organisation",
                )
                yield (*where, "email"), item.person.email, company.locals(), "person"


def lines(run: Seeding, data: Activity, today: date) -> list[dict[str, Any]]:
    """Every event of the month ending yesterday, in time order, in the documented format."""
    rng = random.Random(data.seed)
    events: list[dict[str, Any]] = []
    for routine in data.routines:
        actor = run.email(routine.person.organisation, routine.person.email)
        zone = ZoneInfo(routine.timezone)
        for back in range(data.days, 0, -1):
            day = today - timedelta(days=back)
            if day.weekday() >= 5:
                continue
            start, end = (datetime.combine(day, t, zone) for t in routine.hours)
            span = int((end - start).total_seconds())
            for _ in range(rng.randint(*routine.per_day)):
                at = start + timedelta(seconds=rng.randrange(span))
                pattern = rng.choice(routine.resources)
                resource = pattern.format(n=f"{rng.randint(1, routine.documents):03d}")
                action = Action.VIEW if rng.random() < 0.6 else Action.DOWNLOAD
                size = rng.randint(20_000, 2_000_000) if action is Action.DOWNLOAD else None
                events.append(_event(routine, actor, at, action, resource, size))
    for story in data.stories:
        actor = run.email(story.person.organisation, story.person.email)
        zone = ZoneInfo(story.timezone)
        start = datetime.combine(today - timedelta(days=story.days_ago), story.at, zone)
        step = story.minutes * 60 / story.count
        for n in range(story.count):
            at = start + timedelta(seconds=int(n * step) + rng.randrange(max(int(step), 1)))
            resource = story.resource.format(n=f"{n + 1:03d}")
            events.append(
                _event(story, actor, at, story.action, resource, rng.randint(*story.bytes))
            )
    events.sort(key=lambda event: str(event["time"]))
    return events


def _event(
    habits: Habits, actor: str, at: datetime, action: Action, resource: str, size: int | None
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "time": at.astimezone(clock.now().tzinfo).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "actor": actor,
        "action": action.value,
        "resource": resource,
        "ip": habits.ip,
        "country": habits.country,
        "device": habits.device,
        "source": habits.source,
    }
    if size is not None:
        event["bytes"] = size
    return event


def seed(run: Seeding) -> None:
    """The month of activity through the intake, in batches; then the notices the stories
    tell of, whose departure watches look back over that month; then scoring, so the alert
    queue holds what the rules found."""
    data = dataset.load("activity.yaml", Activity)
    today = clock.now().date()
    events = lines(run, data, today)
    for first in range(0, len(events), BATCH):
        monitoring.ingest(
            run.session, actor=run.actor, lines=events[first : first + BATCH], channel="file"
        )
    for story in data.stories:
        if story.notice_days_ago is None:
            continue
        leaves_in = run.company.departures.get(story.person.email)
        if leaves_in is None or leaves_in <= 0:
            raise dataset.DemoDataError(
                "activity.yaml",
                [(1, f"{story.person.email} gives notice but has no future departure")],
            )
        watch.give_notice(
            run.session,
            actor=run.actor,
            person_ref=run.email(story.person.organisation, story.person.email),
            notice_on=today - timedelta(days=story.notice_days_ago),
            last_day=today + timedelta(days=leaves_in),
        )
    scoring.score_queued(run.session, actor=run.actor)
