"""Need-to-know grants: request, approve (every rule but the grant itself must hold; two
approvers for highly sensitive secrets), deny, suspend, resume, revoke; group grants expand
into one member grant per active person of the organisation.

The questions other capabilities ask live beside it and are re-exported here, where those
capabilities call: `decide` / `require_allowed` (decision.py), the one question before a
secret's content leaves the vault, and the confidentiality notice (notice.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access import decide as deciding
from crownjewels.access import mail, repository, rules

# the questions other capabilities ask (they import `access.service` only)
from crownjewels.access.decision import NO_MFA, recipient_mfa
from crownjewels.access.decision import decide as decide
from crownjewels.access.decision import may_see_who_can as may_see_who_can
from crownjewels.access.decision import require_allowed as require_allowed
from crownjewels.access.decision import what_can as what_can
from crownjewels.access.decision import who_can as who_can
from crownjewels.access.engine import PolicyEngine, engine_for
from crownjewels.access.errors import AccessDenied, GrantConflict, GrantNotFound, InvalidGrant
from crownjewels.access.facts import Level
from crownjewels.access.models import Grant, GrantApproval
from crownjewels.access.notice import acknowledge_notice as acknowledge_notice
from crownjewels.access.notice import notice_acknowledgement as notice_acknowledgement
from crownjewels.access.notice import notice_text as notice_text
from crownjewels.access.rules import GrantStatus
from crownjewels.access.schemas import ApprovalRead, GrantFilter, GrantRead, GrantRequest
from crownjewels.access.tasks import tasks_for as tasks_for
from crownjewels.core import adverse, clock
from crownjewels.core import search as core_search
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, NotFound
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.notifications import service as notifications
from crownjewels.vault import service as vault

SUBJECT = "grant"
READER = fact_reader("access")
SECOND_APPROVERS = rules.SECOND_APPROVERS
#: rules an approval does not wait for: the recipient meets them at first access
AT_FIRST_ACCESS = frozenset({"bound:acknowledgement"})


def _visible(session: Session, actor: Actor) -> Any:
    owned: list[str] = []
    if actor.person_id and not actor.can(Permission.GRANTS_READ):
        owned = inventory.owned_ids(session, person_id=actor.person_id)
    return repository.visible_to(actor, owned)


def get_row(session: Session, actor: Actor, ref: str) -> Grant:
    """A visible grant by id or reference, or GrantNotFound."""
    row = repository.find(session, _visible(session, actor), ref)
    if row is None:
        raise GrantNotFound(f"no grant {ref!r}; `crownjewels access grants` lists the grants")
    return row


def read(session: Session, row: Grant) -> GrantRead:
    """A grant with its names and approvals."""
    out = GrantRead.model_validate(row)
    ids = {i for i in (row.person_id,) if i}
    out.person_name = parties.person_names(session, ids).get(row.person_id or "")
    if row.organisation_id:
        out.organisation_name = parties.get_organisation(
            session, actor=READER, org_ref=row.organisation_id
        ).name
    secret = inventory.get(session, actor=READER, secret_ref=row.secret_id)
    out.secret_ref, out.secret_name = secret.ref, secret.name
    out.approvals = [
        ApprovalRead.model_validate(a) for a in repository.approvals(session, [row.id])[row.id]
    ]
    return out


def _record(session: Session, actor: Actor, event: EventType, row: Grant, **details: Any) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "secret_id": row.secret_id,
            "person_id": row.person_id,
            "organisation_id": row.organisation_id,
            "level": row.level,
            **details,
        },
    )


def _target(session: Session, data: GrantRequest) -> tuple[str | None, str | None]:
    if bool(data.person) == bool(data.organisation):
        raise InvalidGrant(
            "name either the person or the organisation (a group grant), not both", field="person"
        )
    if data.person:
        try:
            return parties.resolve_person_id(session, actor=READER, person_ref=data.person), None
        except NotFound as exc:
            raise InvalidGrant(exc.message, field="person") from None
    try:
        return None, parties.get_organisation(
            session, actor=READER, org_ref=data.organisation or ""
        ).id
    except NotFound as exc:
        raise InvalidGrant(exc.message, field="organisation") from None


def _secret(session: Session, ref: str) -> SecretRead:
    try:
        return inventory.get(session, actor=READER, secret_ref=ref)
    except NotFound as exc:
        raise InvalidGrant(exc.message, field="secret") from None


def request_grant(session: Session, *, actor: Actor, data: GrantRequest) -> GrantRead:
    """Record a grant request (ACCESS_GRANT_REQUESTED): purpose and expiry are required, the
    expiry within the tier's maximum."""
    actor.require(Permission.GRANTS_REQUEST)
    if len(data.purpose) < 5:
        raise InvalidGrant(
            "say what the access is needed for (the purpose, at least 5 characters)",
            field="purpose",
        )
    person_id, org_id = _target(session, data)
    secret = _secret(session, data.secret)
    if data.document_id:
        document = vault.get_document(session, actor=READER, document_id=data.document_id)
        if document.owner_type != "secret" or document.owner_id != secret.id:
            raise InvalidGrant(
                f"document {data.document_id} is not a document of {secret.ref}",
                field="document_id",
            )
    starts_at = data.starts_at or clock.now()
    why = rules.why_bad_expiry(secret.tier.value, starts_at, data.expires_at)
    if why:
        raise InvalidGrant(why, field="expires_at")
    assert data.expires_at is not None
    row = Grant(
        ref=next_ref(session, Grant.ref, "GR-", 6),
        person_id=person_id,
        organisation_id=org_id,
        secret_id=secret.id,
        document_id=data.document_id,
        level=data.level.value,
        purpose=data.purpose,
        requested_by=actor.ref,
        requester_person_id=actor.person_id,
        approvals_needed=rules.APPROVALS.get(secret.tier.value, 1),
        status=GrantStatus.REQUESTED,
        starts_at=starts_at,
        expires_at=data.expires_at,
    )
    session.add(row)
    session.flush()
    _record(
        session,
        actor,
        EventType.ACCESS_GRANT_REQUESTED,
        row,
        purpose=row.purpose,
        starts_at=row.starts_at,
        expires_at=row.expires_at,
        document_id=row.document_id,
    )
    owner = notifications.person_recipient(session, secret.owner_id)
    mail.to_approvers(session, actor=actor, row=row, secret=secret, recipients=[owner])
    return read(session, row)


