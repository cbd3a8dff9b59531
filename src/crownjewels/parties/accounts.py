"""Users, login with throttling, TOTP enrolment and API tokens (part of the parties service)."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import pyotp
import segno
from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import adverse, clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Invalid, Unauthenticated
from crownjewels.core.permissions import Permission, Role
from crownjewels.core.sealing import Sealer
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import repository
from crownjewels.parties.errors import BadTotp, UserNotFound
from crownjewels.parties.models import LoginAttempt, Person, User, UserRole
from crownjewels.parties.schemas import (
    LoginOutcome,
    MfaEnrolment,
    PersonStatus,
    SignedOut,
    UserCreate,
    UserRead,
)
from crownjewels.parties.service import get_person
from crownjewels.parties.sessions import EndReason, revoke_user_sessions


def _dummy_hash(hasher: PasswordHasher) -> str:
    """An encoded argon2 hash with the hasher's parameters that no password matches: verifying
    against it costs what verifying a real one does. It is written, not computed, so that
    importing this module (every command, every process) does not pay one argon2 hash."""

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode().rstrip("=")

    return (
        f"$argon2{hasher.type.name.lower()}$v=19$m={hasher.memory_cost},t={hasher.time_cost},"
        f"p={hasher.parallelism}${b64(secrets.token_bytes(hasher.salt_len))}"
        f"${b64(bytes(hasher.hash_len))}"
    )


_hasher = PasswordHasher()
_DUMMY_HASH = _dummy_hash(_hasher)


def use_password_parameters(parameters: Parameters) -> None:
    """Change the argon2 cost (tests use argon2.profiles.CHEAPEST; production keeps the default)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = _dummy_hash(_hasher)


def _roles(user: User) -> frozenset[Role]:
    return frozenset(Role(r.role) for r in user.roles)


def mfa_required(user: User, *, policy: bool) -> bool:
    """Whether this user must use TOTP: on by policy (settings.mfa_required) for every user,
    vendor users included (highly sensitive secrets are reached only from a session with MFA)."""
    return policy


def _read(session: Session, user: User, *, mfa_policy: bool = True) -> UserRead:
    name = session.scalar(select(Person.full_name).where(Person.id == user.person_id)) or ""
    return UserRead(
        id=user.id,
        username=user.username,
        person_id=user.person_id,
        full_name=name,
        roles=sorted(_roles(user)),
        active=user.active,
        mfa_enrolled=user.mfa_enrolled_at is not None,
        mfa_required=mfa_required(user, policy=mfa_policy),
        last_login_at=user.last_login_at,
        locked_until=user.locked_until,
    )


