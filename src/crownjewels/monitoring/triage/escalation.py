"""Where an escalated alert goes: a registry the incidents capability (above monitoring)
registers a receiver into, from registry.py, so monitoring never imports it.

A receiver gets the alert and the analyst's note in the caller's transaction and returns the
reference of the case it opened or joined (IN-0004), or None when it declines. Without a
receiver, escalating only marks the alert escalated and says so."""

from __future__ import annotations

from dataclasses import dataclass

from crownjewels.core.receivers import Receivers
from crownjewels.monitoring.triage.schemas import AlertRead


@dataclass(frozen=True)
class Escalation:
    """What a receiver is given: the alert as triage read it and why it is escalated."""

    alert: AlertRead
    note: str


#: the receivers (core.receivers): each opens or joins a case for it, or declines (None)
RECEIVERS: Receivers[Escalation] = Receivers()
register = RECEIVERS.register
unregister = RECEIVERS.unregister
hand_over = RECEIVERS.hand_over
