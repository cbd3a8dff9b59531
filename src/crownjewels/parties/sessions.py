"""Web login sessions kept on the server (part of the parties service).

The browser holds a random session id inside the signed cookie; the database holds only its
SHA-256, the user, whether TOTP was done, and when it expires. A session is refused once it
expired or was revoked: at logout, when the password or the roles change, when the person
departs, and when an admin signs the user out everywhere.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from enum import StrEnum

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Unauthenticated
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties.models import LoginSession

#: a revoked or expired row is kept this long (so "you were signed out" can be told), then purged
KEEP_ENDED = timedelta(days=7)


class EndReason(StrEnum):
    """Why a session was revoked (stored on the row and named in the custody event)."""

    LOGOUT = "logout"
    PASSWORD = "password changed"
    ROLES = "roles changed"
    DEPARTURE = "departure"
    EVERYWHERE = "signed out everywhere"


class SessionEnded(Unauthenticated):
    """The session cookie names a session that expired or was revoked."""


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(session: Session, *, user_id: str, mfa: bool, max_age_seconds: int) -> str:
    """A new session for a user who just logged in; returns the id the cookie carries (the
    only place it exists: the database keeps its hash)."""
    now = clock.now()
    session.execute(  # housekeeping: this user's long-ended sessions
        delete(LoginSession).where(
            LoginSession.user_id == user_id,
            or_(
                LoginSession.expires_at < now - KEEP_ENDED,
                LoginSession.revoked_at < now - KEEP_ENDED,
            ),
        )
    )
    session_id = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            user_id=user_id,
            token_hash=_digest(session_id),
            mfa=mfa,
            created_at=now,
            expires_at=now + timedelta(seconds=max_age_seconds),
        )
    )
    session.flush()
    return session_id


def session_user(session: Session, *, session_id: str) -> tuple[str, bool]:
    """(user id, mfa done) of a live session; SessionEnded with a plain message otherwise."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(session_id)))
    if row is None:
        raise SessionEnded("your session is not known here any more; log in again")
    if row.revoked_at is not None:
        why = row.revoked_reason or "revoked"
        raise SessionEnded(f"your session was ended ({why}); log in again")
    if row.expires_at <= clock.now():
        raise SessionEnded("your session expired; log in again")
    return row.user_id, row.mfa


def _revoke(session: Session, where: object, reason: EndReason) -> int:
    result = session.execute(
        update(LoginSession)
        .where(where, LoginSession.revoked_at.is_(None), LoginSession.expires_at > clock.now())  # type: ignore[arg-type]
        .values(revoked_at=clock.now(), revoked_reason=reason.value)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def end_session(session: Session, *, session_id: str) -> None:
    """Logout: revoke this one session and record it (nothing happens for an unknown id)."""
    row = session.scalar(select(LoginSession).where(LoginSession.token_hash == _digest(session_id)))
    if row is None or row.revoked_at is not None:
        return
    _revoke(session, LoginSession.id == row.id, EndReason.LOGOUT)
    custody.record(
        session,
        actor=Actor(kind="user", id=row.user_id, name=row.user_id),
        event_type=EventType.USER_LOGGED_OUT,
        subject_type="user",
        subject_id=row.user_id,
    )


def revoke_user_sessions(session: Session, *, user_id: str, reason: EndReason) -> int:
    """Revoke every live session of a user; the count revoked. The caller records the change
    it makes (password, roles, departure) and names this count in its event."""
    return _revoke(session, LoginSession.user_id == user_id, reason)


def revoke_other_sessions(
    session: Session, *, user_id: str, keep_session_id: str | None, reason: EndReason
) -> int:
    """Revoke every live session of a user but the one whose cookie carries `keep_session_id`
    (the person changing their own password stays signed in where they did it)."""
    where = LoginSession.user_id == user_id
    if keep_session_id:
        where = and_(where, LoginSession.token_hash != _digest(keep_session_id))
    return _revoke(session, where, reason)


def live_sessions(session: Session, *, user_id: str) -> int:
    """How many sessions of the user are live now."""
    rows = session.scalars(
        select(LoginSession.id).where(
            LoginSession.user_id == user_id,
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > clock.now(),
        )
    )
    return len(rows.all())
