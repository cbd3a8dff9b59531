"""Locking a person out in an emergency (an incident's containment), part of the parties
service: what their login holds (its live API tokens and web sessions), disable and enable the
login, revoke one of its tokens, end its web sessions. Each change is a custody event of the
user or the token in the caller's transaction, with the reason given.

Who: users:manage, or incidents:contain (the incident team locking a suspect out; their
adapters reach these verbs only through a case's containment). Disabling a login, revoking a
token and ending sessions are adverse actions: against a person protected from retaliation they
need a second person's approval first (`core.adverse.check`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import adverse, clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Invalid
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import repository
from crownjewels.parties.accounts import get_user, guard_login
from crownjewels.parties.errors import TokenNotFound, UserNotFound
from crownjewels.parties.models import ApiToken, User
from crownjewels.parties.schemas import LoginState, SignedOut, TokenRead, UserRead
from crownjewels.parties.sessions import EndReason, live_sessions, revoke_user_sessions

#: who may lock a login out: its administrators, and the incident team containing a case
LOCKERS = (Permission.USERS_MANAGE, Permission.INCIDENTS_CONTAIN)
#: the shortest reason a lock-out (or its undoing) accepts
MIN_REASON = 3


def _require(actor: Actor, what: str) -> None:
    actor.require_any(*LOCKERS, what=what)


def _why(reason: str) -> str:
    why = " ".join(reason.split())
    if len(why) < MIN_REASON:
        raise Invalid("give the reason (at least 3 characters): it is kept with the change")
    return why


def _login(session: Session, ref: str) -> User:
    """A login by id, username (email) or person id."""
    user = (
        session.get(User, ref)
        or repository.user_by_username(session, ref)
        or repository.user_by_person(session, ref)
    )
    if user is None:
        raise UserNotFound(f"no login {ref!r}; `crownjewels users list` shows the logins")
    return user


def logins_of(session: Session, *, actor: Actor, person_ids: list[str]) -> list[LoginState]:
    """The logins of these people (those who have one), each with its live API tokens and the
    number of its live web sessions, by username."""
    _require(actor, "looking at a person's login for a lock-out")
    if not person_ids:
        return []
    users = session.scalars(
        select(User).where(User.person_id.in_(person_ids)).order_by(User.username)
    ).all()
    now = clock.now()
    out = []
    for user in users:
        tokens = session.scalars(
            select(ApiToken)
            .where(
                ApiToken.user_id == user.id,
                ApiToken.revoked_at.is_(None),
                ApiToken.expires_at > now,
            )
            .order_by(ApiToken.created_at)
        )
        out.append(
            LoginState(
                user_id=user.id,
                username=user.username,
                person_id=user.person_id,
                active=user.active,
                tokens=[TokenRead.model_validate(t) for t in tokens],
                live_sessions=live_sessions(session, user_id=user.id),
            )
        )
    return out


def _record_user(
    session: Session, actor: Actor, event: EventType, user: User, **details: object
) -> None:
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type="user",
        subject_id=user.id,
        details={"username": user.username, **details},
    )


def disable_account(session: Session, *, actor: Actor, user_ref: str, reason: str) -> UserRead:
    """Disable a login (USER_DEACTIVATED): no password, session or API token of it works
    until it is enabled again. One's own login is refused."""
    _require(actor, "disabling a login")
    why = _why(reason)
    user = _login(session, user_ref)
    if actor.kind == "user" and actor.id == user.id:
        raise Conflict("you cannot disable your own login; ask another administrator")
    if not user.active:
        raise Conflict(f"the login {user.username} is already disabled")
    guard_login(session, actor, user, adverse.DISABLE_ACCOUNT)
    user.active = False
    _record_user(
        session,
        actor,
        EventType.USER_DEACTIVATED,
        user,
        before={"active": True},
        after={"active": False},
        reason=why,
    )
    return get_user(session, user_id=user.id)


def enable_account(session: Session, *, actor: Actor, user_ref: str, reason: str) -> UserRead:
    """Enable a disabled login again (USER_REACTIVATED); its revoked tokens and ended
    sessions stay ended."""
    _require(actor, "enabling a login")
    why = _why(reason)
    user = _login(session, user_ref)
    if user.active:
        raise Conflict(f"the login {user.username} is not disabled")
    user.active = True
    _record_user(
        session,
        actor,
        EventType.USER_REACTIVATED,
        user,
        before={"active": False},
        after={"active": True},
        reason=why,
    )
    return get_user(session, user_id=user.id)


def revoke_user_token(session: Session, *, actor: Actor, token_id: str, reason: str) -> TokenRead:
    """Revoke someone's API token with a reason (TOKEN_REVOKED); a revoked token stays so."""
    _require(actor, "revoking someone's API token")
    why = _why(reason)
    token = session.get(ApiToken, token_id)
    if token is None:
        raise TokenNotFound(f"no API token {token_id!r}")
    if token.revoked_at is not None:
        raise Conflict(f"token {token.name!r} was already revoked on {token.revoked_at:%Y-%m-%d}")
    owner = session.get(User, token.user_id)
    adverse.check(
        session,
        actor=actor,
        person_id=owner.person_id if owner else None,
        action=adverse.REVOKE_TOKEN,
        target=token.name,
    )
    token.revoked_at = clock.now()
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.TOKEN_REVOKED,
        subject_type="token",
        subject_id=token.id,
        details={
            "before": {"revoked_at": None},
            "after": {"revoked_at": token.revoked_at},
            "reason": why,
        },
    )
    return TokenRead.model_validate(token)


def end_user_sessions(session: Session, *, actor: Actor, user_ref: str, reason: str) -> SignedOut:
    """End every live web session of a login, with a reason (USER_SESSIONS_REVOKED, recorded
    even when none was live: the order itself is evidence)."""
    _require(actor, "ending someone's sessions")
    why = _why(reason)
    user = _login(session, user_ref)
    guard_login(session, actor, user, adverse.END_SESSIONS)
    ended = revoke_user_sessions(session, user_id=user.id, reason=EndReason.EVERYWHERE)
    _record_user(
        session,
        actor,
        EventType.USER_SESSIONS_REVOKED,
        user,
        reason=EndReason.EVERYWHERE.value,
        sessions_ended=ended,
        why=why,
    )
    return SignedOut(user_id=user.id, username=user.username, sessions_ended=ended)
