"""The register's verbs: register, update, review, change status (retire), read, list."""

from __future__ import annotations

from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from crownjewels.core import clock
from crownjewels.core import search as core_search
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.ids import new_id
from crownjewels.core.pagination import PageParams, paginate
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import repository, rules
from crownjewels.inventory.errors import (
    BadStatusChange,
    DuplicateSecret,
    SecretNotFound,
    StaleSecret,
)
from crownjewels.inventory.models import SecretLocation, SecretReview, TradeSecret
from crownjewels.inventory.schemas import (
    LocationCreate,
    LocationMatch,
    LocationPatterns,
    LocationRead,
    RegisterStats,
    ReviewCreate,
    ReviewOutcome,
    ReviewRead,
    SecretCreate,
    SecretFilter,
    SecretRead,
    SecretStatus,
    SecretUpdate,
    StatusChange,
    Tier,
)
from crownjewels.inventory.tasks import tasks_for as tasks_for
from crownjewels.parties import service as parties

SUBJECT = "secret"
# The description itself stays out of the log (which may be exported to third parties); its
# SHA-256 seals it: whoever holds the text can prove it is the one registered.
_AUDITED = (
    "name",
    "description_sha256",
    "category",
    "tier",
    "owner_id",
    "business_unit",
    "estimated_value",
    "development_cost",
    "currency",
    "allowed_regions",
    "personal_data",
    "data_subject_regions",
    "secrecy_assessment",
    "legal_tests",
    "review_cadence_days",
    "next_review_on",
    "last_reviewed_on",
    "status",
    "status_reason",
    "legend",
)


#: fields that cannot be cleared: an explicit null in an update leaves them as they are
_REQUIRED = frozenset(
    {
        "name",
        "description",
        "category",
        "tier",
        "owner_id",
        "allowed_regions",
        "personal_data",
        "data_subject_regions",
        "secrecy_assessment",
        "legal_tests",
        "review_cadence_days",
    }
)


def _snapshot(secret: TradeSecret) -> dict[str, Any]:
    return {k: to_jsonable_python(getattr(secret, k)) for k in _AUDITED}


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    keys = [k for k in after if before.get(k) != after[k]]
    return {"before": {k: before.get(k) for k in keys}, "after": {k: after[k] for k in keys}}


def _may_write(actor: Actor, owner_id: str) -> bool:
    return actor.can(Permission.SECRETS_WRITE_ALL) or (
        actor.can(Permission.SECRETS_WRITE_OWN) and owner_id == actor.person_id
    )


def require_write(actor: Actor, owner_id: str) -> None:
    """Raise Forbidden unless the actor may change secrets of this owner (documents use it too)."""
    if not _may_write(actor, owner_id):
        raise Forbidden(
            "your roles do not allow changing this secret; its owner, legal or an admin can"
        )


def _get(session: Session, actor: Actor, ref: str) -> TradeSecret:
    secret = repository.find(session, actor, ref)
    if secret is None:
        raise SecretNotFound(
            f"no trade secret {ref!r}; `crownjewels secrets list` shows the register"
        )
    return secret


def _read(
    session: Session,
    secret: TradeSecret | Row[Any],
    *,
    names: dict[str, str] | None = None,
    with_locations: bool = False,
) -> SecretRead:
    read = SecretRead.model_validate(
        {
            **{
                c: getattr(secret, c)
                for c in SecretRead.model_fields
                if hasattr(TradeSecret, c) and c != "locations"
            }
        }
    )
    rows = repository.locations(session, secret.id) if with_locations else []
    if names is None:
        # the owner's and the locations' owners' names in one query
        wanted = {secret.owner_id} | {r.owner_id for r in rows if r.owner_id}
        names = parties.person_names(session, wanted)
    read.owner_name = names.get(secret.owner_id)
    read.secrecy_score = rules.secrecy_score(read.secrecy_assessment)
    read.review_overdue = secret.status == SecretStatus.ACTIVE and rules.is_overdue(
        secret.next_review_on, on=clock.today()
    )
    if with_locations:
        missing = {r.owner_id for r in rows if r.owner_id} - set(names)
        owners = {**names, **parties.person_names(session, missing)}
        read.locations = [
            LocationRead.model_validate(r).model_copy(
                update={"owner_name": owners.get(r.owner_id or "")}
            )
            for r in rows
        ]
    return read


