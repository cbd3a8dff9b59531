"""Agreement queries, each scoped to what the actor may see (agreements:read sees them all)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    delete,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, selectinload

from crownjewels.agreements.models import (
    Agreement,
    AgreementParty,
    AgreementScope,
    AgreementVersion,
    ClauseFinding,
)
from crownjewels.agreements.schemas import AgreementStatus, ScopeKind
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission

A = Agreement
_LOADED = (selectinload(A.parties), selectinload(A.scope_items), selectinload(A.signatories))


def sees_all(actor: Actor) -> bool:
    """Whether the actor sees every agreement (agreements:read); without it, none."""
    return actor.can(Permission.AGREEMENTS_READ)


def visible_to(actor: Actor, *, loaded: bool = True) -> Select[Agreement]:
    """Agreements the actor may see (`sees_all`). `loaded=False` for questions answered from
    the row alone: its parties, scope and signatories stay unloaded."""
    query = select(A).options(*_LOADED) if loaded else select(A)
    return query if sees_all(actor) else query.where(false())


def find(session: Session, actor: Actor, ref: str) -> Agreement | None:
    """A visible agreement by id or reference (AG-2026-001, case-insensitive)."""
    key = ref.strip()
    query = visible_to(actor)
    return session.scalar(query.where(A.id == key)) or session.scalar(
        query.where(A.ref == key.upper())
    )


def _given(value: str | BindParameter[str] | None) -> bool:
    """A value that names something ("" names nothing), or a parameter to be bound."""
    return isinstance(value, BindParameter) or bool(value)


def with_party(
    query: Select[Agreement],
    organisation_id: str | BindParameter[str] | None,
    person_id: str | BindParameter[str] | None,
) -> Select[Agreement]:
    """Agreements naming the organisation or the person (either) as a party (a value, or a
    parameter bound when a statement built once runs)."""
    wanted: list[ColumnElement[bool]] = []
    if _given(organisation_id):
        wanted.append(AgreementParty.organisation_id == organisation_id)
    if _given(person_id):
        wanted.append(AgreementParty.person_id == person_id)
    if not wanted:
        return query
    return query.where(exists().where(AgreementParty.agreement_id == A.id, or_(*wanted)))


def with_any_party(
    query: Select[Agreement], organisation_ids: set[str], person_ids: set[str]
) -> Select[Agreement]:
    """Agreements naming any of the organisations or any of the persons as a party."""
    return query.where(
        exists().where(
            AgreementParty.agreement_id == A.id,
            or_(
                AgreementParty.organisation_id.in_(sorted(organisation_ids)),
                AgreementParty.person_id.in_(sorted(person_ids)),
            ),
        )
    )


def covering_secret(
    query: Select[Agreement],
    secret_id: str | BindParameter[str],
    category: str | BindParameter[str],
) -> Select[Agreement]:
    """Agreements whose scope takes in the secret: all, naming it, or its category."""
    named = exists().where(
        AgreementScope.agreement_id == A.id, AgreementScope.secret_id == secret_id
    )
    by_category = exists().where(
        AgreementScope.agreement_id == A.id, AgreementScope.category == category
    )
    return query.where(
        or_(
            A.scope == ScopeKind.ALL,
            (A.scope == ScopeKind.NAMED) & named,
            (A.scope == ScopeKind.CATEGORIES) & by_category,
        )
    )


def filtered(
    query: Select[Agreement],
    *,
    kind: str | None = None,
    status: str | None = None,
    expiring_within_days: int | None = None,
    q: str | None = None,
    today: date,
) -> Select[Agreement]:
    """Apply listing filters; sorted by expiry (soonest first, open-ended last), then ref."""
    if kind:
        query = query.where(A.kind == kind)
    if status:
        query = query.where(A.status == status)
    if expiring_within_days is not None:
        query = query.where(
            A.status == AgreementStatus.IN_FORCE,
            A.expires_on.is_not(None),
            A.expires_on <= today + timedelta(days=expiring_within_days),
        )
    if q:
        needle = q.strip().lower()
        query = query.where(
            or_(func.lower(A.title).contains(needle), func.lower(A.ref).contains(needle))
        )
    return query.order_by(A.expires_on.is_(None), A.expires_on, A.ref)


def with_findings_to_decide(query: Select[Agreement]) -> Select[Agreement]:
    """Agreements whose latest analysed version has a clause finding not yet reviewed."""
    newer = aliased(AgreementVersion)
    latest = (
        select(func.max(newer.number))
        .where(newer.agreement_id == A.id, newer.analysed_at.is_not(None))
        .scalar_subquery()
    )
    return query.where(
        exists().where(
            AgreementVersion.agreement_id == A.id,
            AgreementVersion.number == latest,
            ClauseFinding.version_id == AgreementVersion.id,
            ClauseFinding.review.is_(None),
        )
    )


def in_force_with_expiry(query: Select[Agreement], *, today: date) -> Select[Agreement]:
    """Agreements recorded as in force with an expiry date not yet past."""
    return query.where(
        A.status == AgreementStatus.IN_FORCE, A.expires_on.is_not(None), A.expires_on >= today
    )


def not_drafts(query: Select[Agreement]) -> Select[Agreement]:
    """Leave out drafts (never in force, whatever their dates)."""
    return query.where(A.status != AgreementStatus.DRAFT)


def lapsed(session: Session, *, today: date) -> Sequence[Agreement]:
    """Agreements recorded as in force whose expiry date is past (for the expiry job)."""
    return session.scalars(
        select(A).where(
            A.status == AgreementStatus.IN_FORCE, A.expires_on.is_not(None), A.expires_on < today
        )
    ).all()


def renewal_candidates(session: Session, *, today: date) -> Sequence[Agreement]:
    """Agreements in force with an expiry date not yet reminded of (the job checks the window)."""
    return session.scalars(
        select(A).where(
            A.status == AgreementStatus.IN_FORCE,
            A.expires_on.is_not(None),
            A.expires_on >= today,
            or_(A.renewal_flagged_for.is_(None), A.renewal_flagged_for != A.expires_on),
        )
    ).all()


def versions(session: Session, agreement_id: str) -> list[AgreementVersion]:
    """The document versions of an agreement, oldest first."""
    return list(
        session.scalars(
            select(AgreementVersion)
            .where(AgreementVersion.agreement_id == agreement_id)
            .order_by(AgreementVersion.number)
        )
    )


def version(session: Session, agreement_id: str, number: int | None) -> AgreementVersion | None:
    """One version by number, or the newest when `number` is None."""
    query = select(AgreementVersion).where(AgreementVersion.agreement_id == agreement_id)
    if number is not None:
        return session.scalar(query.where(AgreementVersion.number == number))
    return session.scalar(query.order_by(AgreementVersion.number.desc()).limit(1))


def latest_analysed(session: Session, agreement_id: str) -> AgreementVersion | None:
    """The newest version that has been analysed."""
    return session.scalar(
        select(AgreementVersion)
        .where(
            AgreementVersion.agreement_id == agreement_id,
            AgreementVersion.analysed_at.is_not(None),
        )
        .order_by(AgreementVersion.number.desc())
        .limit(1)
    )


def findings(session: Session, version_id: str) -> list[ClauseFinding]:
    """The clause findings of a version, in the analyser's order."""
    return list(
        session.scalars(
            select(ClauseFinding)
            .where(ClauseFinding.version_id == version_id)
            .order_by(ClauseFinding.position)
        )
    )


