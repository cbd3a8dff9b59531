"""The report channel's public pages, with no login: /report (send a report, anonymously or
named, with files) and /report/follow-up (open it with the code and a password, read the
replies and the deadlines, write back).

Nothing on these routes reads or keeps who is asking: no address, no browser, no login (the
routes sit outside the request guards that authenticate; `serve` writes their access-log lines
without the client's address). One cookie of their own, `cj_report` (only on /report, sent to
no other page, SameSite=Strict, signed): a random number that the forms' CSRF token is made
from, and, for thirty minutes after a follow-up login and each page since, the id of the
report opened; the server keeps no record of it. Wrong codes and passwords are throttled per
report (its lockout) and all together in this process, never per address."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.core import clock
from crownjewels.core.errors import CrownJewelsError, Invalid
from crownjewels.core.forms import (
    PostedForm,
    discard,
    error_status,
    field_errors,
    redirect,
    refused,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, refuse_unstorable_text
from crownjewels.core.throttle import FailureThrottle, app_throttle
from crownjewels.core.uploads import body_limit
from crownjewels.incidents.reports import attachments, intake, routing
from crownjewels.incidents.reports.errors import ReportNotFound
from crownjewels.incidents.reports.schemas import (
    PUBLIC_PATH,
    REPORTER_WORDS,
    ReportCreate,
    ReporterView,
)
from crownjewels.settings import Settings
from crownjewels.vault import errors as vault_errors
from crownjewels.vault import service as vault

COOKIE = "cj_report"
#: the throttles' one key: the channel keeps no address to tell callers apart
ALL = "every caller"
FOLLOW_UP = PUBLIC_PATH + "/follow-up"
#: how long a follow-up stays open without a page being read, and a form may wait
OPEN_FOR = timedelta(minutes=30)
FORM_AGE = timedelta(days=1)
T = "incidents/reports/"
log = logging.getLogger(__name__)


def _anonymous(request: Request) -> None:
    """Nobody is asking, as far as these pages know: the layout shows no one's menu."""
    request.state.actor = None


router = APIRouter(
    prefix=PUBLIC_PATH,
    include_in_schema=False,
    dependencies=[Depends(refuse_unstorable_text), Depends(_anonymous)],
)


def _failures(request: Request) -> FailureThrottle:
    return app_throttle(request, "report_failures", limit=50, window_seconds=600)


def _intakes(request: Request) -> FailureThrottle:
    return app_throttle(request, "report_intakes", limit=100, window_seconds=600)


class _ClockSigner(TimestampSigner):
    """Signs with the application's clock (so tests move it)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        settings.resolved_secret_key(), salt="crownjewels/report-channel/v1", signer=_ClockSigner
    )


@dataclass
class Visit:
    """What the channel's cookie holds: a random number, and the report opened, if any."""

    nonce: str
    report_id: str | None = None


def _visit(request: Request, settings: Settings) -> Visit | None:
    """The visit the cookie holds (the report dropped once OPEN_FOR passed), or None."""
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data, signed = _serializer(settings).loads(
            value, max_age=int(FORM_AGE.total_seconds()), return_timestamp=True
        )
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    report = data.get("r") if isinstance(data.get("r"), str) else None
    if report and clock.now() - signed > OPEN_FOR:
        report = None
    return Visit(nonce=data["n"], report_id=report)


def _token(settings: Settings, visit: Visit) -> str:
    """The forms' CSRF token: made from the cookie's random number, so only a page of ours
    (which reads the cookie) can send a form the channel takes."""
    message = b"crownjewels/report-form/v1\0" + visit.nonce.encode()
    return hmac.new(settings.resolved_secret_key().encode(), message, hashlib.sha256).hexdigest()


def _form_ok(settings: Settings, visit: Visit | None, form: FormData) -> bool:
    if visit is None:
        return False
    return secrets.compare_digest(text(form, "csrf_token"), _token(settings, visit))


