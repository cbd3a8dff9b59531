"""Pages of a case's legal side: /incidents/IN-0001/letters (the letters the case calls for and
the others, a form per letter to choose its recipient and agreement among the case's people,
organisations and agreements, the chosen letter's text previewed with what counsel must
complete, DOCX and PDF downloads, and the legal steps with the form to record one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import PostedForm, act, field_errors, refused, render, text
from crownjewels.core.http import AppSettings, CurrentActor, DbSession, attachment, audited_read
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents import service as cases
from crownjewels.incidents.legal import service
from crownjewels.incidents.legal.schemas import STEP_WORDS, LetterPreview, StepCreate, StepKind
from crownjewels.incidents.letters.markup import TODO
from crownjewels.settings import Settings
from crownjewels.vault import service as vault

router = APIRouter(prefix="/incidents", include_in_schema=False)
Typed = Annotated[str | None, Query(max_length=200)]


def _url(ref: str, anchor: str = "") -> str:
    return f"/incidents/{ref.strip().upper()}/letters" + (f"#{anchor}" if anchor else "")


def _preview(
    session: Session,
    actor: Actor,
    settings: Settings,
    ref: str,
    chosen: dict[str, str | None],
) -> tuple[LetterPreview | None, str | None]:
    """The chosen letter's text, or why it cannot be drafted, in words."""
    try:
        return service.preview(
            session, actor=actor, ref=ref, template=chosen["template"] or "",
            recipient=chosen["recipient"], agreement=chosen["agreement"],
            tz=settings.timezone, company=settings.company_name,
            vault_=vault.open_vault(settings),
        ), None  # fmt: skip
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc):
            raise
        return None, "; ".join(dict.fromkeys(m for m in field_errors(exc).values() if m))


def _segments(text: str) -> list[tuple[str, bool]]:
    """The letter's text as runs, each `[to complete: …]` flagged to be highlighted."""
    out, at = [], 0
    for found in TODO.finditer(text):
        out += [(text[at : found.start()], False), (found.group(), True)]
        at = found.end()
    return [*out, (text[at:], False)]


@router.get("/{ref}/letters")
@audited_read
def letters_page(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    ref: str,
    template: Typed = None,
    recipient: Typed = None,
    agreement: Typed = None,
) -> Response:
    """The case's letters and legal steps; with `template`, that letter's text previewed (a
    recorded draft, for incidents:write)."""
    case = cases.get(session, actor=actor, ref=ref)
    listed = service.templates(
        session, actor=actor, ref=case.ref, tz=settings.timezone, everything=True
    )
    may_write = actor.can(P.INCIDENTS_WRITE) and not actor.read_only
    chosen = {"template": template, "recipient": recipient or None, "agreement": agreement or None}
    shown, refusal = None, None
    if template and may_write:
        shown, refusal = _preview(session, actor, settings, case.ref, chosen)
    ctx = {
        "case": case,
        "applying": [t for t in listed if t.applies],
        "others": [t for t in listed if not t.applies],
        "steps": service.steps(session, actor=actor, ref=case.ref),
        "kinds": [(k.value, STEP_WORDS[k]) for k in StepKind],
        "may_write": may_write,
        "may_step": may_write and case.is_open,
        "chosen": chosen,
        "preview": shown,
        "segments": _segments(shown.text) if shown else [],
        "chosen_template": next((t for t in listed if t.key == template), None),
        "refusal": refusal,
        "tz": settings.timezone,
    }
    return render(request, "incidents/legal/letters.html", ctx)


@router.get("/{ref}/letters/{template}")
@audited_read
def download(
    session: DbSession,
    actor: CurrentActor,
    settings: AppSettings,
    ref: str,
    template: str,
    recipient: Typed = None,
    agreement: Typed = None,
    fmt: Annotated[str, Query(alias="format", max_length=10)] = "docx",
) -> Response:
    """The letter drafted as DOCX or PDF (a recorded draft, for incidents:write)."""
    name, media_type, data = service.generate(
        session, actor=actor, ref=ref, template=template, recipient=recipient or None,
        agreement=agreement or None, fmt=fmt, tz=settings.timezone,
        company=settings.company_name, vault_=vault.open_vault(settings),
    )  # fmt: skip
    return Response(data, media_type=media_type, headers={"Content-Disposition": attachment(name)})


def _record(session: Session, actor: Actor, ref: str, form: FormData) -> str:
    data = StepCreate.model_validate(
        {
            "kind": text(form, "kind"),
            "taken_at": text(form, "taken_at") or None,
            "note": text(form, "note"),
        }
    )
    done = service.record_step(session, actor=actor, ref=ref, data=data)
    return f"Legal step {done.number} recorded: {done.kind_words}."


@router.post("/{ref}/legal-steps")
def record_step(
    request: Request, session: DbSession, actor: CurrentActor, ref: str, form: PostedForm
) -> Response:
    """Record a legal step taken in the case."""
    found = cases.row(session, actor, ref)  # a case the actor cannot see is not found
    return act(
        request, session, _url(found.ref, "steps"), lambda: _record(session, actor, ref, form)
    )
