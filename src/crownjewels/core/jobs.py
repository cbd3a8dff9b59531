"""What a scheduled job is and what it is handed: capabilities define jobs in their `jobs.py`,
`registry.JOBS` lists them, `crownjewels.worker` runs them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.settings import Settings


@dataclass(frozen=True)
class JobContext:
    """A job's view of the installation. The job is an edge: it opens its own units of work."""

    db: Database
    settings: Settings
    actor: Actor = field(default_factory=lambda: system_actor("worker"))
    #: set when the worker is asked to stop; long jobs check it between steps
    stop: threading.Event = field(default_factory=threading.Event)


@dataclass(frozen=True)
class Job:
    """A job named `<capability>.<verb_object>`, run every `interval(settings)` seconds by each
    worker (one at a time across workers). It must be idempotent: it decides from the data
    whether there is work, so several workers (or a cron `worker --once`) do no harm."""

    name: str
    run: Callable[[JobContext], str | None]
    interval: Callable[[Settings], float]
