"""A person's own account, as the settings page changes it: their name, their password (which
ends their other sessions), their second factor, and their API tokens. An admin's verbs on
other people's logins stay in `accounts.py`; every change here records its custody event."""

from __future__ import annotations

import pyotp
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import durable
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import SCOPED, Permission, permissions_of
from crownjewels.core.sealing import Sealer
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import accounts, sessions, tokens
from crownjewels.parties.errors import BadTotp
from crownjewels.parties.models import Person, User
from crownjewels.parties.schemas import TokenCreate, TokenIssued, UserRead

#: the longest life a token made here may have, in days (TokenCreate's own bound)
MAX_TOKEN_DAYS = 366


def _refused(session: Session, user: User, reason: str) -> None:
    """Keep a failed proof (and count it towards the lockout) though the form rolls back."""
    user_id = user.id
    durable(session, lambda own: accounts.proof_failed(own, user_id=user_id, reason=reason))


def _prove(session: Session, user: User, password: str, *, where: str) -> None:
    """Refuse a wrong current password, keeping the failure."""
    if not accounts.password_matches(user, password):
        _refused(session, user, f"wrong current password ({where})")
        raise Invalid("that is not your current password; type it again", field="current")


def _own(session: Session, actor: Actor, *, what: str) -> User:
    """The actor's own login; settings belong to a signed-in person, not to a system actor."""
    user = session.get(User, actor.id) if actor.kind == "user" else None
    if user is None:
        raise Forbidden(f"{what} is for a signed-in person: sign in with your own login")
    actor.require_write(what=what)
    return user


def me(session: Session, *, actor: Actor) -> UserRead:
    """The actor's own login: name, email, roles, whether TOTP is set up."""
    return accounts.get_user(session, user_id=_own(session, actor, what="your settings").id)


def rename_self(session: Session, *, actor: Actor, full_name: str) -> UserRead:
    """Change one's own name as pages show it (the email, the login's name, stays)."""
    user = _own(session, actor, what="changing your name")
    name = " ".join(full_name.split())
    if not name:
        raise Invalid("enter your name, e.g. Dana Whitfield", field="full_name")
    if len(name) > 200:
        raise Invalid("your name is longer than 200 characters; shorten it", field="full_name")
    person = session.get(Person, user.person_id)
    if person is not None and person.full_name != name:
        before, person.full_name = person.full_name, name
        session.flush()
        custody.record(
            session,
            actor=actor,
            event_type=EventType.PERSON_UPDATED,
            subject_type="person",
            subject_id=person.id,
            details={"before": {"full_name": before}, "after": {"full_name": name}},
        )
    return accounts.get_user(session, user_id=user.id)


def change_own_password(
    session: Session,
    *,
    actor: Actor,
    current: str,
    password: str,
    repeat: str,
    keep_session_id: str | None,
) -> int:
    """Set a new password after the current one is proved; every other session of the person
    ends (a stolen cookie stops working), the one they are using stays. The count ended."""
    user = _own(session, actor, what="changing your password")
    _prove(session, user, current, where="password change")
    if password != repeat:
        raise Invalid("the two new passwords differ; type the same one twice", field="repeat")
    if password == current:
        raise Invalid("the new password is your current one; choose another", field="password")
    accounts.check_password_strength(password)
    user.password_hash = accounts.hash_password(password)
    ended = sessions.revoke_other_sessions(
        session,
        user_id=user.id,
        keep_session_id=keep_session_id,
        reason=sessions.EndReason.PASSWORD,
    )
    custody.record(
        session,
        actor=actor,
        event_type=EventType.USER_PASSWORD_CHANGED,
        subject_type="user",
        subject_id=user.id,
        details={"sessions_ended": ended, "by": "self"},
    )
    return ended


def check_reenrolment(
    session: Session, *, actor: Actor, password: str, code: str, sealer: Sealer
) -> None:
    """Prove it is the person before a new authenticator replaces the old one: the current
    password, and a code of the current authenticator when one is set up. Nothing changes."""
    user = _own(session, actor, what="setting up a new authenticator")
    _prove(session, user, password, where="new authenticator")
    if user.mfa_enrolled_at is not None and accounts.totp_step(user, code, sealer) is None:
        _refused(session, user, "wrong TOTP code (new authenticator)")
        raise BadTotp(
            "wrong code: enter the 6 digits your current authenticator app shows now",
            field="code",
        )


def reenrol_mfa(session: Session, *, actor: Actor, secret: str, code: str, sealer: Sealer) -> None:
    """Replace the person's TOTP key with the new one their app shows codes of."""
    user = _own(session, actor, what="setting up a new authenticator")
    totp = pyotp.TOTP(secret)
    if not totp.verify(code.strip().replace(" ", ""), for_time=clock.now(), valid_window=1):
        raise BadTotp(
            "that code does not match: scan the new QR code and enter the 6 digits shown now",
            field="code",
        )
    replaced = user.mfa_enrolled_at is not None
    user.mfa_secret = sealer.seal(secret)
    user.mfa_enrolled_at = clock.now()
    user.mfa_last_step = int(clock.now().timestamp()) // totp.interval
    custody.record(
        session,
        actor=actor,
        event_type=EventType.USER_MFA_ENROLLED,
        subject_type="user",
        subject_id=user.id,
        details={"replaced": replaced, "by": "self"},
    )


def allowed_scopes(actor: Actor) -> list[str]:
    """The token scopes the person's own roles allow: read for everyone who may hold tokens,
    write only for a role that may change something besides its own tokens."""
    held = permissions_of(actor.roles)
    if Permission.TOKENS_OWN not in held:
        return []
    writes = any(p.writes for p in held if p not in (Permission.TOKENS_OWN, *SCOPED))
    scopes = ["read", "write"] if writes else ["read"]
    # a sender of monitoring activity (a SIEM, a file server's hook) holds that scope alone
    return [*scopes, *sorted({scope for p, scope in SCOPED.items() if p in held})]


def create_own_token(
    session: Session, *, actor: Actor, name: str, scopes: list[str], days: int
) -> TokenIssued:
    """A new API token of the person, with scopes their roles allow; shown once."""
    _own(session, actor, what="creating an API token")
    actor.require(Permission.TOKENS_OWN, what="creating an API token")
    name = " ".join(name.split())
    if not name:
        raise Invalid("name the token after where it is used, e.g. nightly export", field="name")
    if not scopes:
        raise Invalid("choose at least the read scope", field="scopes")
    allowed = allowed_scopes(actor)
    beyond = sorted(set(scopes) - set(allowed))
    if beyond:
        raise Invalid(
            f"your roles allow only {' and '.join(allowed)} tokens, not {', '.join(beyond)}",
            field="scopes",
        )
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise Invalid(f"a token lives from 1 to {MAX_TOKEN_DAYS} days", field="days")
    data = TokenCreate(name=name[:200], scopes=scopes, days=days)
    return tokens.create_token(session, actor=actor, data=data)
