"""Errors of alert channels."""

from __future__ import annotations

from crownjewels.core.errors import NotFound


class ChannelNotFound(NotFound):
    """No alert channel by that name."""


class DeliveryNotFound(NotFound):
    """No delivery with that id."""
