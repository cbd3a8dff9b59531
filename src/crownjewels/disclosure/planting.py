"""Planting a trap in an issued copy. A capability above (leaks' canary tokens) registers its
planter here from registry.py; `service.issue_copy(..., plant=PlantRequest(...))` hands it the
copy once marked and before it is registered, so the registered SHA-256 and size are those of
the file handed out. The planter records its own custody event in the copy's transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid


@dataclass(frozen=True)
class PlantRequest:
    """What to plant (a kind the planter knows: docx, pdf, honey) and the public base URL
    the trap calls home to (`Settings.resolved_canary_base_url()`)."""

    kind: str
    base_url: str


@dataclass(frozen=True)
class Planting:
    """The marked copy a trap goes into, and whose copy it is."""

    kind: str
    base_url: str
    data: bytes
    media_type: str
    filename: str | None
    secret_id: str
    copy_id: str
    recipient_person_id: str
    recipient_name: str
    recipient_email: str


@dataclass(frozen=True)
class Planted:
    """The copy with the trap in it, and the trap's reference people read (CT-0004)."""

    data: bytes
    reference: str


Planter = Callable[[Session, Actor, Planting], Planted]

_PLANTERS: list[Planter] = []


def register(planter: Planter) -> None:
    """Plant with `planter` (one per installation; registering it again changes nothing)."""
    if planter not in _PLANTERS:
        _PLANTERS.append(planter)


def plant(session: Session, *, actor: Actor, planting: Planting) -> Planted:
    """Plant the trap with the registered planter, or say that none can."""
    if not _PLANTERS:
        raise Invalid(
            "this installation cannot plant canary tokens in copies; issue the copy without one",
            field="plant",
        )
    return _PLANTERS[-1](session, actor, planting)
