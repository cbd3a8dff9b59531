"""The admin's pages of alert channels: /admin/channels lists them with the recent deliveries
and adds one (a webhook's signing key is shown on that one response); /admin/channels/{name}
changes, tests, pauses or removes it and lists its deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import CrownJewelsError
from crownjewels.core.forms import (
    PostedForm,
    discard,
    error_status,
    field_errors,
    flash,
    redirect,
    render,
    text,
)
from crownjewels.core.http import AppSettings, DbSession, require
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.channels import service
from crownjewels.monitoring.channels.schemas import (
    FORMATS,
    ChannelAdded,
    ChannelCreate,
    ChannelKind,
    ChannelUpdate,
)
from crownjewels.monitoring.schemas import Severity

router = APIRouter(include_in_schema=False)
Manager = Annotated[Actor, Depends(require(P.CHANNELS_MANAGE))]
BASE = "/admin/channels"
RECENT = PageParams(limit=20)


def _choices() -> dict[str, Any]:
    return {
        "kinds": [(k.value, k.value.capitalize()) for k in ChannelKind],
        "formats": [(f.value, f"{f.value} ({k.value})") for k, fs in FORMATS.items() for f in fs],
        "severities": [(s.value, s.value.capitalize()) for s in Severity],
    }


def _list_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    added: ChannelAdded | None = None,
    status: int = 200,
) -> Response:
    channels = service.list_channels(session, actor=actor)
    recent, total = service.list_deliveries(session, actor=actor, page=RECENT)
    ctx = {
        "channels": channels,
        "deliveries": recent,
        "total": total,
        "errors": errors or {},
        "values": values or {"min_severity": "medium"},
        "added": added,
        **_choices(),
    }
    return render(request, "channels/list.html", ctx, status=status)


@router.get(BASE)
def channels(request: Request, session: DbSession, actor: Manager) -> Response:
    """The channels, the form to add one, and the recent deliveries."""
    return _list_page(request, session, actor)


@router.post(BASE)
def add(
    request: Request,
    session: DbSession,
    actor: Manager,
    settings: AppSettings,
    form: PostedForm,
) -> Response:
    """Add a channel; the page shows a webhook's signing key this once."""
    values = {
        "name": text(form, "name"),
        "kind": text(form, "kind"),
        "target": text(form, "target"),
        "format": text(form, "format") or None,
        "min_severity": text(form, "min_severity") or "medium",
        "notify_secret_owners": text(form, "notify_secret_owners") == "on",
    }
    try:
        data = ChannelCreate.model_validate(values)
        added = service.add_channel(
            session, actor=actor, data=data, sealer=service.sealer_for(settings)
        )
    except (ValidationError, CrownJewelsError) as exc:
        discard(session)
        return _list_page(
            request,
            session,
            actor,
            errors=field_errors(exc),
            values=values,
            status=error_status(exc),
        )
    return _list_page(request, session, actor, added=added, status=201)


def _detail_page(
    request: Request,
    session: Session,
    actor: Actor,
    name: str,
    *,
    errors: dict[str, str] | None = None,
    added: ChannelAdded | None = None,
    status: int = 200,
) -> Response:
    channel = service.get_channel(session, actor=actor, name=name)
    recent, total = service.list_deliveries(session, actor=actor, page=RECENT, channel=channel.name)
    ctx = {
        "channel": channel,
        "deliveries": recent,
        "total": total,
        "errors": errors or {},
        "added": added,
        "formats": [(f.value, f.value) for f in FORMATS[channel.kind]],
        "severities": _choices()["severities"],
    }
    return render(request, "channels/detail.html", ctx, status=status)


@router.get(BASE + "/{name}")
def detail(request: Request, session: DbSession, actor: Manager, name: str) -> Response:
    """One channel: its settings to change, its deliveries, test and remove."""
    return _detail_page(request, session, actor, name)


@router.post(BASE + "/{name}")
def update(
    request: Request, session: DbSession, actor: Manager, name: str, form: PostedForm
) -> Response:
    """Save a channel's settings."""
    values = {
        "target": text(form, "target"),
        "format": text(form, "format") or None,
        "min_severity": text(form, "min_severity") or None,
        "notify_secret_owners": text(form, "notify_secret_owners") == "on",
        "active": text(form, "active") == "on",
    }
    try:
        done = service.update_channel(
            session, actor=actor, name=name, data=ChannelUpdate.model_validate(values)
        )
    except (ValidationError, CrownJewelsError) as exc:
        discard(session)
        errors = field_errors(exc)
        return _detail_page(request, session, actor, name, errors=errors, status=error_status(exc))
    flash(request, f"The channel {done.name} is saved.")
    return redirect(f"{BASE}/{done.name}")


@router.post(BASE + "/{name}/test")
def test_channel(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings, name: str
) -> Response:
    """Send a made-up alert through the channel now; the outcome is flashed."""
    result = service.test_channel(
        session,
        actor=actor,
        name=name,
        sealer=service.sealer_for(settings),
        base_url=settings.base_url,
    )
    if result.ok:
        flash(request, f"Test of {result.channel}: {result.detail}.")
    else:
        flash(request, f"Test of {result.channel} failed: {result.detail}.", kind="error")
    return redirect(f"{BASE}/{result.channel}")


@router.post(BASE + "/{name}/key")
def new_key(
    request: Request, session: DbSession, actor: Manager, settings: AppSettings, name: str
) -> Response:
    """A new signing key for a webhook, shown on this response only."""
    done = service.new_signing_key(
        session, actor=actor, name=name, sealer=service.sealer_for(settings)
    )
    return _detail_page(request, session, actor, done.name, added=done)


@router.post(BASE + "/{name}/remove")
def remove(request: Request, session: DbSession, actor: Manager, name: str) -> Response:
    """Remove the channel and its deliveries."""
    gone = service.remove_channel(session, actor=actor, name=name)
    flash(request, f"The channel {gone.name} is removed.")
    return redirect(BASE)


@router.post("/admin/deliveries/{delivery_id}/retry")
def retry(request: Request, session: DbSession, actor: Manager, delivery_id: str) -> Response:
    """Make a delivery due now; it is sent right after this request commits."""
    done = service.retry_delivery(session, actor=actor, delivery_id=delivery_id)
    flash(request, f"{done.alert_ref} will be sent to {done.channel} again now.")
    return redirect(f"{BASE}/{done.channel}")