def register(session: Session, *, actor: Actor, data: SecretCreate, company: str) -> SecretRead:
    """Register a secret; seals the SHA-256 of its description into the custody log."""
    owner_id = parties.resolve_person_id(session, actor=actor, person_ref=data.owner_id)
    require_write(actor, owner_id)
    if repository.name_taken(session, data.name):
        raise DuplicateSecret(
            f"a secret named {data.name!r} is already registered; choose another name", field="name"
        )
    today = clock.today()
    cadence = rules.cadence_for(data.tier, data.review_cadence_days)
    secret = TradeSecret(
        id=new_id(),
        ref=next_ref(session, TradeSecret.ref, repository.REF_PREFIX, 4),
        name=data.name,
        description=data.description,
        description_sha256=rules.description_digest(data.description),
        category=data.category,
        tier=data.tier,
        owner_id=owner_id,
        business_unit=data.business_unit,
        estimated_value=data.estimated_value,
        development_cost=data.development_cost,
        currency=data.currency,
        allowed_regions=data.allowed_regions,
        personal_data=data.personal_data,
        data_subject_regions=data.data_subject_regions,
        secrecy_assessment={k.value: v.model_dump() for k, v in data.secrecy_assessment.items()},
        legal_tests={k.value: v.model_dump() for k, v in data.legal_tests.items()},
        review_cadence_days=cadence,
        next_review_on=rules.next_review(today, cadence),
        status=SecretStatus.ACTIVE,
        legend=rules.legend_for(data.tier, company),
    )
    session.add(secret)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.SECRET_REGISTERED,
        subject_type=SUBJECT,
        subject_id=secret.id,
        details={"ref": secret.ref, "after": _snapshot(secret)},
    )
    for location in data.locations:
        _add_location(session, actor, secret, location)
    return _read(session, secret, with_locations=True)


def _add_location(
    session: Session, actor: Actor, secret: TradeSecret, data: LocationCreate
) -> SecretLocation:
    owner_id = (
        parties.resolve_person_id(session, actor=actor, person_ref=data.owner_id)
        if data.owner_id
        else None
    )
    location = SecretLocation(
        secret_id=secret.id,
        kind=data.kind,
        name=data.name,
        owner_id=owner_id,
        country=data.country,
        notes=data.notes,
        patterns=list(dict.fromkeys(data.patterns)),
    )
    session.add(location)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.SECRET_LOCATION_ADDED,
        subject_type=SUBJECT,
        subject_id=secret.id,
        details={
            "location_id": location.id,
            "after": {**data.model_dump(mode="json"), "owner_id": owner_id},
        },
    )
    return location


def add_location(
    session: Session, *, actor: Actor, secret_ref: str, data: LocationCreate
) -> SecretRead:
    """Record another place where the secret lives."""
    secret = _get(session, actor, secret_ref)
    require_write(actor, secret.owner_id)
    _add_location(session, actor, secret, data)
    return _read(session, secret, with_locations=True)


def remove_location(
    session: Session, *, actor: Actor, secret_ref: str, location_id: str
) -> SecretRead:
    """Forget a location (the custody log keeps what it was)."""
    secret = _get(session, actor, secret_ref)
    require_write(actor, secret.owner_id)
    location = session.scalar(
        select(SecretLocation).where(
            SecretLocation.id == location_id, SecretLocation.secret_id == secret.id
        )
    )
    if location is None:
        raise SecretNotFound(f"secret {secret.ref} has no location {location_id!r}")
    before = {
        "kind": location.kind,
        "name": location.name,
        "owner_id": location.owner_id,
        "country": location.country,
    }
    session.delete(location)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.SECRET_LOCATION_REMOVED,
        subject_type=SUBJECT,
        subject_id=secret.id,
        details={"location_id": location_id, "before": before},
    )
    return _read(session, secret, with_locations=True)


