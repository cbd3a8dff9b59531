"""Where an escalated alert goes: a registry the incidents capability (above monitoring)
registers a receiver into, from registry.py, so monitoring never imports it.

A receiver gets the alert and the analyst's note in the caller's transaction and returns the
reference of the case it opened or joined (IN-0004), or None when it declines. Without a
receiver, escalating only marks the alert escalated and says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.monitoring.triage.schemas import AlertRead


@dataclass(frozen=True)
class Escalation:
    """What a receiver is given: the alert as triage read it and why it is escalated."""

    alert: AlertRead
    note: str


#: opens or joins a case for the alert; its reference, or None to let the next one try
Receiver = Callable[[Session, Actor, Escalation], str | None]

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


def hand_over(session: Session, actor: Actor, escalation: Escalation) -> str | None:
    """Give the alert to each receiver in turn until one opens a case: its reference."""
    for _, receiver in _RECEIVERS:
        case = receiver(session, actor, escalation)
        if case:
            return case
    return None
