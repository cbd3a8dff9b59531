"""Panels that one capability's page shows about another capability it may not import: the
agreements signed with a vendor on the vendor's page. The capability that owns the data
provides the panel (a template and its context); the web wiring (`routes.py`) plugs it into the
page's named slot; the page renders whatever its slot holds. Capabilities on one layer stay
independent, and each panel is scoped by its own service."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor


@dataclass(frozen=True)
class Panel:
    """A template of the providing capability and the context it renders with."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


#: given the session, the actor and what the page is about, a panel, or None to show nothing
Provider = Callable[[Session, Actor, Mapping[str, Any]], Panel | None]

_SLOTS: dict[str, list[Provider]] = {}


def register(slot: str, provider: Provider) -> None:
    """Show `provider`'s panel in the pages' `slot` (once, however often it is registered)."""
    providers = _SLOTS.setdefault(slot, [])
    if provider not in providers:
        providers.append(provider)


def panels(slot: str, session: Session, *, actor: Actor, subject: Mapping[str, Any]) -> list[Panel]:
    """The panels of `slot` for this actor and subject, in the order they were registered."""
    found = (provider(session, actor, subject) for provider in _SLOTS.get(slot, []))
    return [panel for panel in found if panel is not None]
