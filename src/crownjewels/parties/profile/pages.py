"""The settings page of the signed-in person (/settings): their name, password, authenticator
and API tokens. Each form posts to its own route; a refused form comes back with what was typed
(passwords excepted) and the message next to its field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Invalid, NotFound
from crownjewels.core.forms import (
    PostedForm,
    discard,
    error_status,
    field_errors,
    flash,
    redirect,
    refused,
    render,
    text,
)
from crownjewels.core.http import AppSettings, CurrentActor, DbSession
from crownjewels.core.sealing import Sealer
from crownjewels.parties import accounts, tokens
from crownjewels.parties.errors import TokenNotFound
from crownjewels.parties.profile import service
from crownjewels.parties.schemas import MfaEnrolment, TokenIssued
from crownjewels.settings import Settings

router = APIRouter(include_in_schema=False)

#: the session key holding the sealed new TOTP key while the person confirms it
REENROL = "reenrol_secret"
#: the lives offered for a new token, in days
TOKEN_DAYS = (7, 30, 90, 180, 366)


def _sealer(settings: Settings) -> Sealer:
    # the new key waits in the (signed, not encrypted) session cookie until confirmed: sealed
    return Sealer(settings.resolved_secret_key(), purpose=b"crownjewels/web/reenrol-secret/v1")


def _page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    form: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    issued: TokenIssued | None = None,
    status: int = 200,
) -> Response:
    """The settings page; `form` names the form whose `errors` and typed `values` it shows."""
    ctx = {
        "me": service.me(session, actor=actor),
        "tokens": tokens.list_tokens(session, actor=actor),
        "scopes": service.allowed_scopes(actor),
        "days": TOKEN_DAYS,
        "form": form,
        "errors": errors or {},
        "values": values or {},
        "issued": issued,
    }
    return render(request, "parties/settings.html", ctx, status=status)


def _refused(
    request: Request, session: Session, actor: Actor, exc: Exception, form: str, **values: Any
) -> Response:
    """The page again after a refusal, its work rolled back."""
    if not isinstance(exc, CrownJewelsError) or not refused(exc):
        raise exc
    discard(session)
    errors = field_errors(exc)
    return _page(
        request, session, actor, form=form, errors=errors, values=values, status=error_status(exc)
    )


def _enrolment(
    session: Session, actor: Actor, settings: Settings, secret: str | None
) -> MfaEnrolment:
    """The QR code of a new key (or of the key being confirmed, when a code was refused)."""
    me = service.me(session, actor=actor)
    issuer = f"{settings.company_name} Crown Jewels"
    return accounts.begin_mfa_enrolment(username=me.username, issuer=issuer, secret=secret)


@router.get("/settings")
def settings_page(request: Request, session: DbSession, actor: CurrentActor) -> Response:
    """The person's own settings."""
    return _page(request, session, actor)


@router.post("/settings/profile")
def save_profile(
    request: Request, session: DbSession, actor: CurrentActor, form: PostedForm
) -> Response:
    """Change one's name."""
    name = text(form, "full_name")
    try:
        me = service.rename_self(session, actor=actor, full_name=name)
    except CrownJewelsError as exc:
        return _refused(request, session, actor, exc, "profile", full_name=name)
    flash(request, f"Your name is now {me.full_name}.")
    return redirect("/settings")


@router.post("/settings/password")
def change_password(
    request: Request, session: DbSession, actor: CurrentActor, form: PostedForm
) -> Response:
    """Change one's password; the person's other sessions end, this one stays."""
    try:
        ended = service.change_own_password(
            session,
            actor=actor,
            current=str(form.get("current") or ""),
            password=str(form.get("password") or ""),
            repeat=str(form.get("repeat") or ""),
            keep_session_id=request.session.get("sid"),
        )
    except CrownJewelsError as exc:
        return _refused(request, session, actor, exc, "password")
    others = f"; {ended} other session(s) were signed out" if ended else ""
    flash(request, f"Your password is changed{others}.")
    return redirect("/settings")


@router.post("/settings/totp")
def start_reenrolment(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    form: PostedForm,
) -> Response:
    """Prove it is you (password, and a code of the current app); then a new key and QR."""
    try:
        service.check_reenrolment(
            session,
            actor=actor,
            password=str(form.get("totp_current") or ""),
            code=text(form, "code"),
            sealer=Sealer(settings.resolved_secret_key()),
        )
    except CrownJewelsError as exc:
        if isinstance(exc, Invalid) and exc.field == "current":
            exc.field = "totp_current"
        return _refused(request, session, actor, exc, "totp")
    enrolment = _enrolment(session, actor, settings, None)
    request.session[REENROL] = _sealer(settings).seal(enrolment.secret)
    ctx = {"enrolment": enrolment, "errors": {}}
    return render(request, "parties/settings_totp.html", ctx)


@router.post("/settings/totp/confirm")
def confirm_reenrolment(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    form: PostedForm,
) -> Response:
    """Replace the authenticator once the new app shows the right code."""
    sealed = request.session.get(REENROL)
    if not sealed:
        flash(
            request, "Start again: type your password to set up a new authenticator.", kind="error"
        )
        return redirect("/settings")
    secret = _sealer(settings).open(sealed)
    try:
        service.reenrol_mfa(
            session,
            actor=actor,
            secret=secret,
            code=text(form, "code"),
            sealer=Sealer(settings.resolved_secret_key()),
        )
    except CrownJewelsError as exc:
        if not refused(exc):
            raise
        discard(session)
        enrolment = _enrolment(session, actor, settings, secret)
        ctx = {"enrolment": enrolment, "errors": field_errors(exc), "code": text(form, "code")}
        return render(request, "parties/settings_totp.html", ctx, status=error_status(exc))
    request.session.pop(REENROL, None)
    flash(request, "Your new authenticator is set up; the old one no longer works.")
    return redirect("/settings")


@router.post("/settings/tokens")
def create_token(
    request: Request, session: DbSession, actor: CurrentActor, form: PostedForm
) -> Response:
    """A new API token, shown once on the page this returns."""
    name, days = text(form, "name"), text(form, "days")
    scopes = [s for s in form.getlist("scopes") if isinstance(s, str)]
    try:
        if not days.isdigit():
            raise Invalid("choose how many days the token lives", field="days")
        issued = service.create_own_token(
            session, actor=actor, name=name, scopes=scopes, days=int(days)
        )
    except CrownJewelsError as exc:
        return _refused(request, session, actor, exc, "token", name=name, days=days, scopes=scopes)
    return _page(request, session, actor, issued=issued)


@router.post("/settings/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, session: DbSession, actor: CurrentActor, token_id: str
) -> Response:
    """Revoke one of one's own tokens."""
    try:
        revoked = tokens.revoke_token(session, actor=actor, token_id=token_id)
    except NotFound:
        # a 404 that does not repeat the id typed (it may name someone else's token)
        raise TokenNotFound(
            "that is not one of your tokens; yours are listed in your settings"
        ) from None
    except CrownJewelsError as exc:
        if not refused(exc):
            raise
        discard(session)
        flash(request, f"Nothing was revoked: {exc.message}.", kind="error")
        return redirect("/settings")
    flash(request, f"The token “{revoked.name}” is revoked; it no longer works.")
    return redirect("/settings")
