"""Login pages: password, then a TOTP code (or TOTP enrolment on first login), and logout.

The session cookie moves through three states: anonymous (only a CSRF token), pending (the
password was right: `pending_uid`, and `enrol` when the user must set up TOTP first) and logged
in (`uid`, `mfa`, and `sid`: the id of the session's server-side record, parties/sessions.py,
which logout, a password or role change, a departure or an admin's "sign out everywhere"
revoke). Each step that raises the privilege starts a fresh session (fixation defence).
Failed attempts are recorded by the parties service, so those POSTs return normally and their
unit of work commits; a per-IP throttle in this worker refuses a client after many failures.
"""

from __future__ import annotations

import json
import secrets
from base64 import b64encode
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from itsdangerous import TimestampSigner
from sqlalchemy.orm import Session

from crownjewels.core.clients import client_address
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.forms import PostedForm, redirect, render, text
from crownjewels.core.http import AppSettings, DbSession, csrf_protect, csrf_token
from crownjewels.core.sealing import Sealer
from crownjewels.core.throttle import FailureThrottle, app_throttle
from crownjewels.parties import accounts, sessions
from crownjewels.settings import Settings

router = APIRouter(include_in_schema=False)

#: failed login POSTs allowed per client IP and window, on top of the per-account lockout
IP_FAILURES = 20
IP_WINDOW_SECONDS = 600


def throttle_of(request: Request) -> FailureThrottle:
    """The app's per-IP throttle of failed logins (one per app, created on first use)."""
    return app_throttle(
        request, "login_throttle", limit=IP_FAILURES, window_seconds=IP_WINDOW_SECONDS
    )


def _client(request: Request) -> str:
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    return client_address(peer, forwarded, settings.trusted_proxies)


def safe_next(value: str | None) -> str:
    """A local path to return to after login; anything else (another site) becomes "/"."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        # browsers drop tabs and newlines and read a backslash as a slash: "/\t/evil.example"
        or any(c in value for c in "\\\t\r\n")
        or urlsplit(value).netloc
    ):
        return "/"
    return value


def _enrol_sealer(settings: Settings) -> Sealer:
    # The TOTP key waits in the (signed, not encrypted) session cookie until confirmed: seal it.
    return Sealer(settings.resolved_secret_key(), purpose=b"crownjewels/web/enrol-secret/v1")


def _too_many(request: Request) -> Response:
    return render(
        request,
        "error.html",
        {
            "status": 429,
            "title": "Too many attempts",
            "detail": "Too many failed logins from your address; wait ten minutes and try again.",
        },
        status=429,
    )


def _form_ok(request: Request, form_token: str) -> bool:
    """The login forms carry the anonymous session's CSRF token (login CSRF defence)."""
    expected = request.session.get("csrf", "")
    return bool(expected) and secrets.compare_digest(form_token, expected)


def _start(request: Request, **values: Any) -> None:
    """A fresh session holding `values` and a new CSRF token."""
    request.session.clear()
    request.session.update(values)
    csrf_token(request)


#: the session key that tells the login page why the previous session was refused
ENDED = "ended"
#: the session cookie's name (app.py installs the middleware that signs it)
SESSION_COOKIE = "cj_session"


def login_values(
    session: Session, settings: Settings, *, user_id: str, mfa: bool
) -> dict[str, Any]:
    """What the session cookie of a logged-in user holds, with its server-side record made."""
    sid = sessions.start_session(
        session, user_id=user_id, mfa=mfa, max_age_seconds=settings.session_max_age_seconds
    )
    return {"uid": user_id, "mfa": mfa, "sid": sid, "csrf": secrets.token_urlsafe(32)}


def login_cookie(session: Session, settings: Settings, *, user_id: str, mfa: bool = True) -> str:
    """A signed session cookie value for a user, as the login forms would set it (for clients
    that log in without the forms, such as tests); the server-side session is recorded."""
    values = login_values(session, settings, user_id=user_id, mfa=mfa)
    data = b64encode(json.dumps(values).encode())
    return TimestampSigner(settings.resolved_secret_key()).sign(data).decode()


def _logged_in(
    request: Request,
    session: Session,
    settings: Settings,
    user_id: str,
    *,
    mfa: bool,
    next_url: str,
) -> Response:
    request.session.clear()
    request.session.update(login_values(session, settings, user_id=user_id, mfa=mfa))
    return redirect(safe_next(next_url))