def _page(
    request: Request,
    settings: Settings,
    visit: Visit | None,
    template: str,
    context: dict[str, Any],
    status: int = 200,
) -> Response:
    """A page of the channel, its cookie set again (a new random number on a first visit;
    the follow-up's thirty minutes start again)."""
    visit = visit or Visit(nonce=secrets.token_urlsafe(18))
    ctx = {**context, "form_token": _token(settings, visit), "company": settings.company_name}
    return _with_cookie(render(request, T + template, ctx, status=status), settings, visit)


def _with_cookie(response: Response, settings: Settings, visit: Visit) -> Response:
    """The response carrying the visit in the channel's cookie, signed now."""
    value = _serializer(settings).dumps({"n": visit.nonce, "r": visit.report_id})
    response.set_cookie(
        COOKIE,
        value,
        path=PUBLIC_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure or settings.tls,
    )
    return response


# --- sending a report -------------------------------------------------------------------------


def _size(size: int) -> str:
    """A size in words: 5 GiB, 64 MiB."""
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << shift:
            return f"{size / (1 << shift):,.3g} {unit}"
    return f"{size} bytes"


def _intake_page(
    request: Request,
    session: Session,
    settings: Settings,
    visit: Visit | None,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "errors": errors or {},
        "values": values or {},
        "handlers": routing.handlers(session),
        "kinds": list(REPORTER_WORDS.items()),
        "max_files": attachments.MAX_FILES,
        "max_size": _size(settings.vault_max_upload_bytes),
    }
    return _page(request, settings, visit, "intake.html", ctx, status)


@router.get("")
def intake_form(request: Request, session: DbSession, settings: AppSettings) -> Response:
    """The form to send a report, with what is kept and the DTSA immunity notice."""
    return _intake_page(request, session, settings, _visit(request, settings))


def _uploads(form: FormData) -> list[attachments.Upload]:
    return [
        attachments.Upload(filename=f.filename, file=f.file)
        for f in form.getlist("attachments")
        if isinstance(f, UploadFile) and f.filename
    ]


def _report(form: FormData) -> ReportCreate:
    data = ReportCreate.model_validate(
        {
            "subject": text(form, "subject"),
            "body": str(form.get("body") or ""),
            "reporter_kind": text(form, "reporter_kind") or "other",
            "reporter_name": text(form, "reporter_name") or None,
            "reporter_contact": text(form, "reporter_contact") or None,
            "involved": str(form.get("involved") or ""),
            "avoid": [v for v in form.getlist("avoid") if isinstance(v, str)],
            "password": str(form.get("password") or ""),
        }
    )
    if str(form.get("password_again") or "") != data.password:
        raise Invalid("type the same password twice", field="password_again")
    return data


@router.post("")
@body_limit()
def send(request: Request, session: DbSession, settings: AppSettings, form: PostedForm) -> Response:
    """Receive the report; the page answering shows the follow-up code, once."""
    visit = _visit(request, settings)
    values: dict[str, Any] = {
        k: v for k, v in form.multi_items() if isinstance(v, str) and "password" not in k
    }
    values["avoid"] = [v for v in form.getlist("avoid") if isinstance(v, str)]
    if not _form_ok(settings, visit, form):
        message = "The form expired (or the browser refused its cookie); send it again."
        return _intake_page(
            request, session, settings, None, errors={"": message}, values=values, status=403
        )
    if _intakes(request).blocked(ALL):
        message = "The channel is receiving many reports just now; wait ten minutes and send it."
        return _intake_page(
            request, session, settings, visit, errors={"": message}, values=values, status=429
        )
    try:
        uploads = _uploads(form)
        store = vault.open_vault(settings) if uploads else None
        received = intake.submit(session, data=_report(form), uploads=uploads, store=store)
    except vault_errors.VaultError:
        # the vault's keys or storage failed: the operator reads why in the log, the reporter
        # is told what to do (never a path or a key's name)
        log.exception("a report's files could not be stored")
        discard(session)
        message = "Files cannot be taken just now; send the report without them, or try later."
        return _intake_page(
            request,
            session,
            settings,
            visit,
            errors={"attachments": message},
            values=values,
            status=503,
        )
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc):
            raise
        discard(session)
        return _intake_page(
            request,
            session,
            settings,
            visit,
            errors=field_errors(exc),
            values=values,
            status=error_status(exc),
        )
    _intakes(request).fail(ALL)
    return _page(request, settings, visit, "received.html", {"received": received})


