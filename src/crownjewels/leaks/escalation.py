"""Where a leak match or a relevant watchlist item opens an investigation: a registry the
incidents capability (above leaks) registers a receiver into, from registry.py, so leaks never
imports it. Without a receiver, asking for an investigation says that none can be opened."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor


@dataclass(frozen=True)
class Finding:
    """What a receiver is given: the kind (leak-match, canary, watchlist), its reference
    (LM-0003, CT-0002, WR-0007), the secrets concerned, a summary and why it is escalated."""

    kind: str
    reference: str
    secret_ids: list[str]
    summary: str
    note: str
    details: dict[str, Any] = field(default_factory=dict)


#: opens or joins a case for the finding; its reference (IN-0004), or None to decline
Receiver = Callable[[Session, Actor, Finding], str | None]

_RECEIVERS: list[tuple[str, Receiver]] = []


def register(name: str, receiver: Receiver) -> None:
    """Install a receiver under a name (registering a name again replaces it)."""
    unregister(name)
    _RECEIVERS.append((name, receiver))


def unregister(name: str) -> None:
    """Remove the receiver of that name, if any (tests that install their own)."""
    _RECEIVERS[:] = [(n, r) for n, r in _RECEIVERS if n != name]


def receivers() -> list[tuple[str, Receiver]]:
    """The installed receivers, in the order they were registered."""
    return list(_RECEIVERS)


def hand_over(session: Session, actor: Actor, finding: Finding) -> str | None:
    """Give the finding to each receiver in turn until one opens a case: its reference."""
    for _, receiver in _RECEIVERS:
        case = receiver(session, actor, finding)
        if case:
            return case
    return None