def hash_password(password: str) -> str:
    """The argon2 hash a login keeps of its password."""
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    """True when the password is the login's (the settings page asks it before a change)."""
    try:
        return bool(_hasher.verify(user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def hash_matches(encoded: str | None, password: str) -> bool:
    """Whether the password matches an argon2 hash kept elsewhere (a report's follow-up
    password); with no hash, the same work against a dummy one, so timing tells nothing."""
    if encoded is None:
        _burn(password)
        return False
    try:
        return bool(_hasher.verify(encoded, password))
    except (VerificationError, InvalidHashError):
        return False


def check_password_strength(password: str) -> None:
    """At least 12 characters, not all one kind."""
    if len(password) < 12:
        raise Invalid("the password must have at least 12 characters", field="password")
    if password.isalpha() or password.isdigit():
        raise Invalid("the password must mix letters with digits or symbols", field="password")


def create_user(session: Session, *, actor: Actor, data: UserCreate) -> UserRead:
    """Give an existing person a login with roles; the username is their email."""
    actor.require(Permission.USERS_MANAGE)
    person = get_person(session, actor=actor, person_ref=data.person_id)
    if repository.user_by_person(session, person.id):
        raise Conflict(f"{person.full_name} already has a login; change its roles instead")
    check_password_strength(data.password)
    user = User(
        person_id=person.id,
        username=person.email,
        password_hash=_hasher.hash(data.password),
        roles=[UserRole(role=r.value) for r in sorted(set(data.roles))],
    )
    session.add(user)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.USER_CREATED,
        subject_type="user",
        subject_id=user.id,
        details={
            "after": {"username": user.username, "roles": sorted(r.value for r in data.roles)}
        },
    )
    return _read(session, user)


def list_users(session: Session, *, actor: Actor) -> list[UserRead]:
    """Every user, by username."""
    actor.require(Permission.USERS_MANAGE)
    return [_read(session, u) for u in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, *, user_id: str, mfa_policy: bool = True) -> UserRead:
    """One user by id (the edge reads the logged-in user with it)."""
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound(f"no user {user_id!r}")
    return _read(session, user, mfa_policy=mfa_policy)


def _user(session: Session, ref: str) -> User:
    """A user by id, username (email) or person id."""
    user = (
        session.get(User, ref)
        or repository.user_by_username(session, ref)
        or repository.user_by_person(session, ref)
    )
    if user is None:
        raise UserNotFound(f"no login {ref!r}; `crownjewels users list` shows the logins")
    return user


def guard_login(session: Session, actor: Actor, user: User, action: str) -> None:
    """Ask before an adverse action on a login (core/adverse.py): its owner may be protected
    from retaliation, and the action then needs a second person's approval (ProtectedPerson)."""
    adverse.check(
        session, actor=actor, person_id=user.person_id, action=action, target=user.username
    )


def change_password(session: Session, *, actor: Actor, user_ref: str, password: str) -> UserRead:
    """Set a new password (one's own, or anyone's with users:manage); every live session of
    the user ends, so a stolen cookie stops working with the old password. Someone else's
    password set for a person protected from retaliation locks them out of their own login:
    it needs a second person's approval first (core/adverse.py)."""
    user = _user(session, user_ref)
    if not (actor.kind == "user" and actor.id == user.id):
        actor.require(Permission.USERS_MANAGE)
        guard_login(session, actor, user, adverse.RESET_PASSWORD)
    check_password_strength(password)
    user.password_hash = _hasher.hash(password)
    ended = revoke_user_sessions(session, user_id=user.id, reason=EndReason.PASSWORD)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.USER_PASSWORD_CHANGED,
        subject_type="user",
        subject_id=user.id,
        details={"sessions_ended": ended},
    )
    return _read(session, user)


def set_roles(session: Session, *, actor: Actor, user_ref: str, roles: list[Role]) -> UserRead:
    """Replace a user's roles; their live sessions end, so the new roles apply at once."""
    actor.require(Permission.USERS_MANAGE)
    if not roles:
        raise Invalid("give the login at least one role", field="roles")
    user = _user(session, user_ref)
    before = sorted(r.role for r in user.roles)
    after = sorted({r.value for r in roles})
    if before == after:
        return _read(session, user)
    if set(before) - set(after):  # against a person protected from retaliation: approved first
        guard_login(session, actor, user, adverse.REMOVE_ROLES)
    for held in [r for r in user.roles if r.role not in after]:
        user.roles.remove(held)
    session.flush()  # deletes first: the (user, role) pair is unique
    user.roles.extend(UserRole(role=r) for r in after if r not in before)
    session.flush()
    ended = revoke_user_sessions(session, user_id=user.id, reason=EndReason.ROLES)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.USER_ROLES_CHANGED,
        subject_type="user",
        subject_id=user.id,
        details={"before": {"roles": before}, "after": {"roles": after}, "sessions_ended": ended},
    )
    return _read(session, user)


def sign_out_everywhere(session: Session, *, actor: Actor, user_ref: str) -> SignedOut:
    """End every live web session of a user (users:manage); the count ended. Recorded even
    when none was live: the order itself is evidence."""
    actor.require(Permission.USERS_MANAGE)
    user = _user(session, user_ref)
    guard_login(session, actor, user, adverse.END_SESSIONS)
    ended = revoke_user_sessions(session, user_id=user.id, reason=EndReason.EVERYWHERE)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.USER_SESSIONS_REVOKED,
        subject_type="user",
        subject_id=user.id,
        details={"reason": EndReason.EVERYWHERE.value, "sessions_ended": ended},
    )
    return SignedOut(user_id=user.id, username=user.username, sessions_ended=ended)


def user_for_person(session: Session, *, person_id: str) -> str | None:
    """The user id of a person's login, if they have one."""
    user = repository.user_by_person(session, person_id)
    return user.id if user else None


