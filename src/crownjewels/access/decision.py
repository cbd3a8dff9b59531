"""The questions every other capability asks: may this person take this action on this secret
now (`decide`, `require_allowed`), and who may reach a secret or what a person may reach, with
reasons (`who_can`, `what_can`). A denial is evidence: it is recorded (ACCESS_DENIED) durably
(core.db.durable: with the request's commit, or on its own after a rollback), so the refused
request's rollback cannot erase it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.access import decide as deciding
from crownjewels.access import repository
from crownjewels.access.engine import PolicyEngine
from crownjewels.access.errors import AccessDenied, InvalidGrant
from crownjewels.access.facts import Level
from crownjewels.access.schemas import Decision
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import durable
from crownjewels.core.errors import NotFound
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonRead

READER = deciding.READER
#: why a person whose own sign-in has no MFA cannot use a highly sensitive grant, and the fix
NO_MFA = (
    "{name} has not set up two-factor sign-in; highly sensitive secrets need it: "
    "ask them to sign in once to enrol"
)


def _person(session: Session, person: str | PersonRead) -> PersonRead:
    if isinstance(person, PersonRead):
        return person
    # with the organisation and the login the rules read, in one query
    return parties.person_standing(session, person_ref=person)


def _secret(session: Session, secret: str | SecretRead) -> SecretRead:
    if isinstance(secret, SecretRead):
        return secret
    # the rules read the secret's own columns: not its locations nor its owner's name
    return inventory.read_for_rules(session, secret_ref=secret)


def _record_denial(
    session: Session, actor: Actor, decision: Decision, document_id: str | None
) -> None:
    """ACCESS_DENIED with every reason, kept even though the refused request rolls back."""
    details = {
        "person_id": decision.person_id,
        "action": decision.action.value,
        "document_id": document_id,
        "reasons": [r.model_dump() for r in decision.reasons],
    }
    durable(
        session,
        lambda own: custody.record(
            own,
            actor=actor,
            event_type=EventType.ACCESS_DENIED,
            subject_type="secret",
            subject_id=decision.secret_id,
            details=details,
        ),
    )


def decide(
    session: Session,
    *,
    actor: Actor,
    person: str | PersonRead,
    secret: str | SecretRead,
    action: Level,
    document_id: str | None = None,
    mfa: bool | None = None,
    engine: PolicyEngine | None = None,
    record: bool = True,
) -> Decision:
    """May this person take this action on this secret now? Every rule is evaluated; a denial
    is recorded with every reason (ACCESS_DENIED, durably: with the request's commit, or in a
    unit of work of its own after a rollback, so a refused request that rolls back keeps it);
    an allowed use marks its grants used. The person and the secret are named (id, email,
    ref) or given as already read."""
    person_read, secret_read = _person(session, person), _secret(session, secret)
    decision, grant_ids = deciding.evaluate_with_grants(
        session,
        person=person_read,
        secret=secret_read,
        action=action,
        document_id=document_id,
        mfa=actor.mfa if mfa is None else mfa,
        engine=engine,
    )
    if record and not decision.allowed:
        _record_denial(session, actor, decision, document_id)
    if record and decision.allowed:
        # the grants the decision read, marked in one UPDATE (not read again)
        repository.mark_used(session, grant_ids, clock.now())
    return decision


def require_allowed(
    session: Session,
    *,
    actor: Actor,
    person: str | PersonRead,
    secret: str | SecretRead,
    action: Level,
    document_id: str | None = None,
    engine: PolicyEngine | None = None,
) -> Decision:
    """`decide`, raising AccessDenied (403, every reason in its message) on a denial."""
    decision = decide(
        session,
        actor=actor,
        person=person,
        secret=secret,
        action=action,
        document_id=document_id,
        engine=engine,
    )
    if not decision.allowed:
        raise AccessDenied(decision.summary, reasons=[r.message for r in decision.reasons])
    return decision


def recipient_mfa(session: Session, person: PersonRead) -> bool:
    """The person's real MFA state, for questions about the person rather than a session
    (approvals, who-can, what-can, the lifecycle re-check): their login has TOTP enrolled."""
    return parties.mfa_in_place(session, person_id=person.id)


def of_person(person: PersonRead, decision: Decision) -> Decision:
    """A decision about the person (not a session): an `mfa` failure names the enrolment."""
    reasons = [
        r.model_copy(update={"message": NO_MFA.format(name=person.full_name)})
        if r.rule == "mfa"
        else r
        for r in decision.reasons
    ]
    return decision.model_copy(update={"reasons": reasons})


def may_see_who_can(actor: Actor, secret: SecretRead) -> bool:
    """Whether the actor may see who can reach the secret: with grants:read, or as its owner
    (an owner answers for their own secret without reading anybody else's grants)."""
    if actor.can(Permission.GRANTS_READ):
        return True
    return actor.person_id is not None and actor.person_id == secret.owner_id


def who_can(
    session: Session,
    *,
    actor: Actor,
    secret: str,
    action: Level = Level.VIEW,
    engine: PolicyEngine | None = None,
) -> list[Decision]:
    """Every person holding a live grant on the secret (and its owner), with the decision.
    Needs grants:read, except for the secret's owner asking about their own secret."""
    try:
        secret_read = _secret(session, secret)
    except NotFound as exc:
        actor.require(Permission.GRANTS_READ)  # without it, an unknown secret is no answer
        raise InvalidGrant(exc.message, field="secret") from None
    if not may_see_who_can(actor, secret_read):
        actor.require(Permission.GRANTS_READ, what="seeing who can access a secret you do not own")
    ids = dict.fromkeys(
        [
            secret_read.owner_id,
            *(
                g.person_id
                for g in repository.live_for(session, secret_id=secret_read.id)
                if g.person_id
            ),
        ]
    )
    people = [_person(session, pid) for pid in ids]
    return [
        of_person(
            person,
            deciding.evaluate(
                session,
                person=person,
                secret=secret_read,
                action=action,
                mfa=recipient_mfa(session, person),
                engine=engine,
            ),
        )
        for person in people
    ]


def what_can(
    session: Session,
    *,
    actor: Actor,
    person: str,
    action: Level = Level.VIEW,
    engine: PolicyEngine | None = None,
) -> list[Decision]:
    """Every secret the person holds a live grant on (or owns), with the decision."""
    actor.require(Permission.GRANTS_READ)
    person_read = _person(session, person)
    ids = dict.fromkeys(
        [
            *inventory.owned_ids(session, person_id=person_read.id),
            *(g.secret_id for g in repository.live_for(session, person_id=person_read.id)),
        ]
    )
    mfa = recipient_mfa(session, person_read)
    return [
        of_person(
            person_read,
            deciding.evaluate(
                session,
                person=person_read,
                secret=_secret(session, sid),
                action=action,
                mfa=mfa,
                engine=engine,
            ),
        )
        for sid in ids
    ]
