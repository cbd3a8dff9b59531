"""Pages of canary tokens: every token with its hits and the form to plant one (/leaks/tokens),
a token's page with its hits, its file and the retire form (/leaks/tokens/CT-0001)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import (
    PostedForm,
    actor_labels,
    flash,
    flash_refusal,
    optional,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, attachment, require
from crownjewels.core.permissions import Permission as P
from crownjewels.leaks.canary import service
from crownjewels.leaks.canary.schemas import TokenCreate
from crownjewels.leaks.schemas import TokenKind

router = APIRouter(prefix="/leaks/tokens", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.LEAKS_READ))]
Manager = Annotated[Actor, Depends(require(P.LEAKS_MANAGE))]
#: what each kind is, in words, for the plant form
KIND_WORDS = {
    TokenKind.URL: "a URL (fires when opened)",
    TokenKind.IMAGE: "a transparent image (fires when shown, e.g. in an e-mail or a page)",
    TokenKind.DOCX: "a Word document whose footer fetches an image",
    TokenKind.PDF: "a PDF with a link and an open action",
    TokenKind.HONEY: "honey strings: made-up credentials and records a scan finds",
}


@router.get("")
def tokens(
    request: Request,
    session: DbSession,
    actor: Reader,
    settings: AppSettings,
    secret: str | None = None,
) -> Response:
    """Every token (or a secret's) with its hits, and the form to plant one."""
    found = service.list_tokens(
        session,
        actor=actor,
        base_url=settings.resolved_canary_base_url(),
        secret_ref=secret or None,
    )
    ctx = {
        "tokens": found,
        "secret": secret or "",
        "kinds": [(k.value, words) for k, words in KIND_WORDS.items()],
        "may_manage": actor.can(P.LEAKS_MANAGE),
    }
    return render(request, "leaks/canary/tokens.html", ctx)


@router.post("")
def plant(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings, form: PostedForm
) -> Response:
    """Plant a token; its page offers its URL or file."""
    try:
        data = TokenCreate.model_validate(
            {
                "secret": text(form, "secret"),
                "kind": text(form, "kind"),
                "label": optional(form, "label"),
            }
        )
        made = service.plant(
            session, actor=actor, data=data, base_url=settings.resolved_canary_base_url()
        )
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
        return redirect("/leaks/tokens")
    flash(request, f"{made.ref} planted for {made.secret_ref}")
    return redirect(f"/leaks/tokens/{made.ref}")


@router.get("/{ref}")
def token(
    request: Request, session: DbSession, actor: Reader, settings: AppSettings, ref: str
) -> Response:
    """The token, where it calls home, and every hit."""
    found = service.get_token(
        session, actor=actor, ref=ref, base_url=settings.resolved_canary_base_url()
    )
    ctx = {
        "token": found,
        "actors": actor_labels(request, session, [found.created_by]),
        "may_manage": actor.can(P.LEAKS_MANAGE),
        "has_file": found.kind in (TokenKind.DOCX, TokenKind.PDF, TokenKind.HONEY),
    }
    return render(request, "leaks/canary/token.html", ctx)


@router.get("/{ref}/file")
def token_file(session: DbSession, actor: Manager, settings: AppSettings, ref: str) -> Response:
    """The DOCX, PDF or honey text to put where the trap should be."""
    made = service.artefact(
        session, actor=actor, ref=ref, base_url=settings.resolved_canary_base_url()
    )
    headers = {"Content-Disposition": attachment(made.filename)}
    return Response(made.data, media_type=made.media_type, headers=headers)


@router.post("/{ref}/retire")
def retire(
    request: Request, session: DbSession, actor: Manager, form: PostedForm, ref: str
) -> Response:
    """Stop the token alerting, with the reason."""
    try:
        done = service.retire(session, actor=actor, ref=ref, reason=text(form, "reason"))
        flash(request, f"{done.ref} retired")
    except CrownJewelsError as exc:
        flash_refusal(request, session, exc)
    return redirect(f"/leaks/tokens/{ref}")