def finding(session: Session, version_ids: list[str], finding_id: str) -> ClauseFinding | None:
    """A finding by id among the versions of one agreement."""
    return session.scalar(
        select(ClauseFinding).where(
            ClauseFinding.id == finding_id, ClauseFinding.version_id.in_(version_ids)
        )
    )


def clear_findings(session: Session, version_id: str) -> int:
    """Remove a version's findings before it is analysed again; returns how many there were."""
    result = session.execute(delete(ClauseFinding).where(ClauseFinding.version_id == version_id))
    return int(getattr(result, "rowcount", 0) or 0)


def document_id(session: Session, agreement_id: str) -> str | None:
    """The vault document that holds the agreement's versions (None before the first upload)."""
    return session.scalar(
        select(AgreementVersion.document_id)
        .where(AgreementVersion.agreement_id == agreement_id)
        .limit(1)
    )


def expiring(session: Session, *, today: date, until: date) -> Sequence[Agreement]:
    """Agreements in force expiring between `today` and `until`, soonest first."""
    return session.scalars(
        select(A)
        .where(
            A.status == AgreementStatus.IN_FORCE,
            A.expires_on.is_not(None),
            A.expires_on >= today,
            A.expires_on <= until,
        )
        .order_by(A.expires_on, A.ref)
    ).all()
