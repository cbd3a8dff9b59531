"""Pages of need-to-know access: the grant listing with filters, the request form (its expiry
defaulting to the tier's maximum, refused fields shown in place), a grant's page with its
approvals and the buttons its viewer may use, who can reach a secret (each with the reasons)
and the check form that explains one decision."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crownjewels.access import bulk, service
from crownjewels.access import decision as policy
from crownjewels.access.approval import approval_context
from crownjewels.access.engine import PolicyEngine, policy_engine
from crownjewels.access.facts import Level
from crownjewels.access.rules import MAX_DAYS, GrantStatus
from crownjewels.access.schemas import GrantFilter, GrantRead, GrantRequest
from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid
from crownjewels.core.forms import (
    PostedForm,
    actor_labels,
    discard,
    error_status,
    field_errors,
    flash,
    optional,
    parse_day,
    redirect,
    refused,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, attachment, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretFilter
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrganisationFilter, PersonFilter

router = APIRouter(prefix="/access", include_in_schema=False)
Viewer = Annotated[
    Actor, Depends(require(P.GRANTS_READ, P.GRANTS_REQUEST, P.GRANTS_DECIDE, P.GRANTS_MANAGE))
]
Reader = Annotated[Actor, Depends(require(P.GRANTS_READ))]
Requester = Annotated[Actor, Depends(require(P.GRANTS_REQUEST))]
Decider = Annotated[Actor, Depends(require(P.GRANTS_DECIDE))]
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE, P.GRANTS_DECIDE))]
_FILTERS = ("secret", "person", "organisation", "status")
_BIG = PageParams(limit=500)
#: the page's buttons: (path, label, target status or None for an approval/denial)
_CHANGES = {
    "suspend": GrantStatus.SUSPENDED,
    "resume": GrantStatus.ACTIVE,
    "revoke": GrantStatus.REVOKED,
}


def _engine(settings: AppSettings) -> PolicyEngine:
    return policy_engine(settings)


Engine = Annotated[PolicyEngine, Depends(_engine)]


def _choices(session: Session, actor: Actor) -> dict[str, Any]:
    people = orgs = []
    if actor.can(P.PARTIES_READ):
        people = parties.list_people(session, actor=actor, filters=PersonFilter(), page=_BIG)[0]
        orgs = parties.list_organisations(
            session, actor=actor, filters=OrganisationFilter(), page=_BIG
        )[0]
    secrets = inventory.list_secrets(session, actor=actor, filters=SecretFilter(), page=_BIG)[0]
    return {
        "people": people,
        "organisations": orgs,
        "secrets": secrets,
        "levels": list(Level),
        "level_options": [(level.value, level.value) for level in Level],
        "statuses": list(GrantStatus),
        "max_days": MAX_DAYS,
    }


@router.get("/grants")
def grant_list(request: Request, session: DbSession, actor: Viewer) -> Response:
    """The grants the viewer may see, filtered by secret, person, organisation and status."""
    return _grant_list(request, session, actor)


def _grant_list(
    request: Request,
    session: Session,
    actor: Actor,
    errors: dict[str, str] | None = None,
    status: int = 200,
    posted: dict[str, Any] | None = None,
) -> Response:
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    errors = dict(errors or {})
    items: list[GrantRead] = []
    try:
        flt = GrantFilter.model_validate({k: v or None for k, v in raw.items()})
        items = service.list_grants(session, actor=actor, filters=flt)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        errors |= field_errors(exc, fallback="secret")
        status = 422
    ctx = {"grants": items, "filters": raw, "errors": errors, **_choices(session, actor)}
    ctx |= {"posted": posted or {"refs": [], "note": ""}}
    return render(request, "access/list.html", ctx, status=status)


@router.get("/grants/export.{fmt}")
def export(
    request: Request, session: DbSession, actor: Viewer, fmt: Literal["csv", "xlsx"]
) -> Response:
    """The grant list under its filters, as CSV or XLSX (people and secrets by name and ref)."""
    raw = {k: request.query_params.get(k, "").strip() or None for k in _FILTERS}
    content, media_type = bulk.export(
        session, actor=actor, filters=GrantFilter.model_validate(raw), fmt=fmt
    )
    headers = {"Content-Disposition": attachment(f"grants.{fmt}")}
    return Response(content, media_type=media_type, headers=headers)


@router.post("/grants/bulk")
def bulk_decide(
    request: Request, session: DbSession, actor: Manager, engine: Engine, form: PostedForm
) -> Response:
    """Approve, suspend or revoke the checked grants, all or none; revoking asks first."""
    refs = [str(r) for r in form.getlist("ref")]
    action, note = text(form, "action"), text(form, "note")
    posted = {"refs": refs, "note": note}
    if action == "revoke" and text(form, "confirmed") != "yes" and refs:
        ctx = {"refs": refs, "note": note, "action": action}
        return render(request, "access/bulk_confirm.html", ctx)
    try:
        if action == "approve":
            done = bulk.approve_many(
                session, actor=actor, refs=refs, note=note or None, engine=engine
            )
        elif action in _CHANGES:
            done = bulk.change_many(
                session, actor=actor, refs=refs, status=_CHANGES[action], reason=note, engine=engine
            )
        else:
            raise Invalid(f"{action!r}: choose approve, suspend or revoke", field="action")
    except CrownJewelsError as exc:
        if not refused(exc):
            raise
        discard(session)
        return _grant_list(request, session, actor, {"": exc.message}, error_status(exc), posted)
    flash(request, f"{len(done)} grants are now " + ", ".join(f"{g.ref} {g.status}" for g in done))
    return redirect("/access/grants")


def _expiry(session: Session, actor: Actor, form: dict[str, str]) -> datetime | None:
    """The posted expiry date (end of that day is not used: the grant ends at its midnight),
    else the longest the secret's tier allows."""
    day = parse_day(form.get("expires"), field="expires_at")
    if day is not None:
        return datetime.combine(day, time(0), tzinfo=UTC)
    if not form.get("secret"):
        return None
    secret = inventory.get(session, actor=actor, secret_ref=form["secret"])
    return service.default_expiry(secret.tier.value)