def set_location_patterns(
    session: Session, *, actor: Actor, secret_ref: str, location_id: str, data: LocationPatterns
) -> SecretRead:
    """Set where monitoring finds a location (by id or name) in other systems' activity: its
    patterns replace the ones it had; an empty list stops matching it."""
    secret = _get(session, actor, secret_ref)
    require_write(actor, secret.owner_id)
    named = location_id.strip()
    location = next(
        (
            loc
            for loc in repository.locations(session, secret.id)
            if named in (loc.id, loc.name) or loc.name.lower() == named.lower()
        ),
        None,
    )
    if location is None:
        raise SecretNotFound(
            f"secret {secret.ref} has no location {location_id!r}; "
            f"`crownjewels secrets show {secret.ref}` lists its locations"
        )
    before, after = list(location.patterns or []), list(dict.fromkeys(data.patterns))
    if before != after:
        location.patterns = after
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.SECRET_LOCATION_PATTERNS_SET,
            subject_type=SUBJECT,
            subject_id=secret.id,
            details={"location_id": location.id, "before": before, "after": after},
        )
    return _read(session, secret, with_locations=True)


def location_matches(session: Session) -> list[LocationMatch]:
    """Every location that has patterns, with its secret (one query): what monitoring matches
    the resources of other systems' activity against. Retired secrets are left out."""
    query = (
        select(SecretLocation.secret_id, SecretLocation.id, SecretLocation.patterns)
        .join(TradeSecret, TradeSecret.id == SecretLocation.secret_id)
        .where(TradeSecret.status != SecretStatus.RETIRED)
    )
    return [
        LocationMatch(secret_id=sid, location_id=lid, patterns=list(patterns))
        for sid, lid, patterns in session.execute(query)
        if patterns
    ]


def update(
    session: Session, *, actor: Actor, secret_ref: str, changes: SecretUpdate, company: str
) -> SecretRead:
    """Change a secret's fields; records before and after of every changed field."""
    secret = _get(session, actor, secret_ref)
    require_write(actor, secret.owner_id)
    if changes.version is not None and changes.version != secret.version:
        raise StaleSecret(
            f"{secret.ref} was changed by someone else (version {secret.version}, you edited "
            f"version {changes.version}); reload it and apply your change again"
        )
    fields = changes.model_dump(exclude_unset=True, exclude={"version"})
    if "owner_id" in fields and fields["owner_id"] is not None:
        fields["owner_id"] = parties.resolve_person_id(
            session, actor=actor, person_ref=fields["owner_id"]
        )
        require_write(actor, fields["owner_id"])
    if fields.get("name") and repository.name_taken(session, fields["name"], exclude=secret.id):
        raise DuplicateSecret(
            f"a secret named {fields['name']!r} is already registered; choose another name",
            field="name",
        )
    before = _snapshot(secret)
    for key, value in fields.items():
        if value is None and key in _REQUIRED:
            continue
        if key in ("secrecy_assessment", "legal_tests") and value is not None:
            value = {str(k): v for k, v in value.items()}
        setattr(secret, key, value)
    if fields.get("description"):
        secret.description_sha256 = rules.description_digest(fields["description"])
    if fields.get("tier") and fields["tier"] != before["tier"]:
        secret.legend = rules.legend_for(Tier(fields["tier"]), company)
        if not fields.get("review_cadence_days"):
            fields["review_cadence_days"] = rules.cadence_after_tier_change(
                Tier(before["tier"]), Tier(fields["tier"]), secret.review_cadence_days
            )
            secret.review_cadence_days = fields["review_cadence_days"]
    if fields.get("review_cadence_days"):
        base = secret.last_reviewed_on or secret.created_at.date()
        secret.next_review_on = rules.next_review(base, fields["review_cadence_days"])
    diff = _diff(before, _snapshot(secret))
    if diff["after"]:
        try:
            session.flush()
        except StaleDataError:
            raise StaleSecret(
                f"{secret.ref} was changed by someone else; reload it and try again"
            ) from None
        custody.record(
            session,
            actor=actor,
            event_type=EventType.SECRET_UPDATED,
            subject_type=SUBJECT,
            subject_id=secret.id,
            details=diff,
        )
    return _read(session, secret, with_locations=True)