def _may_approve(session: Session, actor: Actor, row: Grant, secret: SecretRead) -> None:
    actor.require(Permission.GRANTS_DECIDE)
    done = repository.approvals(session, [row.id])[row.id]
    if actor.person_id and actor.person_id == row.requester_person_id and actor.kind != "system":
        raise Forbidden("the requester of a grant cannot approve it; ask the secret's owner")
    if any(a.approver_person_id == actor.person_id and actor.person_id for a in done):
        raise GrantConflict(f"you already approved {row.ref}; it needs another approver")
    if not done and actor.kind != "system" and actor.person_id != secret.owner_id:
        raise Forbidden(f"the first approval of {row.ref} is the secret owner's ({secret.ref})")
    if done and actor.kind != "system" and not (actor.roles & SECOND_APPROVERS):
        raise Forbidden(f"the second approval of {row.ref} needs an admin, legal or security user")


def check_recipient(
    session: Session, row: Grant, person_id: str, secret: SecretRead, engine: PolicyEngine
) -> list[str]:
    """Every rule but the grant itself that would deny the person (an approval needs none),
    with the person's real MFA state: a grant they could never use is not approved."""
    person = parties.get_person(session, actor=READER, person_ref=person_id)
    facts, _ = deciding.gather(
        session,
        person=person,
        secret=secret,
        action=Level(row.level),
        mfa=recipient_mfa(session, person),
    )
    # the notice is acknowledged at first access (in the portal), after the approval
    failed = [r for r in engine.denials_without_grant(facts) if r not in AT_FIRST_ACCESS]
    return [
        NO_MFA.format(name=person.full_name)
        if r == "mfa"
        else f"{person.full_name}: {deciding.explain(engine, facts, r, secret.ref).message}"
        for r in failed
    ]