def _form_page(
    request: Request,
    session: Session,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    ctx = {"values": values, "errors": errors or {}, **_choices(session, actor)}
    return render(request, "access/form.html", ctx, status=status)


@router.get("/grants/new")
def new_form(request: Request, session: DbSession, actor: Requester) -> Response:
    """The request form, prefilled from ?secret=, ?person=, ?organisation= and ?level=; with
    ?secret= the expiry is the tier's longest."""
    values: dict[str, Any] = {"level": Level.VIEW.value, "target": "person"}
    for key in ("secret", "person", "organisation"):
        values[key] = request.query_params.get(key, "").strip()
    if request.query_params.get("level") in {level.value for level in Level}:
        values["level"] = request.query_params["level"]  # e.g. download, from a withheld copy
    if values["secret"]:
        try:
            secret = inventory.get(session, actor=actor, secret_ref=values["secret"])
            values["expires"] = f"{service.default_expiry(secret.tier.value):%Y-%m-%d}"
        except CrownJewelsError:
            values["secret"] = ""
    return _form_page(request, session, actor, values)


@router.post("/grants/new")
def create(request: Request, session: DbSession, actor: Requester, form: PostedForm) -> Response:
    """Record a grant request; a refused form comes back with the messages by its fields."""
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    values = {k: v.strip() for k, v in values.items()}
    try:
        target = values.get("target", "person")
        data = GrantRequest.model_validate(
            {
                "person": (values.get("person") or None) if target == "person" else None,
                "organisation": (values.get("organisation") or None)
                if target == "organisation"
                else None,
                "secret": text(form, "secret"),
                "level": text(form, "level") or Level.VIEW.value,
                "purpose": text(form, "purpose"),
                "document_id": optional(form, "document_id"),
                "expires_at": _expiry(session, actor, values),
            }
        )
        grant = service.request_grant(session, actor=actor, data=data)
    except (ValidationError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        errors = {("expires" if k == "expires_at" else k): v for k, v in field_errors(exc).items()}
        return _form_page(request, session, actor, values, errors, error_status(exc))
    flash(request, f"{grant.ref} is requested; it needs {grant.approvals_needed} approval(s).")
    return redirect(f"/access/grants/{grant.ref}")


def _buttons(session: Session, actor: Actor, grant: GrantRead) -> list[str]:
    """The actions this viewer may take on the grant now (the service checks again)."""
    owner = inventory.get(session, actor=service.READER, secret_ref=grant.secret_id).owner_id
    owns = actor.person_id is not None and actor.person_id == owner
    second = bool(actor.roles & service.SECOND_APPROVERS)
    out = []
    if grant.status == GrantStatus.REQUESTED and actor.can(P.GRANTS_DECIDE):
        if owns or (grant.approvals and second) or actor.can(P.USERS_MANAGE):
            out.append("approve")
        if owns or second:
            out.append("deny")
    if actor.can(P.GRANTS_MANAGE) or owns:
        if grant.status in (GrantStatus.APPROVED, GrantStatus.ACTIVE):
            out.append("suspend")
        if grant.status == GrantStatus.SUSPENDED:
            out.append("resume")
        if grant.status in (GrantStatus.APPROVED, GrantStatus.ACTIVE, GrantStatus.SUSPENDED):
            out.append("revoke")
    return out


def _grant_page(
    request: Request,
    session: Session,
    actor: Actor,
    ref: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    grant = service.get(session, actor=actor, grant_ref=ref)
    buttons = _buttons(session, actor, grant)
    ctx = {"grant": grant, "buttons": buttons, "errors": errors or {}}
    who = [grant.requested_by, *(a.approver for a in grant.approvals)]
    if grant.document_id:  # a grant on one document names it by its title
        who.append(f"document:{grant.document_id}")
    ctx["actors"] = actor_labels(request, session, who)  # names, not `user:` ids
    # an approver reads what approving means before the button: agreements, training,
    # acknowledgement, due diligence, and the decision the policies would then give
    ctx["context"] = approval_context(session, grant=grant) if "approve" in buttons else None
    return render(request, "access/detail.html", ctx, status=status)


@router.get("/grants/{ref}")
def detail(request: Request, session: DbSession, actor: Viewer, ref: str) -> Response:
    """A grant with its approvals and the actions its viewer may take."""
    return _grant_page(request, session, actor, ref)


def _refusal_page(
    request: Request, session: Session, actor: Actor, ref: str, exc: CrownJewelsError
) -> Response:
    if not refused(exc) or exc.status_code == 404:
        raise exc
    discard(session)
    return _grant_page(request, session, actor, ref, {"": exc.message}, error_status(exc))


@router.post("/grants/{ref}/approve")
def approve(
    request: Request,
    session: DbSession,
    actor: Decider,
    engine: Engine,
    form: PostedForm,
    ref: str,
) -> Response:
    """One approval of a requested grant."""
    try:
        grant = service.approve(
            session, actor=actor, grant_ref=ref, note=optional(form, "note"), engine=engine
        )
    except CrownJewelsError as exc:
        return _refusal_page(request, session, actor, ref, exc)
    flash(request, f"{grant.ref} is {grant.status.value}.")
    return redirect(f"/access/grants/{grant.ref}")


@router.post("/grants/{ref}/deny")
def deny(
    request: Request, session: DbSession, actor: Decider, form: PostedForm, ref: str
) -> Response:
    """Deny a requested grant with a reason."""
    try:
        grant = service.deny(session, actor=actor, grant_ref=ref, reason=text(form, "note"))
    except CrownJewelsError as exc:
        return _refusal_page(request, session, actor, ref, exc)
    flash(request, f"{grant.ref} is denied.")
    return redirect(f"/access/grants/{grant.ref}")


@router.post("/grants/{ref}/{change}")
def change(
    request: Request,
    session: DbSession,
    actor: Manager,
    engine: Engine,
    form: PostedForm,
    ref: str,
    change: str,
) -> Response:
    """Suspend, resume or revoke a grant with a reason."""
    if change not in _CHANGES:
        raise Invalid(f"{change!r}: a grant can be suspended, resumed or revoked")
    try:
        grant = service.change_status(
            session,
            actor=actor,
            grant_ref=ref,
            status=_CHANGES[change],
            reason=text(form, "note"),
            engine=engine,
        )
    except CrownJewelsError as exc:
        return _refusal_page(request, session, actor, ref, exc)
    flash(request, f"{grant.ref} is {grant.status.value}.")
    return redirect(f"/access/grants/{grant.ref}")


@router.get("/secrets/{ref}")
def secret_access(
    request: Request, session: DbSession, actor: Viewer, engine: Engine, ref: str
) -> Response:
    """Who can reach a secret at each level asked (?action=), each with the reasons (for
    grants:read, or the secret's owner: the decision's own check)."""
    action = Level(request.query_params.get("action") or Level.VIEW.value)
    secret = inventory.get(session, actor=actor, secret_ref=ref)
    decisions = policy.who_can(session, actor=actor, secret=secret.id, action=action, engine=engine)
    ctx = {"secret": secret, "decisions": decisions, "action": action, "levels": list(Level)}
    return render(request, "access/secret.html", ctx)


def _check_page(
    request: Request, session: Session, actor: Actor, values: dict[str, str], **extra: Any
) -> Response:
    ctx = {"values": values, "errors": {}, "decision": None, **_choices(session, actor), **extra}
    return render(request, "access/check.html", ctx, status=422 if ctx["errors"] else 200)


@router.get("/check")
def check_form(request: Request, session: DbSession, actor: Reader) -> Response:
    """The form that asks whether a person may take an action on a secret now."""
    values = {k: request.query_params.get(k, "") for k in ("person", "secret", "action")}
    return _check_page(request, session, actor, values)


@router.post("/check")
def check(
    request: Request, session: DbSession, actor: Reader, engine: Engine, form: PostedForm
) -> Response:
    """The decision with every failed rule in plain words (a denial is recorded)."""
    values = {k: text(form, k) for k in ("person", "secret", "action", "mfa")}
    try:
        decision = policy.decide(
            session,
            actor=actor,
            person=values["person"],
            secret=values["secret"],
            action=Level(values["action"] or Level.VIEW.value),
            mfa=values["mfa"] == "on",
            engine=engine,
        )
    except (ValueError, CrownJewelsError) as exc:
        if isinstance(exc, Forbidden):
            raise
        discard(session)
        # a ValueError here is an action that is not a level: say so in words
        chosen = {"action": "Choose an action from the list"}
        errors = field_errors(exc) if isinstance(exc, CrownJewelsError) else chosen
        return _check_page(request, session, actor, values, errors=errors)
    return _check_page(request, session, actor, values, decision=decision)
