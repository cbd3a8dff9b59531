"""Where a leak match or a relevant watchlist item opens an investigation: a registry the
incidents capability (above leaks) registers a receiver into, from registry.py, so leaks never
imports it. Without a receiver, asking for an investigation says that none can be opened."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crownjewels.core.receivers import Receivers


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


#: the receivers (core.receivers): each opens or joins a case for it, or declines (None)
RECEIVERS: Receivers[Finding] = Receivers()
register = RECEIVERS.register
unregister = RECEIVERS.unregister
hand_over = RECEIVERS.hand_over