def review(session: Session, *, actor: Actor, secret_ref: str, data: ReviewCreate) -> ReviewRead:
    """Record a periodic review and schedule the next one."""
    secret = _get(session, actor, secret_ref)
    require_write(actor, secret.owner_id)
    if secret.status != SecretStatus.ACTIVE:
        raise BadStatusChange(f"{secret.ref} is {secret.status}; only active secrets are reviewed")
    on = data.reviewed_on or clock.today()
    if on > clock.today():
        raise BadStatusChange(f"a review cannot be dated in the future ({on})", field="reviewed_on")
    before = {"last_reviewed_on": secret.last_reviewed_on, "next_review_on": secret.next_review_on}
    secret.last_reviewed_on = on
    secret.next_review_on = rules.next_review(on, secret.review_cadence_days)
    row = SecretReview(
        secret_id=secret.id,
        reviewer_id=actor.person_id,
        reviewer=actor.name,
        reviewed_on=on,
        outcome=data.outcome,
        notes=data.notes,
        next_review_on=secret.next_review_on,
    )
    session.add(row)
    session.flush()
    after = {"last_reviewed_on": secret.last_reviewed_on, "next_review_on": secret.next_review_on}
    custody.record(
        session,
        actor=actor,
        event_type=EventType.SECRET_REVIEWED,
        subject_type=SUBJECT,
        subject_id=secret.id,
        details={
            "review_id": row.id,
            "outcome": data.outcome,
            "notes": data.notes,
            "before": before,
            "after": after,
        },
    )
    return ReviewRead.model_validate(row)


def change_status(
    session: Session, *, actor: Actor, secret_ref: str, change: StatusChange
) -> SecretRead:
    """Retire, record disclosed or lost, or reactivate a retired secret; a reason is required."""
    secret = _get(session, actor, secret_ref)
    require_write(actor, secret.owner_id)
    current = SecretStatus(secret.status)
    if not rules.can_change_status(current, change.status):
        allowed = ", ".join(sorted(rules.TRANSITIONS[current])) or "none (it is final)"
        raise BadStatusChange(
            f"{secret.ref} is {current}; it can change to: {allowed}", field="status"
        )
    before = {"status": current, "status_reason": secret.status_reason}
    secret.status, secret.status_reason, secret.status_changed_at = (
        change.status,
        change.reason,
        clock.now(),
    )
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.SECRET_STATUS_CHANGED,
        subject_type=SUBJECT,
        subject_id=secret.id,
        details={
            "before": before,
            "after": {"status": change.status, "status_reason": change.reason},
        },
    )
    return _read(session, secret, with_locations=True)


def get(session: Session, *, actor: Actor, secret_ref: str) -> SecretRead:
    """One secret by id, reference or name, with its locations."""
    return _read(session, _get(session, actor, secret_ref), with_locations=True)


def get_plain(session: Session, *, actor: Actor, secret_ref: str) -> SecretRead:
    """One secret by id, reference or name, without its locations or its owner's name: what
    other capabilities' rules read (no query at all when the secret is already loaded)."""
    return _read(session, _get(session, actor, secret_ref), names={})


def read_for_rules(session: Session, *, secret_ref: str) -> SecretRead:
    """One secret by id, reference or name, whoever asks (the rules need the facts), as
    `get_plain` gives it, read as one row of plain columns: what an access decision reads."""
    row = repository.find_plain(session, secret_ref)
    if row is None:
        raise SecretNotFound(
            f"no trade secret {secret_ref!r}; `crownjewels secrets list` shows the register"
        )
    return _read(session, row, names={})