def _login_page(
    request: Request, *, message: str | None = None, username: str = "", next_url: str = "/"
) -> dict[str, Any]:
    csrf_token(request)
    return {"message": message, "username": username, "next": safe_next(next_url)}


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The password form (step 1)."""
    if request.session.get("uid"):
        return redirect(safe_next(next))
    ended = request.session.pop(ENDED, None)  # set by app.authenticate for a refused session
    ctx = _login_page(request, message=str(ended) if ended else None, next_url=next)
    return render(request, "login/login.html", ctx)


@router.post("/login")
def login(
    request: Request, session: DbSession, settings: AppSettings, form: PostedForm
) -> Response:
    """Check the password; go on to the TOTP step, TOTP enrolment, or straight in."""
    throttle = throttle_of(request)
    if throttle.blocked(_client(request)):
        return _too_many(request)
    username, next_url = text(form, "username"), text(form, "next")
    if not _form_ok(request, text(form, "csrf_token")):
        ctx = _login_page(
            request,
            message="The form expired; submit it again.",
            username=username,
            next_url=next_url,
        )
        return render(request, "login/login.html", ctx, status=403)
    outcome = accounts.check_password(
        session,
        username=username,
        password=str(form.get("password") or ""),
        name_key=settings.resolved_secret_key(),
        mfa_policy=settings.mfa_required,
        max_failures=settings.login_max_failures,
        lockout_seconds=settings.login_lockout_seconds,
    )
    if not outcome.ok or outcome.user_id is None:
        throttle.fail(_client(request))
        ctx = _login_page(request, message=outcome.message, username=username, next_url=next_url)
        return render(request, "login/login.html", ctx, status=400)
    user = accounts.get_user(session, user_id=outcome.user_id, mfa_policy=settings.mfa_required)
    if outcome.needs_mfa_enrolment:
        _start(request, pending_uid=user.id, enrol=True, next=safe_next(next_url))
        return redirect("/login/enrol")
    if user.mfa_enrolled:
        _start(request, pending_uid=user.id, next=safe_next(next_url))
        return redirect("/login/mfa")
    return _logged_in(request, session, settings, user.id, mfa=False, next_url=next_url)


@router.get("/login/mfa")
def mfa_form(request: Request) -> Response:
    """The TOTP code form (step 2)."""
    if not request.session.get("pending_uid") or request.session.get("enrol"):
        return redirect("/login")
    return render(request, "login/mfa.html", {"message": None})


@router.post("/login/mfa")
def mfa(request: Request, session: DbSession, settings: AppSettings, form: PostedForm) -> Response:
    """Check the TOTP code; on success the user is logged in with a fresh session."""
    throttle = throttle_of(request)
    if throttle.blocked(_client(request)):
        return _too_many(request)
    user_id = request.session.get("pending_uid")
    if not user_id or request.session.get("enrol"):
        return redirect("/login")
    if not _form_ok(request, text(form, "csrf_token")):
        return render(request, "login/mfa.html", {"message": "The form expired."}, status=403)
    outcome = accounts.check_totp(
        session,
        user_id=user_id,
        code=text(form, "code"),
        sealer=Sealer(settings.resolved_secret_key()),
        max_failures=settings.login_max_failures,
        lockout_seconds=settings.login_lockout_seconds,
    )
    if not outcome.ok:
        throttle.fail(_client(request))
        return render(request, "login/mfa.html", {"message": outcome.message}, status=400)
    next_url = request.session.get("next", "/")
    return _logged_in(request, session, settings, user_id, mfa=True, next_url=next_url)


def _enrol_page(
    request: Request, session: DbSession, settings: Settings, user_id: str
) -> dict[str, Any]:
    """A new TOTP key for the enrol page; its sealed copy waits in the session."""
    user = accounts.get_user(session, user_id=user_id, mfa_policy=settings.mfa_required)
    enrolment = accounts.begin_mfa_enrolment(
        username=user.username, issuer=f"{settings.company_name} Crown Jewels"
    )
    request.session["enrol_secret"] = _enrol_sealer(settings).seal(enrolment.secret)
    return {"enrolment": enrolment, "message": None}


@router.get("/login/enrol")
def enrol_form(request: Request, session: DbSession, settings: AppSettings) -> Response:
    """The TOTP enrolment page: QR code and key, shown once the password was right."""
    user_id = request.session.get("pending_uid")
    if not user_id or not request.session.get("enrol"):
        return redirect("/login")
    return render(request, "login/enrol.html", _enrol_page(request, session, settings, user_id))


@router.post("/login/enrol")
def enrol(
    request: Request, session: DbSession, settings: AppSettings, form: PostedForm
) -> Response:
    """Confirm the enrolment with a code from the app; the user is then logged in."""
    throttle = throttle_of(request)
    if throttle.blocked(_client(request)):
        return _too_many(request)
    user_id = request.session.get("pending_uid")
    sealed = request.session.get("enrol_secret")
    if not user_id or not request.session.get("enrol") or not sealed:
        return redirect("/login")
    status, message = 403, "The form expired; scan the new code and try again."
    if _form_ok(request, text(form, "csrf_token")):
        try:
            accounts.confirm_mfa_enrolment(
                session,
                user_id=user_id,
                secret=_enrol_sealer(settings).open(sealed),
                code=text(form, "code"),
                sealer=Sealer(settings.resolved_secret_key()),
            )
            next_url = request.session.get("next", "/")
            return _logged_in(request, session, settings, user_id, mfa=True, next_url=next_url)
        except (NotFound, ValueError):  # the login expired, or the key changed meanwhile
            return redirect("/login")
        except Invalid as exc:
            throttle.fail(_client(request))
            status, message = 422, exc.message
    ctx = _enrol_page(request, session, settings, user_id)
    ctx["message"] = message
    return render(request, "login/enrol.html", ctx, status=status)


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout(request: Request, session: DbSession) -> Response:
    """End the session, on the server too: a copy of the cookie no longer logs anyone in."""
    sid = request.session.get("sid")
    if sid:
        sessions.end_session(session, session_id=str(sid))
    request.session.clear()
    return redirect("/login")
