"""Due-diligence pages. For the vendor manager: the assessments list, the send form, the
review page (answer by answer, remediation, the risk explanation). For the vendor: the
answering page with save-and-resume, at /assessments/<id> for a vendor user and, for a one-time
link (which needs no account and reaches nothing else), at /a: the link's first load, /a/<token>,
hands its token over in a short-lived HttpOnly cookie scoped to /a and redirects there, so the
token stays out of the address bar, the history, later access-log lines and any Referer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Invalid
from crownjewels.core.forms import (
    PostedForm,
    discard,
    error_status,
    field_errors,
    flash,
    optional,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, Paging, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import body_limit
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonFilter
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vendors.diligence import (
    answering,
    catalog,
    documents,
    reads,
    schedule,
    sending,
)
from crownjewels.vendors.diligence import review as reviewing
from crownjewels.vendors.diligence.errors import AnswerErrors, BadAnswer, LinkGone, LinkNotOpened
from crownjewels.vendors.diligence.schemas import (
    AnswersSave,
    AssessmentDetail,
    AssessmentFilter,
    AssessmentSend,
    AssessmentStatus,
    Channel,
    RemediationCreate,
    RemediationUpdate,
    Review,
    ReviewSave,
)

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Actor, Depends(require(P.VENDORS_READ, P.ASSESSMENTS_ANSWER))]
Writer = Annotated[Actor, Depends(require(P.VENDORS_WRITE))]
Answerer = Annotated[Actor, Depends(require(P.ASSESSMENTS_ANSWER))]


#: the token-free page of a one-time link, and the path its cookie is scoped to
LINK_PAGE = "/a"
#: the cookie that carries a link's token (signed, with its time) after the link's first load
LINK_COOKIE = "cj_link"
#: how long that cookie opens the page; the link's own expiry still applies on every request
LINK_COOKIE_SECONDS = 4 * 3600
OPEN_AGAIN = (
    "Open the questionnaire link from your email again: this page opens only from that link "
    "(in a browser that keeps cookies). Your saved answers are kept."
)


class _ClockSigner(TimestampSigner):
    """Stamps and ages the cookie on the application's clock (tests pin it)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _link_signer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        settings.resolved_secret_key(),
        salt="crownjewels/web/assessment-link/v1",
        signer=_ClockSigner,
    )


def require_assessment_link(request: Request, session: DbSession, settings: AppSettings) -> Actor:
    """The access check of /a: the link's token from the cookie its first load set (no
    account). No cookie, or a forged one, is 404 saying to open the link again; a cookie past
    its hours 410; an expired, used or withdrawn link 410 with a page that says what to do."""
    raw = request.cookies.get(LINK_COOKIE)
    if not raw:
        raise LinkNotOpened(OPEN_AGAIN)
    signer = _link_signer(settings)
    try:
        token = str(signer.loads(raw))
    except BadSignature:
        raise LinkNotOpened(OPEN_AGAIN) from None
    actor = sending.link_actor(session, token=token)  # a link used or expired says so first
    try:
        signer.loads(raw, max_age=LINK_COOKIE_SECONDS)
    except SignatureExpired:
        raise LinkGone(
            "This page was open for more than four hours; open the questionnaire link from "
            "your email again (your saved answers are kept)."
        ) from None
    return actor


LinkHolder = Annotated[Actor, Depends(require_assessment_link)]


def require_link_token(session: DbSession, token: str) -> Actor:
    """The access check of a link's first load: the token in its path (no account). Unknown
    is 404; expired, used or withdrawn 410 saying what happened."""
    return sending.link_actor(session, token=token)


# --- lists and sending -------------------------------------------------------------------------


@router.get("/assessments")
def assessments(request: Request, session: DbSession, actor: Viewer, paging: Paging) -> Response:
    """Assessments the actor may see, newest first (a vendor user: its organisation's)."""
    status = request.query_params.get("status") or None
    flt = AssessmentFilter(
        status=AssessmentStatus(status) if status in set(AssessmentStatus) else None,
        remediation_overdue=request.query_params.get("remediation") == "overdue" or None,
    )
    items, total = reads.list_assessments(session, actor=actor, filters=flt, page=paging)
    ctx = {
        "items": items,
        "total": total,
        "paging": paging,
        "statuses": list(AssessmentStatus),
        "remediation_overdue": flt.remediation_overdue,
        # the vendor manager's queue; a vendor user sees only its own assessments
        "due": schedule.reassessments_due(session, actor=actor)
        if actor.can(P.VENDORS_READ)
        else [],
    }
    return render(request, "diligence/list.html", ctx)


