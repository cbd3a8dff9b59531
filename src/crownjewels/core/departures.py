"""Notices of departure: when HR records that a person gave notice (parties), the capabilities
above react in the same transaction (monitoring opens a departure watch) without parties
importing them. The reacting capability registers its listener (`registry.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor


@dataclass(frozen=True)
class NoticeGiven:
    """A person's notice date and last day, as HR recorded them."""

    person_id: str
    notice_on: date
    last_day: date


#: called in the transaction that recorded the notice, with the actor who recorded it
Listener = Callable[[Session, Actor, NoticeGiven], None]

_LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    """Call `listener` on every notice recorded (once, however often it is registered)."""
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def notice_given(session: Session, *, actor: Actor, notice: NoticeGiven) -> None:
    """Tell every listener of a notice, in the caller's transaction (a listener's failure
    rolls the notice back with it: a notice is never recorded without its watch)."""
    for listener in _LISTENERS:
        listener(session, actor, notice)
