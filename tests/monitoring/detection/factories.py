"""Observations for the engine's tests: a person, a secret, and a stream of events with times
given in the person's own zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from crownjewels.monitoring.detection.types import Observation, PersonFacts, SecretFacts
from crownjewels.monitoring.schemas import Action

_ids = count(1)

ROHAN = PersonFacts(
    key="p-rohan",
    name="Rohan Gupta",
    email="rohan@example.com",
    organisation_id="org-acme",
    organisation_name="Acme Outsourcing",
    role="engineer",
    external=True,
    country="IN",
    timezone="Asia/Kolkata",
    notice_on=None,
    last_day=None,
)
FORMULA = SecretFacts(
    id="sec-1",
    ref="TS-0003",
    name="Formula",
    tier="highly-sensitive",
    allowed_regions=("IN", "GB"),
)
OTHER = SecretFacts(
    id="sec-2", ref="TS-0009", name="Pricing", tier="confidential", allowed_regions=("*",)
)


def peer(n: int, **changes: Any) -> PersonFacts:
    """Someone in Rohan's peer group."""
    return replace(
        ROHAN, key=f"p-peer{n}", name=f"Peer {n}", email=f"peer{n}@example.com", **changes
    )


def local(day: date, hh: int, mm: int = 0, zone: str = "Asia/Kolkata") -> datetime:
    """A moment given on a person's wall clock, as UTC."""
    return datetime(day.year, day.month, day.day, hh, mm, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def obs(
    at: datetime,
    *,
    person: PersonFacts | None = ROHAN,
    secret: SecretFacts | None = FORMULA,
    action: Action = Action.DOWNLOAD,
    doc: str = "d1",
    **extra: Any,
) -> Observation:
    """One observation (a fresh event id each)."""
    extra.setdefault("ip", "10.1.2.3")
    extra.setdefault("country", "IN")
    return Observation(
        event_id=next(_ids),
        occurred_at=at,
        actor=person.email if person is not None else extra.pop("actor", "svc-key"),
        action=action,
        resource=f"https://drive.example.com/{secret.ref if secret else 'misc'}/{doc}",
        person=person,
        secret=secret,
        document_id=doc,
        **extra,
    )


def workdays(start: date, days: int) -> list[date]:
    """`days` working days (Mon–Fri) from `start`."""
    out: list[date] = []
    day = start
    while len(out) < days:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def routine(
    person: PersonFacts, days: list[date], *, per_day: int = 3, hour: int = 10
) -> list[Observation]:
    """An ordinary history: a few documents of the secret each working day, at work."""
    return [
        obs(local(day, hour, 5 * k), person=person, doc=f"d{k}")
        for day in days
        for k in range(per_day)
    ]
