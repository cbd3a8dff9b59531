"""Pages of a case's legal side: /incidents/IN-0001/letters (the letters the case calls for and
the others, a form per letter to choose its recipient and agreement among the case's people,
organisations and agreements, the chosen letter's text previewed with what counsel must
complete, DOCX and PDF downloads, and the legal steps with the form to record one)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
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
from crownjewels.incidents.legal.schemas import STEP_WORDS, StepCreate, StepKind
from crownjewels.incidents.letters.markup import parse, spans
from crownjewels.settings import Settings
from crownjewels.vault import service as vault

router = APIRouter(prefix="/incidents", include_in_schema=False)
Typed = Annotated[str | None, Query(max_length=200)]


def require_case_reader(session: DbSession, actor: CurrentActor, ref: str) -> Actor:
    """A reader of the case (incidents:read or its team); anyone else finds no case (404)."""
    service.readable(session, actor=actor, ref=ref)
    return actor


def require_case_writer(session: DbSession, actor: CurrentActor, ref: str) -> Actor:
    """A reader of the case (else 404) who holds incidents:write (else 403)."""
    service.drafter(session, actor=actor, ref=ref)
    return actor


Reader = Annotated[Actor, Depends(require_case_reader)]
Writer = Annotated[Actor, Depends(require_case_writer)]


def _url(ref: str, anchor: str = "") -> str:
    return f"/incidents/{ref.strip().upper()}/letters" + (f"#{anchor}" if anchor else "")


def _view(made: service.Drafted) -> dict[str, Any]:
    """The draft as the page shows it: its preview, and its text as blocks (headings,
    paragraphs, bullets, quoted clauses, tables) of runs, each `[to complete: …]` flagged."""
    blocks = []
    for block in parse(made.letter.text):
        blocks.append(
            {
                "kind": block.kind,
                "level": block.level,
                "lines": [spans(line) for line in block.lines],
                "rows": [[spans(cell) for cell in row] for row in block.rows],
            }
        )
    return {"preview": service.preview_of(made), "blocks": blocks}


def _draft(
    session: Session, actor: Actor, settings: Settings, ref: str, chosen: dict[str, str | None]
) -> tuple[dict[str, Any] | None, str | None]:
    """The chosen letter drafted as text (a recorded draft), or why it cannot be, in words."""
    try:
        made = service.draft(
            session, actor=actor, ref=ref, template=chosen["template"] or "",
            recipient=chosen["recipient"], agreement=chosen["agreement"], fmt="text",
            tz=settings.timezone, company=settings.company_name,
            vault_=vault.open_vault(settings),
        )  # fmt: skip
    except (ValidationError, CrownJewelsError) as exc:
        if not refused(exc):
            raise
        return None, "; ".join(dict.fromkeys(m for m in field_errors(exc).values() if m))
    return _view(made), None


@router.get("/{ref}/letters")
@audited_read
def letters_page(
    request: Request,
    session: DbSession,
    actor: Reader,
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
        shown, refusal = _draft(session, actor, settings, case.ref, chosen)
    ctx = {
        "case": case,
        "applying": [t for t in listed if t.applies],
        "others": [t for t in listed if not t.applies],
        "steps": service.steps(session, actor=actor, ref=case.ref),
        "kinds": [(k.value, STEP_WORDS[k]) for k in StepKind],
        "may_write": may_write,
        "may_step": may_write and case.is_open,
        "chosen": chosen,
        "draft": shown,
        "chosen_template": next((t for t in listed if t.key == template), None),
        "refusal": refusal,
        "tz": settings.timezone,
    }
    return render(request, "incidents/legal/letters.html", ctx)


@router.get("/{ref}/letters/{template}")
@audited_read
def download(
    session: DbSession,
    actor: Writer,
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
    request: Request, session: DbSession, actor: Writer, ref: str, form: PostedForm
) -> Response:
    """Record a legal step taken in the case."""
    return act(request, session, _url(ref, "steps"), lambda: _record(session, actor, ref, form))