# --- following it up --------------------------------------------------------------------------


def _login_page(
    request: Request, settings: Settings, visit: Visit | None, message: str = "", status: int = 200
) -> Response:
    return _page(request, settings, visit, "follow_up_login.html", {"message": message}, status)


@router.get("/follow-up")
def follow_up(
    request: Request, session: DbSession, settings: AppSettings, sent: int = 0
) -> Response:
    """The report opened with the code (its messages, deadlines, the form to write back), or
    the form to open it."""
    visit = _visit(request, settings)
    if visit is None or visit.report_id is None:
        return _login_page(request, settings, visit)
    try:
        view = intake.reporter_view(session, report_id=visit.report_id)
    except ReportNotFound:
        return _login_page(request, settings, Visit(nonce=visit.nonce))
    return _follow_up_page(request, settings, visit, view, sent=bool(sent))


@router.post("/follow-up")
def open_report(
    request: Request, session: DbSession, settings: AppSettings, form: PostedForm
) -> Response:
    """Open a report with its code and password (the same answer for any wrong one)."""
    visit = _visit(request, settings)
    if not _form_ok(settings, visit, form) or visit is None:
        return _login_page(request, settings, None, "The form expired; try again.", 403)
    throttle = _failures(request)
    if throttle.blocked(ALL):
        message = "Too many wrong codes and passwords were tried just now; wait ten minutes."
        return _login_page(request, settings, visit, message, 429)
    outcome = intake.follow_up(
        session, code=text(form, "code"), password=str(form.get("password") or "")
    )
    if outcome.report_id is None:
        throttle.fail(ALL)
        return _login_page(request, settings, visit, outcome.message, 400)
    # a new random number with the report opened: a cookie planted before does not open it
    opened = Visit(nonce=secrets.token_urlsafe(18), report_id=outcome.report_id)
    return _with_cookie(redirect(FOLLOW_UP), settings, opened)


def _follow_up_page(
    request: Request,
    settings: Settings,
    visit: Visit,
    view: ReporterView,
    *,
    sent: bool = False,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ctx = {
        "view": view,
        "sent": sent,
        "errors": errors or {},
        "max_files": attachments.MAX_FILES,
        "max_size": _size(settings.vault_max_upload_bytes),
    }
    return _page(request, settings, visit, "follow_up.html", ctx, status)


@router.post("/follow-up/messages")
@body_limit()
def write_back(
    request: Request, session: DbSession, settings: AppSettings, form: PostedForm
) -> Response:
    """The reporter writes back on the report they opened, with files if they add some."""
    visit = _visit(request, settings)
    if visit is None or visit.report_id is None or not _form_ok(settings, visit, form):
        return _login_page(request, settings, visit, "Open your report again to write.", 403)
    try:
        uploads = _uploads(form)
        intake.reporter_message(
            session,
            report_id=visit.report_id,
            body=str(form.get("body") or ""),
            uploads=uploads,
            store=vault.open_vault(settings) if uploads else None,
        )
    except vault_errors.VaultError:
        log.exception("a report's files could not be stored")
        discard(session)
        message = "Files cannot be taken just now; send the message without them, or try later."
        view = intake.reporter_view(session, report_id=visit.report_id)
        errors = {"attachments": message}
        return _follow_up_page(request, settings, visit, view, errors=errors, status=503)
    except CrownJewelsError as exc:
        discard(session)
        view = intake.reporter_view(session, report_id=visit.report_id)
        errors = field_errors(exc, fallback="body")
        return _follow_up_page(
            request, settings, visit, view, errors=errors, status=error_status(exc)
        )
    return redirect(FOLLOW_UP + "?sent=1#messages")


@router.post("/follow-up/close")
def close_follow_up() -> Response:
    """Close the report on this browser (the cookie forgets it)."""
    response = redirect(FOLLOW_UP)
    response.delete_cookie(COOKIE, path=PUBLIC_PATH)
    return response
