"""The public callback /c/<token> (and /c/<token>.png or .gif): no login, and the same answer
for every name, known, unknown or retired — a transparent 1x1 image or an empty page, sent at
once. What it saw is recorded after the answer left (a background task in its own unit of
work), so neither the bytes nor the time to answer tell a live token from any other.

A per-process limit per token and address skips even the lookup of a flood; the service keeps
at most its own quota per window whatever the number of processes."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.background import BackgroundTask

from crownjewels.core.clients import client_address
from crownjewels.core.db import Database
from crownjewels.leaks.canary import artefacts, service
from crownjewels.settings import Settings

router = APIRouter(include_in_schema=False)
PATH = "/c"
log = logging.getLogger(__name__)


class Limiter:
    """Lets `limit` calls per key through in each `window_seconds` (a bounded memory: past
    `max_keys` the oldest key is forgotten)."""

    def __init__(self, *, limit: int, window_seconds: float, max_keys: int = 10_000) -> None:
        self.limit, self.window, self.max_keys = limit, window_seconds, max_keys
        self._seen: OrderedDict[str, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count a call of `key`; False once it used up the window's calls."""
        now = time.monotonic()
        with self._lock:
            start, count = self._seen.pop(key, (now, 0))
            if now - start >= self.window:
                start, count = now, 0
            self._seen[key] = (start, count + 1)
            while len(self._seen) > self.max_keys:
                self._seen.popitem(last=False)
            return count < self.limit


LIMITER = Limiter(limit=service.HITS_PER_ADDRESS, window_seconds=service.WINDOW.total_seconds())


def _record(
    db: Database, token: str, ip: str, user_agent: str | None, referrer: str | None
) -> None:
    try:
        with db.unit_of_work() as session:
            service.record_callback(
                session, token=token, ip=ip, user_agent=user_agent, referrer=referrer
            )
    except Exception:  # the answer is gone; a failure to record must not reach the caller
        log.exception("a canary hit could not be recorded")


@router.get(PATH + "/{name:path}")
def callback(request: Request, name: str) -> Response:
    """The same transparent image or empty page whatever the token; the hit is recorded after."""
    data, media_type = artefacts.answer(name)
    settings: Settings = request.app.state.settings
    peer = request.client.host if request.client else "unknown"
    ip = client_address(peer, request.headers.get("x-forwarded-for"), settings.trusted_proxies)
    token = artefacts.token_of(name)
    task = None
    if LIMITER.allow(f"{token}|{ip}"):
        task = BackgroundTask(
            _record,
            request.app.state.db,
            token,
            ip,
            request.headers.get("user-agent"),
            request.headers.get("referer"),
        )
    return Response(data, media_type=media_type, background=task)