def approve(
    session: Session,
    *,
    actor: Actor,
    grant_ref: str,
    note: str | None = None,
    engine: PolicyEngine | None = None,
) -> GrantRead:
    """One approval (ACCESS_GRANT_APPROVED); the last one needed makes the grant approved or
    active, after the policies confirmed that every rule but the grant holds for the person
    (or for each member of the organisation, who each get a member grant)."""
    engine = engine or engine_for(None)
    row = get_row(session, actor, grant_ref)
    if row.status != GrantStatus.REQUESTED:
        raise GrantConflict(f"{row.ref} is {row.status}; only a requested grant can be approved")
    secret = inventory.get(session, actor=READER, secret_ref=row.secret_id)
    _may_approve(session, actor, row, secret)
    done = repository.approvals(session, [row.id])[row.id]
    final = len(done) + 1 >= row.approvals_needed
    if final:
        people = (
            [row.person_id]
            if row.person_id
            else [
                p.id for p in parties.people_of(session, organisation_id=row.organisation_id or "")
            ]
        )
        if not people:
            raise GrantConflict(
                f"{row.ref}: the organisation has no active people to grant access to"
            )
        problems = [
            m for pid in people if pid for m in check_recipient(session, row, pid, secret, engine)
        ]
        if problems:
            raise AccessDenied(
                f"{row.ref} cannot be approved: " + "; ".join(problems), reasons=problems
            )
    now = clock.now()
    session.add(
        GrantApproval(
            grant_id=row.id,
            approver_person_id=actor.person_id,
            approver=actor.ref,
            approved=True,
            note=note,
            decided_at=now,
        )
    )
    session.flush()
    _record(session, actor, EventType.ACCESS_GRANT_APPROVED, row, note=note, final=final)
    if final:
        _set_status(
            session,
            actor,
            row,
            rules.status_at(GrantStatus.APPROVED, row.starts_at, row.expires_at, at=now),
            note,
        )
        if row.organisation_id:
            _expand(session, actor, row)
        mail.to_requester(session, actor=actor, row=row, secret=secret, approved=True)
    else:
        second = notifications.holders_of(session, SECOND_APPROVERS)
        mail.to_approvers(session, actor=actor, row=row, secret=secret, recipients=second)
    return read(session, row)


def _expand(session: Session, actor: Actor, group: Grant) -> list[Grant]:
    """Member grants for the active people of a group grant's organisation not yet holding one."""
    have = {m.person_id for m in repository.members(session, group.id)}
    made = []
    for person in parties.people_of(session, organisation_id=group.organisation_id or ""):
        if person.id in have:
            continue
        member = Grant(
            ref=next_ref(session, Grant.ref, "GR-", 6),
            person_id=person.id,
            organisation_id=group.organisation_id,
            group_id=group.id,
            secret_id=group.secret_id,
            document_id=group.document_id,
            level=group.level,
            purpose=group.purpose,
            requested_by=group.requested_by,
            requester_person_id=group.requester_person_id,
            approvals_needed=group.approvals_needed,
            status=group.status,
            starts_at=group.starts_at,
            expires_at=group.expires_at,
        )
        session.add(member)
        session.flush()
        _record(
            session,
            actor,
            EventType.ACCESS_GRANT_EXPANDED,
            member,
            group=group.ref,
            status=member.status,
        )
        made.append(member)
    return made


def _set_status(
    session: Session, actor: Actor, row: Grant, status: GrantStatus, reason: str | None
) -> None:
    before = row.status
    if before == status:
        return
    if not rules.can_move(GrantStatus(before), status):
        raise GrantConflict(f"{row.ref} is {before}; it cannot become {status}")
    row.status, row.status_reason, row.status_changed_at = status, reason, clock.now()
    row.version += 1
    session.flush()
    _record(
        session,
        actor,
        EventType.ACCESS_GRANT_STATUS_CHANGED,
        row,
        before={"status": before},
        after={"status": status.value},
        reason=reason,
    )


