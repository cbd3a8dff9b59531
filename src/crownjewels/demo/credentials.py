"""The demo logins' credentials: derived from the installation's secret key, so that they can
be printed again at any time and are not guessable without the key."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp

from crownjewels.core import clock
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Role
from crownjewels.demo import dataset


@dataclass(frozen=True)
class DemoLogin:
    """One demo login: every one, vendor users included, signs in with a TOTP code."""

    role: Role
    email: str
    full_name: str
    title: str
    totp_secret: str


def _derive(secret_key: str, purpose: str) -> bytes:
    return hmac.new(
        secret_key.encode("utf-8"), f"crownjewels/demo/{purpose}".encode(), hashlib.sha256
    ).digest()


def demo_password(secret_key: str) -> str:
    """The password of every demo login (not guessable without the installation's key)."""
    raw = base64.b32encode(_derive(secret_key, "password")).decode("ascii").lower()
    return f"demo-{raw[:4]}-{raw[4:8]}-{raw[8:12]}"


def totp_secret(secret_key: str, email: str) -> str:
    """The base32 TOTP key of a demo login."""
    digest = _derive(secret_key, f"totp/{email.lower()}")[:20]
    return base64.b32encode(digest).decode("ascii")


def login_code(secret_key: str, who: str, *, now: datetime | None = None) -> str:
    """The 6-digit code to type for a demo login: the next time step's, which the login accepts
    for about a minute and which can never be the step already used when the demo enrolled."""
    login = demo_login(secret_key, who)
    moment = (now or clock.now()) + timedelta(seconds=30)
    return str(pyotp.TOTP(login.totp_secret).at(moment))


def demo_logins(secret_key: str) -> tuple[DemoLogin, ...]:
    """The demo's logins, one per role."""
    company = dataset.company()
    out = []
    for role, login in company.logins.items():
        email = company.login_email(role)
        secret = totp_secret(secret_key, email)
        out.append(
            DemoLogin(
                role=role, email=email, full_name=login.name, title=login.title, totp_secret=secret
            )
        )
    return tuple(out)


def demo_login(secret_key: str, who: str) -> DemoLogin:
    """The demo login with this email or role name (`admin`), or Invalid listing them."""
    key = who.strip().lower()
    logins = demo_logins(secret_key)
    for login in logins:
        if key in (login.email, login.role.value):
            return login
    emails = ", ".join(login.email for login in logins)
    raise Invalid(f"{who!r} is not a demo login or role; the demo logins are: {emails}")
