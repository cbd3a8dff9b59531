"""What other parts of monitoring plug into scoring, registered once by `registry.py`:
who is told of an alert (the channels' `dispatch`), and who is under heightened watch (the
departure watch's `watched_people`). Scoring runs without any: no one is told, no one is
heightened."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session

from crownjewels.monitoring.models import Alert


class Dispatch(Protocol):
    """Tell people of a new alert (`new`) or of one that grew, in the alert's transaction
    (deliveries are queued there and sent after the commit)."""

    def __call__(self, session: Session, *, alert: Alert, new: bool) -> object: ...


#: the people under heightened thresholds (person ids)
Heightened = Callable[[Session], set[str]]

_dispatchers: list[Dispatch] = []
_heightened: list[Heightened] = []


def register_dispatch(dispatch: Dispatch) -> None:
    """Have `dispatch` called for every alert raised or grown (once per function)."""
    if dispatch not in _dispatchers:
        _dispatchers.append(dispatch)


def register_heightened(source: Heightened) -> None:
    """Have `source` name people whose activity is judged with heightened thresholds."""
    if source not in _heightened:
        _heightened.append(source)


def unregister(hook: object) -> None:
    """Remove a hook (tests register their own and take them away again)."""
    for hooks in (_dispatchers, _heightened):
        while hook in hooks:
            hooks.remove(hook)  # type: ignore[arg-type]


def dispatch(session: Session, *, alert: Alert, new: bool) -> None:
    """Call every registered dispatcher for the alert."""
    for hook in _dispatchers:
        hook(session, alert=alert, new=new)


def heightened(session: Session) -> set[str]:
    """The person ids every registered source names as under heightened watch."""
    out: set[str] = set()
    for source in _heightened:
        out |= source(session)
    return out
