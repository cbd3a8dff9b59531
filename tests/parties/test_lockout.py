"""Locking a person out (parties/lockout.py): a login disabled and enabled again, a token
revoked and web sessions ended, each with its reason in its custody event; who may (users:manage
or incidents:contain, never a grants manager alone); a protected reporter needs a second
approval (core/adverse.py) before any of it."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import adverse
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Forbidden, Invalid, Unauthenticated
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.parties import accounts, lockout, sessions, tokens
from crownjewels.parties.schemas import TokenCreate, UserRead
from tests.parties.factories import actor_for, make_user


@pytest.fixture
def suspect(session: Session, admin: Actor) -> UserRead:
    return make_user(session, admin, Role.SECRET_OWNER)


@pytest.fixture
def security(session: Session, admin: Actor) -> Actor:
    return actor_for(session, make_user(session, admin, Role.SECURITY))


def _details(session: Session, event_type: str) -> list[dict[str, object]]:
    custody.flush(session)
    query = select(CustodyEvent.details).where(CustodyEvent.event_type == event_type)
    return [json.loads(d) for d in session.scalars(query.order_by(CustodyEvent.seq))]


def test_a_login_is_disabled_and_enabled_again_with_its_reasons(
    session: Session, security: Actor, suspect: UserRead
) -> None:
    token = tokens.create_token(
        session, actor=actor_for(session, suspect), data=TokenCreate(name="ci", scopes=["read"])
    )
    [state] = lockout.logins_of(session, actor=security, person_ids=[suspect.person_id])
    assert state.active and [t.name for t in state.tokens] == ["ci"]
    done = lockout.disable_account(
        session, actor=security, user_ref=suspect.username, reason="containment of IN-0001"
    )
    assert not done.active
    with pytest.raises(Unauthenticated, match="no longer active"):
        tokens.actor_for_token(session, token=token.token)
    with pytest.raises(Conflict, match="already disabled"):
        lockout.disable_account(session, actor=security, user_ref=suspect.id, reason="again")
    assert _details(session, "USER_DEACTIVATED")[-1]["reason"] == "containment of IN-0001"
    again = lockout.enable_account(
        session, actor=security, user_ref=suspect.id, reason="reversal of IN-0001"
    )
    assert again.active and tokens.actor_for_token(session, token=token.token).id == suspect.id
    assert _details(session, "USER_REACTIVATED")[-1]["reason"] == "reversal of IN-0001"
    with pytest.raises(Conflict, match="is not disabled"):
        lockout.enable_account(session, actor=security, user_ref=suspect.id, reason="again")


def test_a_token_is_revoked_and_sessions_end_with_the_reason(
    session: Session, security: Actor, suspect: UserRead
) -> None:
    token = tokens.create_token(
        session, actor=actor_for(session, suspect), data=TokenCreate(name="sync", scopes=["read"])
    )
    sessions.start_session(session, user_id=suspect.id, mfa=True, max_age_seconds=3600)
    sessions.start_session(session, user_id=suspect.id, mfa=True, max_age_seconds=3600)
    [state] = lockout.logins_of(session, actor=security, person_ids=[suspect.person_id])
    assert state.live_sessions == 2
    revoked = lockout.revoke_user_token(
        session, actor=security, token_id=token.id, reason="containment of IN-0001"
    )
    assert revoked.revoked_at is not None
    with pytest.raises(Conflict, match="already revoked"):
        lockout.revoke_user_token(session, actor=security, token_id=token.id, reason="again")
    ended = lockout.end_user_sessions(
        session, actor=security, user_ref=suspect.username, reason="containment of IN-0001"
    )
    assert ended.sessions_ended == 2
    [state] = lockout.logins_of(session, actor=security, person_ids=[suspect.person_id])
    assert state.live_sessions == 0 and state.tokens == []
    assert _details(session, "TOKEN_REVOKED")[-1]["reason"] == "containment of IN-0001"
    assert _details(session, "USER_SESSIONS_REVOKED")[-1]["why"] == "containment of IN-0001"


def test_who_may_lock_a_login_out(session: Session, admin: Actor, suspect: UserRead) -> None:
    legal = actor_for(session, make_user(session, admin, Role.LEGAL))  # grants:manage, no more
    with pytest.raises(Forbidden, match="users:manage or the incidents:contain"):
        lockout.disable_account(session, actor=legal, user_ref=suspect.id, reason="no")
    with pytest.raises(Forbidden):
        lockout.logins_of(session, actor=legal, person_ids=[suspect.person_id])
    me = actor_for(session, make_user(session, admin, Role.SECURITY))
    with pytest.raises(Conflict, match="your own login"):
        lockout.disable_account(session, actor=me, user_ref=me.id, reason="oops")
    with pytest.raises(Invalid, match="reason"):
        lockout.disable_account(session, actor=me, user_ref=suspect.id, reason=" ")
    assert accounts.get_user(session, user_id=suspect.id).active


@pytest.fixture
def protect(suspect: UserRead) -> Iterator[list[adverse.AdverseAction]]:
    """A checker that treats the suspect as a protected reporter with no approval."""
    asked: list[adverse.AdverseAction] = []

    def checker(session: Session, actor: Actor, action: adverse.AdverseAction) -> None:
        asked.append(action)
        if action.person_id == suspect.person_id:
            raise adverse.ProtectedPerson("protected reporter: ask for a second approval")

    adverse.register(checker)
    yield asked
    adverse._CHECKERS.remove(checker)


def test_a_protected_reporter_is_not_locked_out_without_approval(
    session: Session, security: Actor, suspect: UserRead, protect: list[adverse.AdverseAction]
) -> None:
    token = tokens.create_token(
        session, actor=actor_for(session, suspect), data=TokenCreate(name="ci", scopes=["read"])
    )
    with pytest.raises(adverse.ProtectedPerson):
        lockout.disable_account(session, actor=security, user_ref=suspect.id, reason="contain")
    with pytest.raises(adverse.ProtectedPerson):
        lockout.revoke_user_token(session, actor=security, token_id=token.id, reason="contain")
    with pytest.raises(adverse.ProtectedPerson):
        lockout.end_user_sessions(session, actor=security, user_ref=suspect.id, reason="contain")
    assert [(a.action, a.target) for a in protect] == [
        (adverse.DISABLE_ACCOUNT, suspect.username),
        (adverse.REVOKE_TOKEN, "ci"),
        (adverse.END_SESSIONS, suspect.username),
    ]
    assert accounts.get_user(session, user_id=suspect.id).active