def deny(session: Session, *, actor: Actor, grant_ref: str, reason: str) -> GrantRead:
    """Deny a requested grant with a reason (ACCESS_GRANT_DENIED)."""
    row = get_row(session, actor, grant_ref)
    secret = inventory.get(session, actor=READER, secret_ref=row.secret_id)
    actor.require(Permission.GRANTS_DECIDE)
    if (
        actor.kind != "system"
        and actor.person_id != secret.owner_id
        and not (actor.roles & SECOND_APPROVERS)
    ):
        raise Forbidden(f"only the owner of {secret.ref}, legal or security may deny {row.ref}")
    if not reason or len(reason.strip()) < 3:
        raise InvalidGrant("say why the grant is denied", field="note")
    if row.status != GrantStatus.REQUESTED:
        raise GrantConflict(f"{row.ref} is {row.status}; only a requested grant can be denied")
    row.status, row.status_reason, row.status_changed_at = (
        GrantStatus.DENIED,
        reason.strip(),
        clock.now(),
    )
    session.add(
        GrantApproval(
            grant_id=row.id,
            approver_person_id=actor.person_id,
            approver=actor.ref,
            approved=False,
            note=reason.strip(),
            decided_at=clock.now(),
        )
    )
    session.flush()
    _record(session, actor, EventType.ACCESS_GRANT_DENIED, row, reason=reason.strip())
    mail.to_requester(session, actor=actor, row=row, secret=secret, approved=False)
    return read(session, row)


def change_status(
    session: Session,
    *,
    actor: Actor,
    grant_ref: str,
    status: GrantStatus,
    reason: str,
    engine: PolicyEngine | None = None,
) -> GrantRead:
    """Suspend, resume or revoke a grant (and its member grants) with a reason. Resuming checks
    the rules again; the grant's own owner may revoke it too."""
    row = get_row(session, actor, grant_ref)
    secret = inventory.get(session, actor=READER, secret_ref=row.secret_id)
    if not actor.can(Permission.GRANTS_MANAGE) and actor.person_id != secret.owner_id:
        raise Forbidden("suspending or revoking a grant needs grants:manage or owning the secret")
    if not reason or len(reason.strip()) < 3:
        raise InvalidGrant("give the reason for the change", field="note")
    if status not in (GrantStatus.SUSPENDED, GrantStatus.ACTIVE, GrantStatus.REVOKED):
        raise InvalidGrant("a grant can be suspended, resumed (active) or revoked", field="status")
    target: GrantStatus = status
    if status == GrantStatus.ACTIVE:
        if row.status != GrantStatus.SUSPENDED:
            raise GrantConflict(f"{row.ref} is {row.status}; only a suspended grant can be resumed")
        if row.person_id:
            problems = check_recipient(
                session, row, row.person_id, secret, engine or engine_for(None)
            )
            if problems:
                raise AccessDenied(
                    f"{row.ref} cannot be resumed: " + "; ".join(problems), reasons=problems
                )
        target = rules.status_at(
            GrantStatus.APPROVED, row.starts_at, row.expires_at, at=clock.now()
        )
    changed = [
        g
        for g in [row, *repository.members(session, row.id)]
        if g.status in rules.LIVE and g.status != target
    ]
    for grant in changed:
        _check_adverse(session, actor, grant, target)
    for grant in changed:
        _set_status(session, actor, grant, target, reason.strip())
    return read(session, row)


#: the changes of a grant that act against its holder (core/adverse.py)
_ADVERSE = {GrantStatus.SUSPENDED: adverse.SUSPEND_GRANT, GrantStatus.REVOKED: adverse.REVOKE_GRANT}


def _check_adverse(session: Session, actor: Actor, grant: Grant, status: GrantStatus) -> None:
    """A holder protected from retaliation loses a grant only with a second approval."""
    action = _ADVERSE.get(status)
    if action is not None:
        adverse.check(
            session, actor=actor, person_id=grant.person_id, action=action, target=grant.ref
        )