def actor_for_user(session: Session, *, user_id: str, mfa: bool) -> Actor:
    """The Actor of a logged-in user; Unauthenticated if the login was disabled since."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthenticated("your login is no longer active; ask an admin")
    person = session.get(Person, user.person_id)
    if person is None or person.status == PersonStatus.DEPARTED:
        raise Unauthenticated("your login ended with your departure")
    return Actor(
        kind="user",
        id=user.id,
        name=person.full_name,
        roles=_roles(user),
        person_id=person.id,
        mfa=mfa,
    )


# --- login ---------------------------------------------------------------------------------

#: the one answer to a refused password, whether the username exists or not
WRONG_LOGIN = "wrong username or password, or wrong code"
_LOGIN = Actor(kind="system", id="login", name="login")


def username_digest(name_key: str, username: str) -> str:
    """The keyed hash (HMAC-SHA-256 under the installation's secret) that stands for a username
    with no login in the custody log and the lockout table: the name itself is never kept (a
    password typed in the email field would otherwise stay in the append-only log forever)."""
    message = b"crownjewels/login-name/v1\0" + username.strip().lower().encode()
    return hmac.new(name_key.encode(), message, hashlib.sha256).hexdigest()


def _burn(password: str) -> None:
    """The work of one argon2 verify, against a dummy hash (timing tells nothing)."""
    with contextlib.suppress(VerificationError, InvalidHashError):
        _hasher.verify(_DUMMY_HASH, password)


def _lock(failures: int, max_failures: int, lockout_seconds: int) -> tuple[int, datetime | None]:
    """(the new failure count, the lock's end or None) after one more failure."""
    if failures + 1 >= max_failures:
        return 0, clock.now() + timedelta(seconds=lockout_seconds)
    return failures + 1, None


def _fail(
    session: Session,
    user: User | None,
    name_hash: str,
    why: str,
    *,
    max_failures: int,
    lockout_seconds: int,
) -> LoginOutcome:
    """Record a failure (the user's id, or the keyed hash of an unknown name) and count it
    towards the lockout, for unknown names exactly as for real accounts."""
    subject_type, subject_id = ("user", user.id) if user else ("username", name_hash)
    custody.record(
        session,
        actor=_LOGIN,
        event_type=EventType.USER_LOGIN_FAILED,
        subject_type=subject_type,
        subject_id=subject_id,
        details={"reason": why},
    )
    if user is not None:
        user.failed_logins, until = _lock(user.failed_logins, max_failures, lockout_seconds)
        if until is not None:
            user.locked_until = until
    else:
        attempt = session.get(LoginAttempt, name_hash)
        if attempt is None:
            attempt = LoginAttempt(name_hash=name_hash, failed_logins=0, updated_at=clock.now())
            session.add(attempt)
        attempt.failed_logins, until = _lock(attempt.failed_logins, max_failures, lockout_seconds)
        attempt.updated_at = clock.now()
        if until is not None:
            attempt.locked_until = until
    if until is not None:
        custody.record(
            session,
            actor=_LOGIN,
            event_type=EventType.USER_LOCKED_OUT,
            subject_type=subject_type,
            subject_id=subject_id,
            details={"until": until.isoformat()},
        )
    return LoginOutcome(ok=False, message=WRONG_LOGIN)


def proof_failed(session: Session, *, user_id: str, reason: str) -> None:
    """A wrong current password or code typed by a signed-in person (the settings page asks
    them before a change): recorded and counted towards the lockout exactly as a failed login,
    so a stolen session cannot guess them freely."""
    user = session.get(User, user_id)
    if user is not None:
        _fail(session, user, "", reason, max_failures=5, lockout_seconds=900)


def _locked_until(session: Session, user: User | None, name_hash: str) -> datetime | None:
    """The end of the lockout of this account or unknown name, if it is locked now."""
    if user is not None:
        until = user.locked_until
    else:
        attempt = session.get(LoginAttempt, name_hash)
        until = attempt.locked_until if attempt else None
    return until if until is not None and until > clock.now() else None


def check_password(
    session: Session,
    *,
    username: str,
    password: str,
    name_key: str,
    mfa_policy: bool = True,
    max_failures: int = 5,
    lockout_seconds: int = 900,
) -> LoginOutcome:
    """First login step. Failures are recorded (the edge commits them), so this never raises.

    An unknown username gets the same answers as a real one, after the same work: the same
    refusal, counted and locked out after the same number of failures, with the same message.
    `name_key` keys the hash that stands for an unknown name (the installation's secret key).
    """
    user = repository.user_by_username(session, username)
    name_hash = username_digest(name_key, username)
    limits = {"max_failures": max_failures, "lockout_seconds": lockout_seconds}
    until = _locked_until(session, user, name_hash)
    if until is not None:
        _burn(password)
        minutes = max(1, int((until - clock.now()).total_seconds() // 60) + 1)
        return LoginOutcome(
            ok=False, message=f"too many failed attempts; try again in {minutes} minutes"
        )
    if user is None:
        _burn(password)
        return _fail(session, None, name_hash, "unknown username", **limits)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return _fail(session, user, name_hash, "wrong password", **limits)
    person = session.get(Person, user.person_id)
    if not user.active or person is None or person.status == PersonStatus.DEPARTED:
        return _fail(session, user, name_hash, "login disabled", **limits)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    needs_enrolment = mfa_required(user, policy=mfa_policy) and user.mfa_enrolled_at is None
    if user.mfa_enrolled_at is None and not needs_enrolment:
        _login_succeeded(session, user, mfa=False)
    return LoginOutcome(ok=True, user_id=user.id, needs_mfa_enrolment=needs_enrolment)


def _login_succeeded(session: Session, user: User, *, mfa: bool) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = clock.now()
    custody.record(
        session,
        actor=Actor(kind="user", id=user.id, name=user.username),
        event_type=EventType.USER_LOGIN_SUCCEEDED,
        subject_type="user",
        subject_id=user.id,
        details={"mfa": mfa},
    )


def _totp_matches(user: User, code: str, sealer: Sealer) -> int | None:
    """The time step the code matches (one step of drift allowed), refusing a replayed step."""
    if user.mfa_secret is None:
        return None
    totp = pyotp.TOTP(sealer.open(user.mfa_secret))
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    now = clock.now()
    step_now = int(now.timestamp()) // totp.interval
    for step in (step_now - 1, step_now, step_now + 1):
        if secrets.compare_digest(totp.at(step * totp.interval), code):
            if user.mfa_last_step is not None and step <= user.mfa_last_step:
                return None
            return step
    return None


def totp_step(user: User, code: str, sealer: Sealer) -> int | None:
    """The time step an enrolled user's code matches now (None: wrong, or replayed)."""
    return _totp_matches(user, code, sealer)


def check_totp(
    session: Session,
    *,
    user_id: str,
    code: str,
    sealer: Sealer,
    max_failures: int = 5,
    lockout_seconds: int = 900,
) -> LoginOutcome:
    """Second login step for an enrolled user. Failures are recorded; never raises."""
    user = session.get(User, user_id)
    if user is None:
        return LoginOutcome(ok=False, message="your login expired; start again")
    if user.locked_until and user.locked_until > clock.now():
        return LoginOutcome(ok=False, message="too many failed attempts; try again later")
    step = _totp_matches(user, code, sealer)
    if step is None:
        _fail(
            session,
            user,
            "",
            "wrong TOTP code",
            max_failures=max_failures,
            lockout_seconds=lockout_seconds,
        )
        return LoginOutcome(
            ok=False, message="wrong code: enter the 6 digits your authenticator app shows now"
        )
    user.mfa_last_step = step
    _login_succeeded(session, user, mfa=True)
    return LoginOutcome(ok=True, user_id=user.id)


def begin_mfa_enrolment(*, username: str, issuer: str, secret: str | None = None) -> MfaEnrolment:
    """A fresh TOTP secret (or `secret` again, for a retry) with its otpauth:// URI and QR
    code (nothing stored until confirmed)."""
    secret = secret or pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)
    svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#111", light="#fff")
    return MfaEnrolment(secret=secret, provisioning_uri=uri, qr_svg=svg)


def confirm_mfa_enrolment(
    session: Session, *, user_id: str, secret: str, code: str, sealer: Sealer
) -> None:
    """Store the TOTP secret once the user proved their app shows the right code."""
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFound("your login expired; start again")
    totp = pyotp.TOTP(secret)
    if not totp.verify(code.strip().replace(" ", ""), for_time=clock.now(), valid_window=1):
        raise BadTotp(
            "that code does not match: scan the QR code again and enter the 6 digits shown now",
            field="code",
        )
    user.mfa_secret = sealer.seal(secret)
    user.mfa_enrolled_at = clock.now()
    user.mfa_last_step = int(clock.now().timestamp()) // totp.interval
    custody.record(
        session,
        actor=Actor(kind="user", id=user.id, name=user.username),
        event_type=EventType.USER_MFA_ENROLLED,
        subject_type="user",
        subject_id=user.id,
    )
    _login_succeeded(session, user, mfa=True)
