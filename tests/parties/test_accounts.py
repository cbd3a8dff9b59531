"""Users: argon2 passwords, login throttling, TOTP enrolment and replay, scoped API tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest
from argon2 import extract_parameters
from argon2.exceptions import VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from crownjewels.core.permissions import Permission, Role
from crownjewels.core.sealing import Sealer
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.parties import accounts, service, tokens
from crownjewels.parties.errors import BadTotp
from crownjewels.parties.models import ApiToken, User
from crownjewels.parties.schemas import Departure, TokenCreate, UserCreate
from tests.parties.factories import PASSWORD, actor_for, make_person, make_user
from tests.pinned_clock import pin

SEALER = Sealer("test-secret-key")
KEY = "test-secret-key"


@pytest.fixture(autouse=True)
def _fixed_clock() -> object:
    moment = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    clock.set_clock(lambda: moment)
    yield
    pin()


def _types(session: Session) -> list[str]:
    custody.flush(session)
    return list(session.scalars(select(CustodyEvent.event_type).order_by(CustodyEvent.seq)))


def test_password_is_hashed_with_argon2(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.LEGAL)
    row = session.get(User, user.id)
    assert row is not None and row.password_hash.startswith("$argon2id$")
    assert PASSWORD not in row.password_hash


@pytest.mark.parametrize("password", ["short1!", "onlyletterslong", "123456789012345"])
def test_weak_passwords_are_refused(session: Session, admin: Actor, password: str) -> None:
    person = make_person(session, admin)
    with pytest.raises(Invalid, match="password"):
        accounts.create_user(
            session,
            actor=admin,
            data=UserCreate.model_construct(
                person_id=person.id, password=password, roles=[Role.LEGAL]
            ),
        )


def test_one_login_per_person(session: Session, admin: Actor) -> None:
    person = make_person(session, admin)
    make_user(session, admin, Role.LEGAL, person=person)
    with pytest.raises(Conflict, match="already has a login"):
        make_user(session, admin, Role.AUDITOR, person=person)


def test_only_admins_create_users(session: Session, admin: Actor) -> None:
    legal = actor_for(session, make_user(session, admin, Role.LEGAL))
    with pytest.raises(Forbidden):
        make_user(session, legal, Role.ADMIN)


def test_password_then_enrolment_for_staff(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.SECURITY)
    outcome = accounts.check_password(
        session, username=user.username.upper(), password=PASSWORD, name_key=KEY
    )
    assert outcome.ok and outcome.needs_mfa_enrolment


def test_vendor_users_enrol_totp_at_first_login_like_staff(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.VENDOR_USER)
    assert user.mfa_required
    outcome = accounts.check_password(
        session, username=user.username, password=PASSWORD, name_key=KEY
    )
    assert outcome.ok and outcome.needs_mfa_enrolment
    assert "USER_LOGIN_SUCCEEDED" not in _types(session)  # not in until the code is confirmed


def test_without_the_mfa_policy_no_one_must_enrol(session: Session, admin: Actor) -> None:
    for role in (Role.VENDOR_USER, Role.ADMIN):
        user = make_user(session, admin, role)
        outcome = accounts.check_password(
            session, username=user.username, password=PASSWORD, name_key=KEY, mfa_policy=False
        )
        assert outcome.ok and not outcome.needs_mfa_enrolment
    assert _types(session).count("USER_LOGIN_SUCCEEDED") == 2


def test_mfa_in_place_is_the_persons_enrolment(session: Session, admin: Actor) -> None:
    nobody = make_person(session, admin)
    assert service.mfa_in_place(session, person_id=nobody.id)  # no login: no session of theirs
    user = make_user(session, admin, Role.VENDOR_USER)
    assert not service.mfa_in_place(session, person_id=user.person_id)
    secret = pyotp.random_base32()
    accounts.confirm_mfa_enrolment(
        session,
        user_id=user.id,
        secret=secret,
        code=pyotp.TOTP(secret).at(clock.now()),
        sealer=SEALER,
    )
    assert service.mfa_in_place(session, person_id=user.person_id)


def test_enrol_and_log_in_with_totp(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.LEGAL)
    enrolment = accounts.begin_mfa_enrolment(username=user.username, issuer="Acme")
    assert enrolment.provisioning_uri.startswith("otpauth://totp/")
    assert "<svg" in enrolment.qr_svg
    totp = pyotp.TOTP(enrolment.secret)
    with pytest.raises(BadTotp, match="scan the QR code again"):
        accounts.confirm_mfa_enrolment(
            session, user_id=user.id, secret=enrolment.secret, code="000000", sealer=SEALER
        )
    accounts.confirm_mfa_enrolment(
        session, user_id=user.id, secret=enrolment.secret, code=totp.at(clock.now()), sealer=SEALER
    )
    row = session.get(User, user.id)
    assert row is not None and row.mfa_secret and enrolment.secret not in row.mfa_secret
    # the code used to enrol cannot be replayed to log in
    assert not accounts.check_totp(
        session, user_id=user.id, code=totp.at(clock.now()), sealer=SEALER
    ).ok
    later = clock.now() + timedelta(seconds=30)
    clock.set_clock(lambda: later)
    outcome = accounts.check_password(
        session, username=user.username, password=PASSWORD, name_key=KEY
    )
    assert outcome.ok and not outcome.needs_mfa_enrolment
    ok = accounts.check_totp(session, user_id=user.id, code=totp.at(later), sealer=SEALER)
    assert ok.ok
    replay = accounts.check_totp(session, user_id=user.id, code=totp.at(later), sealer=SEALER)
    assert not replay.ok and "wrong code" in (replay.message or "")
    assert "USER_MFA_ENROLLED" in _types(session)


def test_wrong_passwords_lock_the_account(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.LEGAL)
    for _ in range(5):
        assert not accounts.check_password(
            session, username=user.username, password="wrong-password-1", name_key=KEY
        ).ok
    outcome = accounts.check_password(
        session, username=user.username, password=PASSWORD, name_key=KEY
    )
    assert not outcome.ok and "try again in" in (outcome.message or "")
    types = _types(session)
    assert types.count("USER_LOGIN_FAILED") == 5 and "USER_LOCKED_OUT" in types
    later = clock.now() + timedelta(minutes=16)
    clock.set_clock(lambda: later)
    assert accounts.check_password(
        session, username=user.username, password=PASSWORD, name_key=KEY
    ).ok


def test_unknown_user_gets_the_same_answer(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.LEGAL)
    unknown = accounts.check_password(
        session, username="nobody@example.com", password=PASSWORD, name_key=KEY
    )
    wrong = accounts.check_password(
        session, username=user.username, password="wrong-password-1", name_key=KEY
    )
    assert unknown.message == wrong.message


def test_an_unknown_name_costs_one_full_argon2_verify() -> None:
    """The stand-in hash an unknown name is checked against has the hasher's own parameters and
    is well formed: argon2 does the whole verify and answers a mismatch (a malformed stand-in
    would be refused before any work, and an unknown name would answer faster)."""
    hasher = accounts._hasher
    assert extract_parameters(accounts._DUMMY_HASH) == extract_parameters(hasher.hash("x"))
    with pytest.raises(VerifyMismatchError):
        hasher.verify(accounts._DUMMY_HASH, PASSWORD)


def test_departed_person_cannot_log_in(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.VENDOR_USER)
    service.depart_person(session, actor=admin, person_ref=user.person_id, departure=Departure())
    assert not accounts.check_password(
        session, username=user.username, password=PASSWORD, name_key=KEY
    ).ok
    with pytest.raises(Unauthenticated):
        accounts.actor_for_user(session, user_id=user.id, mfa=False)


def test_tokens_are_hashed_scoped_and_expire(session: Session, admin: Actor) -> None:
    legal = actor_for(session, make_user(session, admin, Role.LEGAL))
    issued = tokens.create_token(
        session, actor=legal, data=TokenCreate(name="ci", scopes=["read"], days=1)
    )
    assert issued.token.startswith("cj_")
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert issued.token not in stored
    actor = tokens.actor_for_token(session, token=issued.token)
    assert actor.can(Permission.SECRETS_READ_ALL)
    assert not actor.can(Permission.SECRETS_WRITE_ALL), "a read token carries no write permission"
    later = clock.now() + timedelta(days=2)
    clock.set_clock(lambda: later)
    with pytest.raises(Unauthenticated, match="expired"):
        tokens.actor_for_token(session, token=issued.token)


def test_write_scope_and_revocation(session: Session, admin: Actor) -> None:
    legal = actor_for(session, make_user(session, admin, Role.LEGAL))
    issued = tokens.create_token(session, actor=legal, data=TokenCreate(name="w", scopes=["write"]))
    assert issued.scopes == ["read", "write"]
    assert tokens.actor_for_token(session, token=issued.token).can(Permission.SECRETS_WRITE_ALL)
    tokens.revoke_token(session, actor=legal, token_id=issued.id)
    with pytest.raises(Unauthenticated, match="revoked"):
        tokens.actor_for_token(session, token=issued.token)
    with pytest.raises(Conflict):
        tokens.revoke_token(session, actor=legal, token_id=issued.id)


def test_tokens_of_others_are_invisible(session: Session, admin: Actor) -> None:
    one = actor_for(session, make_user(session, admin, Role.LEGAL))
    two = actor_for(session, make_user(session, admin, Role.SECURITY))
    issued = tokens.create_token(session, actor=one, data=TokenCreate(name="mine"))
    with pytest.raises(NotFound):
        tokens.revoke_token(session, actor=two, token_id=issued.id)
    assert tokens.list_tokens(session, actor=two) == []


def test_unknown_scope(session: Session, admin: Actor) -> None:
    legal = actor_for(session, make_user(session, admin, Role.LEGAL))
    with pytest.raises(Invalid, match="scope"):
        tokens.create_token(session, actor=legal, data=TokenCreate(name="x", scopes=["admin"]))


def test_sealer_refuses_another_key() -> None:
    sealed = SEALER.seal("JBSWY3DPEHPK3PXP")
    assert SEALER.open(sealed) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(ValueError, match="secret key changed"):
        Sealer("another-key").open(sealed)


def test_unknown_names_are_counted_and_locked_like_real_accounts(
    session: Session, admin: Actor
) -> None:
    user = make_user(session, admin, Role.LEGAL)
    answers = {}
    for name in (user.username, "nobody@example.com"):
        for _ in range(5):
            refused = accounts.check_password(
                session, username=name, password="wrong-password-1", name_key=KEY
            )
            assert refused.message == accounts.WRONG_LOGIN
        answers[name] = accounts.check_password(
            session, username=name, password=PASSWORD, name_key=KEY
        ).message
    # a locked real account and a locked unknown name say the same thing
    assert answers[user.username] == answers["nobody@example.com"]
    assert "try again in 16 minutes" in (answers["nobody@example.com"] or "")
    custody.flush(session)
    locks = session.scalars(
        select(CustodyEvent).where(CustodyEvent.event_type == "USER_LOCKED_OUT")
    ).all()
    assert sorted(e.subject_type for e in locks) == ["user", "username"]


def test_failed_login_names_are_never_kept_verbatim(session: Session, admin: Actor) -> None:
    user = make_user(session, admin, Role.LEGAL)
    typed = "Sup3r-Secret-Password!"  # a password typed into the email field
    accounts.check_password(session, username=typed, password="x", name_key=KEY)
    accounts.check_password(session, username=user.username, password="wrong-1", name_key=KEY)
    custody.flush(session)
    failed = session.scalars(
        select(CustodyEvent)
        .where(CustodyEvent.event_type == "USER_LOGIN_FAILED")
        .order_by(CustodyEvent.seq)
    ).all()
    assert [(e.subject_type, e.subject_id) for e in failed] == [
        ("username", accounts.username_digest(KEY, typed)),
        ("user", user.id),
    ]
    everything = " ".join(
        f"{e.subject_id} {e.details}" for e in session.scalars(select(CustodyEvent))
    )
    assert typed.lower() not in everything.lower()
    # keyed: another installation's secret gives another hash, so a guess cannot be checked
    assert accounts.username_digest("other", typed) != accounts.username_digest(KEY, typed)