def suspend_for(session: Session, *, actor: Actor, grants: list[Grant], reason: str) -> list[str]:
    """Suspend the given live grants with one reason (the lifecycle jobs); their refs. A grant
    of a person protected from retaliation is left as it is until a second person approves
    its suspension (the rules still refuse any access that fails them, at each use)."""
    out = []
    for grant in grants:
        if grant.status in (GrantStatus.APPROVED, GrantStatus.ACTIVE):
            try:
                _check_adverse(session, actor, grant, GrantStatus.SUSPENDED)
            except adverse.ProtectedPerson:
                continue
            _set_status(session, actor, grant, GrantStatus.SUSPENDED, reason)
            out.append(grant.ref)
    return out


def list_grants(session: Session, *, actor: Actor, filters: GrantFilter) -> list[GrantRead]:
    """Grants visible to the actor, filtered by secret, person, organisation, status."""
    query = _visible(session, actor)
    if filters.secret:
        query = query.where(Grant.secret_id == _secret(session, filters.secret).id)
    if filters.person:
        query = query.where(
            Grant.person_id
            == parties.resolve_person_id(session, actor=READER, person_ref=filters.person)
        )
    if filters.organisation:
        org = parties.get_organisation(session, actor=READER, org_ref=filters.organisation)
        query = query.where(Grant.organisation_id == org.id)
    if filters.status:
        query = query.where(Grant.status == filters.status.value)
    return [read(session, r) for r in session.scalars(query.order_by(Grant.ref.desc()))]


def get(session: Session, *, actor: Actor, grant_ref: str) -> GrantRead:
    """One grant."""
    return read(session, get_row(session, actor, grant_ref))


def expire_due(session: Session, *, actor: Actor, at: datetime | None = None) -> list[str]:
    """Move approved grants whose start came to active, and past-expiry grants to expired."""
    at = at or clock.now()
    out = []
    for grant in repository.live_for(
        session, statuses=(GrantStatus.APPROVED, GrantStatus.ACTIVE, GrantStatus.SUSPENDED)
    ):
        target = rules.status_at(
            GrantStatus(grant.status), grant.starts_at, grant.expires_at, at=at
        )
        if target != grant.status:
            _set_status(
                session,
                actor,
                grant,
                target,
                "expired" if target == GrantStatus.EXPIRED else "start reached",
            )
            out.append(grant.ref)
    return out


def default_expiry(tier: str, starts_at: datetime | None = None) -> datetime:
    """The longest expiry the tier allows from the start (for forms' defaults)."""
    return (starts_at or clock.now()) + timedelta(days=rules.MAX_DAYS.get(tier, 90))


def search(session: Session, *, actor: Actor, q: str) -> list[GrantRead]:
    """Grants the actor may see: the reference typed first, then purposes containing the
    words (the global search)."""
    rows = core_search.matching(
        session,
        _visible(session, actor),
        exact=[Grant.ref],
        names=[Grant.purpose],
        q=q,
        order=Grant.ref.desc(),
    )
    return [read(session, r) for r in rows]


def grant_windows(
    session: Session, *, person_ids: set[str], secret_ids: set[str]
) -> dict[tuple[str, str], list[tuple[datetime, datetime]]]:
    """When each of these people may access each of these secrets: the (start, expiry) of
    their grants in force, by (person id, secret id); a pair without a grant is absent. One
    query (monitoring judges activity seen in other systems against it)."""
    if not person_ids or not secret_ids:
        return {}
    query = select(Grant.person_id, Grant.secret_id, Grant.starts_at, Grant.expires_at).where(
        Grant.person_id.in_(person_ids),
        Grant.secret_id.in_(secret_ids),
        Grant.status.in_(rules.IN_FORCE),
    )
    out: dict[tuple[str, str], list[tuple[datetime, datetime]]] = {}
    for person_id, secret_id, starts_at, expires_at in session.execute(query):
        if person_id is not None:
            out.setdefault((person_id, secret_id), []).append((starts_at, expires_at))
    return out
