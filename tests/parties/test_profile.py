"""A person's own settings: their name, their password (ending their other sessions only),
a new authenticator after proving it is them, and tokens with the scopes their roles allow."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.core.sealing import Sealer
from crownjewels.custody import service as custody
from crownjewels.parties import accounts, sessions, tokens
from crownjewels.parties.models import User
from crownjewels.parties.profile import service
from crownjewels.parties.sessions import SessionEnded
from tests.parties.factories import PASSWORD, actor_for, make_user

NEW = "a-new-password-2026"
SEALER = Sealer("profile-test-secret-key-0123456789")


def _person(session: Session, admin: Actor, *roles: Role) -> Actor:
    return actor_for(session, make_user(session, admin, *(roles or (Role.LEGAL,))))


def _events(session: Session, subject_type: str, subject_id: str) -> list[str]:
    return [
        e.event_type
        for e in custody.history(session, subject_type=subject_type, subject_id=subject_id)
    ]


def test_a_person_renames_themself_and_it_is_recorded(session: Session, admin: Actor) -> None:
    me = _person(session, admin)
    read = service.rename_self(session, actor=me, full_name="  Dana   Whitfield ")
    assert read.full_name == "Dana Whitfield"
    assert "PERSON_UPDATED" in _events(session, "person", read.person_id)
    with pytest.raises(Invalid, match="enter your name") as refused:
        service.rename_self(session, actor=me, full_name="   ")
    assert refused.value.field == "full_name"
    with pytest.raises(Forbidden, match="signed-in person"):
        service.rename_self(session, actor=system_actor("test"), full_name="Robot")


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(
    session: Session, admin: Actor
) -> None:
    me = _person(session, admin)
    here = sessions.start_session(session, user_id=me.id, mfa=True, max_age_seconds=3600)
    elsewhere = sessions.start_session(session, user_id=me.id, mfa=True, max_age_seconds=3600)
    ended = service.change_own_password(
        session, actor=me, current=PASSWORD, password=NEW, repeat=NEW, keep_session_id=here
    )
    assert ended == 1
    assert sessions.session_user(session, session_id=here) == (me.id, True)
    with pytest.raises(SessionEnded, match="password changed"):
        sessions.session_user(session, session_id=elsewhere)
    user = session.get(User, me.id)
    assert user is not None and accounts.password_matches(user, NEW)
    assert "USER_PASSWORD_CHANGED" in _events(session, "user", me.id)


@pytest.mark.parametrize(
    ("current", "password", "repeat", "field", "words"),
    [
        ("wrong-password-1", NEW, NEW, "current", "not your current password"),
        (PASSWORD, NEW, NEW + "x", "repeat", "two new passwords differ"),
        (PASSWORD, PASSWORD, PASSWORD, "password", "is your current one"),
        (PASSWORD, "short1", "short1", "password", "at least 12 characters"),
    ],
)
def test_a_password_change_is_refused_in_words(
    session: Session, admin: Actor, current: str, password: str, repeat: str, field: str, words: str
) -> None:
    me = _person(session, admin)
    with pytest.raises(Invalid, match=words) as refused:
        service.change_own_password(
            session,
            actor=me,
            current=current,
            password=password,
            repeat=repeat,
            keep_session_id=None,
        )
    assert refused.value.field == field
    user = session.get(User, me.id)
    assert user is not None and accounts.password_matches(user, PASSWORD)


def test_a_new_authenticator_needs_the_password_and_a_current_code(
    session: Session, admin: Actor
) -> None:
    me = _person(session, admin)
    moment = [clock.now()]
    clock.set_clock(lambda: moment[0])  # pinned: a code is good for its time step only
    old = pyotp.random_base32()
    # first enrolment, with no authenticator yet: the password is enough
    service.check_reenrolment(session, actor=me, password=PASSWORD, code="", sealer=SEALER)
    service.reenrol_mfa(
        session, actor=me, secret=old, code=pyotp.TOTP(old).at(clock.now()), sealer=SEALER
    )
    with pytest.raises(Invalid, match="current authenticator") as refused:
        service.check_reenrolment(
            session, actor=me, password=PASSWORD, code="000000", sealer=SEALER
        )
    assert refused.value.field == "code"
    with pytest.raises(Invalid, match="not your current password"):
        service.check_reenrolment(
            session, actor=me, password="nope-nope-123", code="", sealer=SEALER
        )
    moment[0] += timedelta(seconds=60)  # the old app's next code (a code is good once)
    code = pyotp.TOTP(old).at(moment[0])
    service.check_reenrolment(session, actor=me, password=PASSWORD, code=code, sealer=SEALER)
    new = pyotp.random_base32()
    with pytest.raises(Invalid, match="does not match"):
        service.reenrol_mfa(session, actor=me, secret=new, code="123456", sealer=SEALER)
    service.reenrol_mfa(
        session, actor=me, secret=new, code=pyotp.TOTP(new).at(clock.now()), sealer=SEALER
    )
    user = session.get(User, me.id)
    assert user is not None and user.mfa_secret is not None
    assert SEALER.open(user.mfa_secret) == new
    assert _events(session, "user", me.id).count("USER_MFA_ENROLLED") == 2


def test_tokens_carry_only_the_scopes_the_roles_allow(session: Session, admin: Actor) -> None:
    auditor = _person(session, admin, Role.AUDITOR)
    assert service.allowed_scopes(auditor) == ["read"]
    with pytest.raises(Invalid, match="only read tokens, not write") as refused:
        service.create_own_token(session, actor=auditor, name="ci", scopes=["write"], days=30)
    assert refused.value.field == "scopes"
    issued = service.create_own_token(session, actor=auditor, name="ci", scopes=["read"], days=30)
    assert issued.token.startswith("cj_") and issued.scopes == ["read"]
    legal = _person(session, admin, Role.LEGAL)
    assert service.allowed_scopes(legal) == ["read", "write"]
    both = service.create_own_token(
        session, actor=legal, name="export", scopes=["read", "write"], days=7
    )
    assert both.scopes == ["read", "write"]
    assert [t.name for t in tokens.list_tokens(session, actor=legal)] == ["export"]
    with pytest.raises(Invalid, match="from 1 to 366 days"):
        service.create_own_token(session, actor=legal, name="x", scopes=["read"], days=400)
    with pytest.raises(Invalid, match="name the token"):
        service.create_own_token(session, actor=legal, name=" ", scopes=["read"], days=7)
    vendor = _person(session, admin, Role.VENDOR_USER)
    assert service.allowed_scopes(vendor) == []