def _send_choices(session: Session, actor: Actor) -> dict[str, Any]:
    secrets, _ = inventory.list_secrets(
        session, actor=actor, filters=SecretFilter(status="active"), page=PageParams(limit=500)
    )
    return {
        "vendors": reads.vendor_choices(session, actor=actor),
        "templates": catalog.list_templates(session, actor=actor),
        "secrets": secrets,
        "channels": list(Channel),
    }


@router.get("/assessments/new")
def send_form(request: Request, session: DbSession, actor: Writer) -> Response:
    """The form that sends a questionnaire to a vendor contact."""
    form = {"vendor": request.query_params.get("vendor", ""), "channel": "link", "link_days": "14"}
    ctx = {"form": form, "errors": {}, **_send_choices(session, actor)}
    return render(request, "diligence/send.html", ctx)


@router.post("/assessments/new")
def send(request: Request, session: DbSession, actor: Writer, form: PostedForm) -> Response:
    """Send; a one-time link is shown once on the page that follows."""
    values = {k: text(form, k) for k in ("vendor", "template", "channel", "recipient", "link_days")}
    try:
        data = AssessmentSend.model_validate(
            {
                "vendor": values["vendor"],
                "template": values["template"] or "vendor-security",
                "channel": values["channel"] or "link",
                "recipient": values["recipient"] or None,
                "secrets": [s for s in form.getlist("secrets") if isinstance(s, str) and s],
                "due_on": optional(form, "due_on"),
                "link_days": values["link_days"] or 14,
                "message": optional(form, "message"),
            }
        )
        sent = sending.send(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        discard(session)
        ctx = {"form": values, "errors": field_errors(exc), **_send_choices(session, actor)}
        return render(request, "diligence/send.html", ctx, status=error_status(exc))
    if sent.link is None:
        flash(request, f"{sent.ref} sent to {sent.recipient_name}; it appears when they log in.")
        return redirect(f"/assessments/{sent.ref}")
    url = str(request.base_url).rstrip("/") + sent.link.path
    return render(request, "diligence/sent.html", {"a": sent, "url": url})


# --- one assessment ----------------------------------------------------------------------------


def _detail_ctx(
    request: Request, session: Session, actor: Actor, d: AssessmentDetail
) -> dict[str, Any]:
    people, _ = parties.list_people(
        session, actor=actor, filters=PersonFilter(), page=PageParams(limit=500)
    )
    return {
        "d": d,
        "a": d.assessment,
        "people_options": [(p.id, p.full_name) for p in people],
        "reviews": [Review.ACCEPTED, Review.REJECTED, Review.ASK_AGAIN],
        "may_open_evidence": documents.ASSESSMENT_OWNERS.may_read(actor),
        "errors": {},
    }


@router.get("/assessments/{ref}")
def assessment(request: Request, session: DbSession, actor: Viewer, ref: str) -> Response:
    """The review page for the vendor manager; the answering page for the vendor user."""
    d = reads.detail(session, actor=actor, assessment_ref=ref)
    if not actor.can(P.VENDORS_READ):
        return _answer_page(request, d, action=f"/assessments/{d.assessment.ref}")
    return render(request, "diligence/review.html", _detail_ctx(request, session, actor, d))


def _answers(form: FormData, d: AssessmentDetail) -> AnswersSave:
    """The answer fields posted for the editable questions (a blank field clears)."""
    answers: dict[str, Any] = {}
    for q in d.questions:
        if not q.editable or q.type == "file":
            continue
        name = f"q.{q.id}"
        if q.type == "multiple_choice":
            if f"present.{q.id}" in form:
                answers[q.id] = [v for v in form.getlist(name) if isinstance(v, str)]
        elif name in form:
            answers[q.id] = text(form, name)
    return AnswersSave(answers=answers)


def _posted_values(form: FormData) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in form:
        if key.startswith("q."):
            values = [v for v in form.getlist(key) if isinstance(v, str)]
            out[key[2:]] = values if len(values) > 1 else (values[0] if values else "")
    return out


def _answer_page(
    request: Request,
    d: AssessmentDetail,
    *,
    action: str,
    errors: dict[str, str] | None = None,
    posted: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    ctx = {"d": d, "a": d.assessment, "action": action, "errors": errors or {}, "posted": posted}
    return render(request, "diligence/answer.html", ctx, status=status)


def _save_and_maybe_submit(
    request: Request,
    session: Session,
    actor: Actor,
    settings: Settings,
    form: FormData,
    *,
    ref: str,
    action: str,
) -> Response:
    d = reads.detail(session, actor=actor, assessment_ref=ref)
    try:
        answering.save_answers(session, actor=actor, assessment_ref=ref, data=_answers(form, d))
        for q in d.questions:
            upload = form.get(f"file.{q.id}")
            if q.editable and isinstance(upload, UploadFile) and upload.filename:
                documents.attach_evidence(
                    session,
                    actor=actor,
                    vault_=vault.open_vault(settings),
                    assessment_ref=ref,
                    question_id=q.id,
                    upload=upload.file,
                    filename=upload.filename,
                )
    except AnswerErrors as exc:
        discard(session)
        d = reads.detail(session, actor=actor, assessment_ref=ref)
        return _answer_page(
            request, d, action=action, errors=exc.errors, posted=_posted_values(form), status=422
        )
    except CrownJewelsError as exc:
        discard(session)
        d = reads.detail(session, actor=actor, assessment_ref=ref)
        errors = {exc.field or "": exc.message}
        return _answer_page(request, d, action=action, errors=errors, status=error_status(exc))
    if text(form, "action") != "submit":
        flash(request, "Your answers are saved. You can come back later to finish and submit.")
        return redirect(action)
    try:
        submitted = answering.submit(session, actor=actor, assessment_ref=ref)
    except BadAnswer as exc:  # the draft stays saved; say what is still open
        d = reads.detail(session, actor=actor, assessment_ref=ref)
        message = "Your answers are saved, but not submitted: " + exc.message
        return _answer_page(request, d, action=action, errors={"": message}, status=422)
    return render(request, "diligence/thanks.html", {"a": submitted})


@router.post("/assessments/{ref}/answers")
@body_limit()
def save_answers(
    request: Request,
    session: DbSession,
    actor: Answerer,
    settings: AppSettings,
    form: PostedForm,
    ref: str,
) -> Response:
    """Save the draft (action=save) or save and submit (action=submit), as a vendor user."""
    d = reads.detail(session, actor=actor, assessment_ref=ref)
    action = f"/assessments/{d.assessment.ref}"
    return _save_and_maybe_submit(
        request, session, actor, settings, form, ref=d.assessment.id, action=action
    )


@router.get("/a/{token}")
def link_open(
    settings: AppSettings, token: str, _: Annotated[Actor, Depends(require_link_token)]
) -> Response:
    """The first load of a one-time link, checked by `require_link_token`: hand its token over
    in a short-lived HttpOnly cookie scoped to /a and redirect there."""
    response = redirect(LINK_PAGE)
    response.set_cookie(
        LINK_COOKIE,
        _link_signer(settings).dumps(token),
        max_age=LINK_COOKIE_SECONDS,
        path=LINK_PAGE,
        secure=settings.cookie_secure or settings.tls,
        httponly=True,
        samesite="lax",  # sent on the redirect from a mail client's link, never on a foreign POST
    )
    return _private(response)


@router.get(LINK_PAGE)
def link_page(request: Request, session: DbSession, actor: LinkHolder) -> Response:
    """The answering page of a one-time link: this one assessment and nothing else."""
    d = reads.detail(session, actor=actor, assessment_ref=_assessment_id(session, actor))
    return _private(_answer_page(request, d, action=LINK_PAGE))


def _private(response: Response) -> Response:
    """A link page is its token: never sent on as a Referer, never kept in a shared cache."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(LINK_PAGE)
@body_limit()
def link_save(
    request: Request,
    session: DbSession,
    actor: LinkHolder,
    settings: AppSettings,
    form: PostedForm,
) -> Response:
    """Save the draft or submit through a one-time link (submitting uses the link up, and its
    cookie is dropped)."""
    response = _save_and_maybe_submit(
        request,
        session,
        actor,
        settings,
        form,
        ref=_assessment_id(session, actor),
        action=LINK_PAGE,
    )
    if text(form, "action") == "submit" and response.status_code == 200:
        response.delete_cookie(LINK_COOKIE, path=LINK_PAGE)
    return _private(response)


def _assessment_id(session: Session, actor: Actor) -> str:
    items, _ = reads.list_assessments(
        session, actor=actor, filters=AssessmentFilter(), page=PageParams(limit=1)
    )
    return items[0].id


# --- review ------------------------------------------------------------------------------------


@router.post("/assessments/{ref}/review")
def review(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Save the decisions on answers; "return" also reopens the asked-again answers;
    "accept" accepts every checked answer at once (the same verb, an event per answer)."""
    decisions = [
        {
            "question_id": key.removeprefix("decision."),
            "decision": text(form, key),
            "note": optional(form, "note." + key.removeprefix("decision.")),
        }
        for key in form
        if key.startswith("decision.") and text(form, key)
    ]
    if text(form, "action") == "accept":
        checked = [str(q) for q in form.getlist("select")]
        decisions = [
            {"question_id": q, "decision": "accepted", "note": optional(form, "note." + q)}
            for q in checked
        ]
    try:
        if text(form, "action") == "accept" and not decisions:
            raise Invalid("tick the answers to accept, then accept them")
        data = ReviewSave.model_validate(
            {"decisions": decisions, "return_to_vendor": text(form, "action") == "return"}
        )
        d = reviewing.review(session, actor=actor, assessment_ref=ref, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        discard(session)
        d = reads.detail(session, actor=actor, assessment_ref=ref)
        errors = (
            {"": "decide each answer: accepted, rejected or ask again (with a note)"}
            if isinstance(exc, ValidationError)
            else field_errors(exc)
        )
        ctx = _detail_ctx(request, session, actor, d) | {"errors": errors}
        return render(request, "diligence/review.html", ctx, status=error_status(exc))
    if data.return_to_vendor:
        message = f"{d.assessment.ref} returned to the vendor for the answers asked again."
        if d.assessment.channel is Channel.LINK:
            message += " Issue a new link below and send it to them."
        flash(request, message)
    else:
        flash(request, f"Review of {len(decisions)} answers saved.")
    return redirect(f"/assessments/{d.assessment.ref}")


def _act(request: Request, session: Session, actor: Actor, ref: str, fn: Any, ok: str) -> Response:
    try:
        result = fn()
    except (ValidationError, CrownJewelsError) as exc:
        discard(session)
        d = reads.detail(session, actor=actor, assessment_ref=ref)
        ctx = _detail_ctx(request, session, actor, d) | {"errors": field_errors(exc)}
        return render(request, "diligence/review.html", ctx, status=error_status(exc))
    flash(request, ok)
    ref_out = getattr(result, "assessment", None)
    return redirect(f"/assessments/{ref_out.ref if ref_out else ref}")


@router.post("/assessments/{ref}/complete")
def complete(request: Request, session: DbSession, actor: Writer, ref: str) -> Response:
    """Complete the reviewed assessment; its risk explanation is frozen."""
    return _act(
        request,
        session,
        actor,
        ref,
        lambda: reviewing.complete(session, actor=actor, assessment_ref=ref),
        "Assessment completed; its risk explanation is frozen as of now.",
    )


@router.post("/assessments/{ref}/links")
def new_link(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Issue a new one-time link (earlier ones stop working) and show it once."""
    try:
        link = sending.issue_link(
            session, actor=actor, assessment_ref=ref, days=int(text(form, "days") or 14)
        )
    except (ValueError, CrownJewelsError) as exc:
        discard(session)
        d = reads.detail(session, actor=actor, assessment_ref=ref)
        error = (
            exc if isinstance(exc, CrownJewelsError) else CrownJewelsError("give days as a number")
        )
        ctx = _detail_ctx(request, session, actor, d) | {"errors": field_errors(error)}
        return render(request, "diligence/review.html", ctx, status=error_status(error))
    a = reads.detail(session, actor=actor, assessment_ref=ref).assessment
    url = str(request.base_url).rstrip("/") + link.path
    return render(
        request, "diligence/sent.html", {"a": a.model_copy(update={"link": link}), "url": url}
    )


@router.post("/assessments/{ref}/remediation")
def add_remediation(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str
) -> Response:
    """Add a remediation item with an owner and a due date."""

    def add() -> Any:
        data = RemediationCreate.model_validate(
            {
                "title": text(form, "title"),
                "owner": text(form, "owner"),
                "due_on": text(form, "due_on"),
                "question_id": optional(form, "question_id"),
                "notes": optional(form, "notes"),
            }
        )
        return reviewing.add_remediation(session, actor=actor, assessment_ref=ref, data=data)

    return _act(request, session, actor, ref, add, "Remediation item added.")


@router.post("/assessments/{ref}/remediation/{item_id}")
def update_remediation(
    request: Request, session: DbSession, actor: Writer, form: PostedForm, ref: str, item_id: str
) -> Response:
    """Mark a remediation item done or open again."""

    def update() -> Any:
        data = RemediationUpdate.model_validate(
            {"status": text(form, "status") or "done", "notes": optional(form, "notes")}
        )
        return reviewing.update_remediation(
            session, actor=actor, assessment_ref=ref, item_id=item_id, data=data
        )

    return _act(request, session, actor, ref, update, "Remediation item updated.")
