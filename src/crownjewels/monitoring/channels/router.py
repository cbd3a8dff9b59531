"""JSON API of alert channels under /api/v1/monitoring: channels and their deliveries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import AppSettings, DbSession, Paging, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.monitoring.channels import service
from crownjewels.monitoring.channels.schemas import (
    ChannelAdded,
    ChannelCreate,
    ChannelRead,
    ChannelTestResult,
    ChannelUpdate,
    DeliveryRead,
)

router = APIRouter(prefix="/monitoring", tags=["monitoring"])
Manager = Annotated[Actor, Depends(require(P.CHANNELS_MANAGE))]
Name = Annotated[str, Path(max_length=100, description="the channel's name")]


@router.get("/channels", response_model=list[ChannelRead], summary="List alert channels")
def list_channels(session: DbSession, actor: Manager) -> list[ChannelRead]:
    """Every channel with its deliveries waiting and given up."""
    return service.list_channels(session, actor=actor)


@router.post(
    "/channels",
    response_model=ChannelAdded,
    status_code=status.HTTP_201_CREATED,
    summary="Add an alert channel",
)
def add_channel(
    session: DbSession, actor: Manager, settings: AppSettings, body: ChannelCreate
) -> ChannelAdded:
    """A new channel; a webhook's signing key is in this response only."""
    return service.add_channel(session, actor=actor, data=body, sealer=service.sealer_for(settings))


@router.get("/channels/{name}", response_model=ChannelRead, summary="Show an alert channel")
def get_channel(session: DbSession, actor: Manager, name: Name) -> ChannelRead:
    """One channel by name."""
    return service.get_channel(session, actor=actor, name=name)


@router.patch("/channels/{name}", response_model=ChannelRead, summary="Change an alert channel")
def update_channel(
    session: DbSession, actor: Manager, name: Name, body: ChannelUpdate
) -> ChannelRead:
    """Change a channel's target, format, minimum severity, owners' mail or whether it is on."""
    return service.update_channel(session, actor=actor, name=name, data=body)


@router.post(
    "/channels/{name}/key",
    response_model=ChannelAdded,
    summary="Give a webhook a new signing key",
)
def new_signing_key(
    session: DbSession, actor: Manager, settings: AppSettings, name: Name
) -> ChannelAdded:
    """A new signing key for the webhook, in this response only; the old one stops working."""
    return service.new_signing_key(
        session, actor=actor, name=name, sealer=service.sealer_for(settings)
    )


@router.delete("/channels/{name}", response_model=ChannelRead, summary="Remove an alert channel")
def remove_channel(session: DbSession, actor: Manager, name: Name) -> ChannelRead:
    """Remove a channel and its deliveries."""
    return service.remove_channel(session, actor=actor, name=name)


@router.post(
    "/channels/{name}/test", response_model=ChannelTestResult, summary="Test an alert channel"
)
def test_channel(
    session: DbSession, actor: Manager, settings: AppSettings, name: Name
) -> ChannelTestResult:
    """Send a made-up alert through the channel now and say whether it got through."""
    return service.test_channel(
        session,
        actor=actor,
        name=name,
        sealer=service.sealer_for(settings),
        base_url=settings.base_url,
    )


@router.get("/deliveries", response_model=Page[DeliveryRead], summary="List alert deliveries")
def list_deliveries(
    session: DbSession,
    actor: Manager,
    paging: Paging,
    unsent: bool = False,
    channel: str | None = Query(default=None, max_length=100),
) -> Page[DeliveryRead]:
    """Webhook and syslog deliveries, newest first, with their attempts and last error."""
    items, total = service.list_deliveries(
        session, actor=actor, page=paging, unsent_only=unsent, channel=channel
    )
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "/deliveries/{delivery_id}/retry",
    response_model=DeliveryRead,
    summary="Retry an alert delivery now",
)
def retry_delivery(
    session: DbSession,
    actor: Manager,
    delivery_id: Annotated[str, Path(max_length=26)],
) -> DeliveryRead:
    """Make an unsent delivery due now; it is sent right after this request commits."""
    return service.retry_delivery(session, actor=actor, delivery_id=delivery_id)