def reviews(session: Session, *, actor: Actor, secret_ref: str) -> list[ReviewRead]:
    """The reviews of a secret, newest first."""
    secret = _get(session, actor, secret_ref)
    return [ReviewRead.model_validate(r) for r in repository.reviews(session, secret.id)]


def list_secrets(
    session: Session, *, actor: Actor, filters: SecretFilter, page: PageParams
) -> tuple[list[SecretRead], int]:
    """A page of the register as the actor may see it."""
    if filters.owner_id:
        filters = filters.model_copy(
            update={
                "owner_id": parties.resolve_person_id(
                    session, actor=actor, person_ref=filters.owner_id
                )
            }
        )
    query = repository.filtered(repository.visible_to(actor), filters, today=clock.today())
    rows, total = paginate(session, query, page)
    names = parties.person_names(session, {r.owner_id for r in rows})
    return [_read(session, r, names=names) for r in rows], total


def search(session: Session, *, actor: Actor, q: str) -> list[SecretRead]:
    """Secrets the actor may see: the reference typed (TS-0014) first, then names containing
    the words (the global search)."""
    rows = core_search.matching(
        session,
        repository.visible_to(actor),
        exact=[TradeSecret.ref],
        names=[TradeSecret.name],
        q=q,
        order=TradeSecret.ref,
    )
    names = parties.person_names(session, {r.owner_id for r in rows})
    return [_read(session, r, names=names) for r in rows]


def stats(session: Session, *, actor: Actor) -> RegisterStats:
    """Counts of the visible register for the dashboard."""
    query = repository.visible_to(actor)
    active = query.where(TradeSecret.status == SecretStatus.ACTIVE)
    overdue = (
        session.scalar(
            select(func.count()).select_from(
                active.where(TradeSecret.next_review_on < clock.today()).subquery()
            )
        )
        or 0
    )
    by_status = repository.counts(session, query, "status")
    return RegisterStats(
        total=sum(by_status.values()),
        by_tier=repository.counts(session, active, "tier"),
        by_category=repository.counts(session, active, "category"),
        by_status=by_status,
        overdue=overdue,
    )


def may_write(actor: Actor, secret: SecretRead) -> bool:
    """Whether the actor may change this secret (pages show or hide the edit buttons)."""
    return _may_write(actor, secret.owner_id)


def outcomes() -> list[ReviewOutcome]:
    """Review outcomes, for forms."""
    return list(ReviewOutcome)


def status_choices(secret: SecretRead) -> list[SecretStatus]:
    """The statuses a secret may move to next (pages offer only these); read-only."""
    return sorted(rules.TRANSITIONS[SecretStatus(secret.status)])


def holding_countries(session: Session, *, secret_id: str) -> list[str]:
    """The countries where copies of the secret are held (its locations that name one): where
    its personal data is exported from. One query."""
    return repository.location_countries(session, secret_id)


def owned_ids(session: Session, *, person_id: str) -> list[str]:
    """The ids of the secrets a person owns (for scoping grants and access lists)."""
    return list(session.scalars(select(TradeSecret.id).where(TradeSecret.owner_id == person_id)))


def active_secrets(session: Session, *, actor: Actor) -> list[SecretRead]:
    """Every active secret the actor may see, by ref, with its owner's name: two queries,
    whatever their number (the posture reads them all at once)."""
    query = repository.visible_to(actor).where(TradeSecret.status == SecretStatus.ACTIVE)
    rows = session.scalars(query.order_by(TradeSecret.ref)).all()
    names = parties.person_names(session, {r.owner_id for r in rows})
    return [_read(session, r, names=names) for r in rows]


def secrets_by_ids(session: Session, ids: set[str]) -> list[SecretRead]:
    """The secrets with these ids, whatever their status, in one query (without their owners'
    names: monitoring scores a batch of events with their tier and allowed regions)."""
    if not ids:
        return []
    rows = session.scalars(select(TradeSecret).where(TradeSecret.id.in_(ids))).all()
    return [_read(session, r, names={}) for r in rows]
