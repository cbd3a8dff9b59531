"""Stored events as the detector sees them: each event row joined with its person (and their
organisation, role, zone, notice and last day, whether they are watched), its secret (tier,
allowed regions) and, for activity seen in other systems, the person's grant windows on the
secret. Read in bulk through the lower capabilities' services: a handful of queries per batch,
whatever its size."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.inventory import service as inventory
from crownjewels.monitoring.detection.types import (
    GrantWindow,
    Observation,
    PersonFacts,
    SecretFacts,
)
from crownjewels.monitoring.models import ActivityEvent
from crownjewels.monitoring.schemas import Action
from crownjewels.monitoring.scoring import hooks
from crownjewels.monitoring.scoring.among import among
from crownjewels.monitoring.scoring.queue import Claimed
from crownjewels.parties import service as parties

#: channels whose events access already decided inside Crown Jewels (no grant window to judge)
_DECIDED_INSIDE = frozenset({"custody", "signal"})


@dataclass
class Facts:
    """The people and secrets of a batch, by id. A scorer keeps one between batches for
    `ttl` seconds (`FACTS_TTL`): a person's notice, watch or organisation changed in the
    meantime reaches detection within that time; each batch reads only whom it has not got."""

    people: dict[str, PersonFacts] = field(default_factory=dict)
    secrets: dict[str, SecretFacts] = field(default_factory=dict)
    #: (person id, secret id) -> the person's grant windows on the secret (() for none)
    grants: dict[tuple[str, str], tuple[GrantWindow, ...]] = field(default_factory=dict)
    loaded_at: float = field(default_factory=time.monotonic)
    ttl: float = 0.0

    def fresh(self) -> bool:
        """Whether what it holds may still be used."""
        return time.monotonic() - self.loaded_at < self.ttl


#: how long a scorer uses the facts it read (seconds)
FACTS_TTL = 5.0


#: the columns of an event that detection reads (plain rows: no ORM objects to build)
_COLUMNS = (
    ActivityEvent.id,
    ActivityEvent.occurred_at,
    ActivityEvent.actor,
    ActivityEvent.person_id,
    ActivityEvent.action,
    ActivityEvent.resource,
    ActivityEvent.secret_id,
    ActivityEvent.document_id,
    ActivityEvent.bytes,
    ActivityEvent.ip,
    ActivityEvent.country,
    ActivityEvent.device,
    ActivityEvent.source,
    ActivityEvent.channel,
    ActivityEvent.details,
)
Event = Row[tuple[Any, ...]]


def load_events(session: Session, claimed: Sequence[Claimed]) -> list[Event]:
    """The claimed events, in the order they happened (the time bounds prune partitions)."""
    if not claimed:
        return []
    first = min(c.occurred_at for c in claimed)
    last = max(c.occurred_at for c in claimed)
    rows: list[Event] = []
    ids = [c.event_id for c in claimed]
    for start in range(0, len(ids), 5000):
        query = select(*_COLUMNS).where(
            among(session, ActivityEvent.id, ids[start : start + 5000]),
            ActivityEvent.occurred_at >= first,
            ActivityEvent.occurred_at <= last,
        )
        rows.extend(session.execute(query))
    rows.sort(key=lambda e: (e.occurred_at, e.id))
    return rows


def facts_of(session: Session, events: Sequence[Event], kept: Facts | None = None) -> Facts:
    """What detection knows of the batch's people and secrets (`kept`: what an earlier batch
    read, added to when still fresh)."""
    facts = kept if kept is not None and kept.fresh() else Facts(ttl=kept.ttl if kept else 0.0)
    person_ids = {e.person_id for e in events if e.person_id} - set(facts.people)
    secret_ids = {e.secret_id for e in events if e.secret_id} - set(facts.secrets)
    people = parties.people_by_ids(session, person_ids)
    if people:
        own = parties.own_organisation(session)
        admins = parties.administrators_among(session, person_ids)
        watched = hooks.heightened(session)
        facts.people.update(
            (
                p.id,
                PersonFacts(
                    key=p.id,
                    name=p.full_name,
                    email=p.email,
                    organisation_id=p.organisation_id,
                    organisation_name=p.organisation_name or "",
                    role=str(p.kind),
                    external=own is not None and p.organisation_id != own.id,
                    country=p.country,
                    timezone=p.timezone,
                    notice_on=p.notice_on,
                    last_day=p.departing_on or p.departed_on,
                    heightened=p.id in watched,
                    admin=p.id in admins,
                ),
            )
            for p in people
        )
    facts.secrets.update(
        (
            s.id,
            SecretFacts(
                id=s.id,
                ref=s.ref,
                name=s.name,
                tier=str(s.tier),
                allowed_regions=tuple(s.allowed_regions or ["*"]),
            ),
        )
        for s in inventory.secrets_by_ids(session, secret_ids)
    )
    return facts


def observations(
    session: Session, events: Sequence[Event], kept: Facts | None = None
) -> list[Observation]:
    """The events as `Observation`s, in the order given."""
    facts = facts_of(session, events, kept)
    windows = facts.grants
    unknown = {
        (e.person_id, e.secret_id)
        for e in events
        if e.channel not in _DECIDED_INSIDE and e.person_id and e.secret_id
    } - set(windows)
    if unknown:
        person_ids, secret_ids = {p for p, _ in unknown}, {s for _, s in unknown}
        found = access.grant_windows(session, person_ids=person_ids, secret_ids=secret_ids)
        windows.update(dict.fromkeys(unknown, ()))
        windows.update(
            (pair, tuple(GrantWindow(starts_at=s, expires_at=x) for s, x in spans))
            for pair, spans in found.items()
        )
    people, secrets = facts.people, facts.secrets
    out = []
    for e in events:
        inside = e.channel in _DECIDED_INSIDE
        out.append(
            Observation(
                event_id=e.id,
                occurred_at=e.occurred_at,
                actor=e.actor,
                action=Action(e.action),
                resource=e.resource,
                person=people.get(e.person_id) if e.person_id else None,
                secret=secrets.get(e.secret_id) if e.secret_id else None,
                document_id=e.document_id,
                bytes=e.bytes,
                ip=e.ip,
                country=e.country,
                device=e.device,
                source=e.source,
                grants=None
                if inside or not (e.person_id and e.secret_id)
                else windows.get((e.person_id, e.secret_id), ()),
                details=dict(e.details) if e.details else {},
            )
        )
    return out
