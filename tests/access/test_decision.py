"""What a check does with the grants it read (one read for those that apply and those that
wait): an allowed use marks the applying grants used, a denial marks nothing; a grant that is
not in force is named in the refusal; a grant on one document does not open the secret."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.schemas import GrantStatus
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from tests.access.conftest import make_world
from tests.access.factories import bind_for_access
from tests.parties.factories import make_person


def _last_used(session: Session, admin: Actor, ref: str) -> object:
    return access.get(session, actor=admin, grant_ref=ref).last_used_at


def test_an_allowed_use_marks_its_grant_used_and_a_denial_does_not(
    session: Session, admin: Actor
) -> None:
    world = make_world(session, admin, owner=make_person(session, admin, name="Olive Owner"))
    bound = bind_for_access(session, person_id=world.grantee.id, secret_id=world.secret.id)
    assert _last_used(session, admin, bound.grant.ref) is None
    check = {"actor": admin, "person": world.grantee.email, "secret": world.secret.ref}
    denied = access.decide(session, **check, action=Level.EDIT, mfa=True)  # above the grant
    assert not denied.allowed
    assert _last_used(session, admin, bound.grant.ref) is None
    before = clock.now()
    allowed = access.decide(session, **check, action=Level.VIEW, mfa=True)
    assert allowed.allowed and allowed.grant_refs == [bound.grant.ref]
    used = _last_used(session, admin, bound.grant.ref)
    assert isinstance(used, type(before)) and before <= used <= clock.now()


def test_a_suspended_grant_is_named_and_gives_nothing(session: Session, admin: Actor) -> None:
    world = make_world(session, admin, owner=make_person(session, admin, name="Olive Owner"))
    bound = bind_for_access(session, person_id=world.grantee.id, secret_id=world.secret.id)
    access.change_status(
        session,
        actor=admin,
        grant_ref=bound.grant.ref,
        status=GrantStatus.SUSPENDED,
        reason="under review",
    )
    decision = access.decide(
        session,
        actor=admin,
        person=world.grantee.email,
        secret=world.secret.ref,
        action=Level.VIEW,
        mfa=True,
    )
    assert not decision.allowed and decision.grant_refs == []
    reasons = " ".join(r.message for r in decision.reasons)
    assert f"{bound.grant.ref} is suspended" in reasons
    assert _last_used(session, admin, bound.grant.ref) is None
