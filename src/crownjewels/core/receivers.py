"""Named receivers a higher capability installs into a lower one (from registry.py), so that
the lower one hands something over without importing the higher: an escalated alert or a
leak finding to whatever opens cases. Each receiver answers with the reference of the case it
opened or joined (IN-0004), or None to let the next one try."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor

T = TypeVar("T")


class Receivers(Generic[T]):
    """The receivers of one kind of hand-over, in the order they were registered."""

    def __init__(self) -> None:
        self._installed: list[tuple[str, Callable[[Session, Actor, T], str | None]]] = []

    def register(self, name: str, receiver: Callable[[Session, Actor, T], str | None]) -> None:
        """Install a receiver under a name (registering a name again replaces it)."""
        self.unregister(name)
        self._installed.append((name, receiver))

    def unregister(self, name: str) -> None:
        """Remove the receiver of that name, if any (tests that install their own)."""
        self._installed[:] = [(n, r) for n, r in self._installed if n != name]

    def installed(self) -> list[tuple[str, Callable[[Session, Actor, T], str | None]]]:
        """The installed receivers, in the order they were registered."""
        return list(self._installed)

    def hand_over(self, session: Session, actor: Actor, what: T) -> str | None:
        """Give `what` to each receiver in turn until one opens a case: its reference."""
        for _, receiver in self._installed:
            case = receiver(session, actor, what)
            if case:
                return case
        return None
