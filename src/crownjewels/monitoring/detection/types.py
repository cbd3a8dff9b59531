"""The engine's inputs and outputs: what it knows of an event, its person and its secret, and
what it found. Plain dataclasses with slots: a million of them must be cheap."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from crownjewels.monitoring.schemas import Action, Severity


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What detection knows of a person (a known actor)."""

    #: the person's id, or in files without a database their email
    key: str
    name: str
    email: str
    organisation_id: str
    organisation_name: str
    #: employee, contractor, vendor-staff …; with `organisation_id` it names the peer group
    role: str
    #: vendor staff belong to an organisation other than our own
    external: bool
    country: str | None
    #: an IANA zone; None: the country's main zone
    timezone: str | None
    notice_on: date | None
    last_day: date | None
    #: under heightened thresholds (a departure watch, an incident's containment)
    heightened: bool = False
    #: holds an administrator role (browsing secrets outside their work is a scenario)
    admin: bool = False


@dataclass(frozen=True, slots=True)
class SecretFacts:
    """What detection knows of a secret."""

    id: str
    ref: str
    name: str
    #: highly-sensitive, sensitive, confidential (thresholds differ per tier)
    tier: str
    #: ISO country codes, or ["*"] for anywhere
    allowed_regions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GrantWindow:
    """When a person may access a secret (from the grants in force); None: no grant at all."""

    starts_at: datetime
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Observation:
    """One event as the engine sees it."""

    event_id: int
    occurred_at: datetime
    #: the actor as the source named them (an email, a username, a key id)
    actor: str
    action: Action
    resource: str
    #: None: an unknown actor
    person: PersonFacts | None
    #: None: unclassified
    secret: SecretFacts | None
    document_id: str | None = None
    bytes: int | None = None
    ip: str | None = None
    country: str | None = None
    device: str | None = None
    source: str = "unknown"
    #: external events about a secret: the person's grant windows on it (empty: no grant;
    #: None: not known, e.g. Crown Jewels' own events, which access already decided)
    grants: tuple[GrantWindow, ...] | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Finding:
    """What a rule found: grouped into one alert by `group_key` within the rule's window."""

    rule_id: str
    rule_version: str
    severity: Severity
    title: str
    #: plain words with the numbers: "Rohan Gupta downloaded 48 documents of TS-0003 between
    #: 02:10 and 02:24 IST; his daily median is 2, his peers' 3; notice given on 2026-11-28"
    explanation: str
    #: the figures behind the words
    facts: dict[str, Any]
    actor: str
    person_key: str | None
    organisation_id: str | None
    secret_ids: list[str]
    group_key: str
    event_ids: list[int]
    first_event_at: datetime
    last_event_at: datetime
