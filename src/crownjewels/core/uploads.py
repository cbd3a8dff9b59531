"""Uploads that are the raw request body, read as it arrives (never buffered whole), and the
two-phase upload every capability that files a document uses: check, then stream, then write.

The checks run in the request's unit of work; its transaction then ends (on SQLite, its write
lock) before a byte of the body is read, so however long the upload takes no lock is held; the
rows are written afterwards in a unit of work of their own, committed before the response.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TypeVar

import anyio.from_thread
from fastapi import Request
from sqlalchemy.orm import Session

from crownjewels.core.db import Database

S = TypeVar("S")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., object])

_BODY_LIMIT = "__crownjewels_body_limit__"
#: the limit of a route that streams a document into the vault: the vault's own largest
#: document (`vault_max_upload_bytes`) plus this much for the framing of a multipart form
FORM_FRAMING = 1 << 20


def body_limit(max_bytes: int | None = None) -> Callable[[F], F]:
    """Mark a route that accepts a request body larger than the installation's
    `max_request_bytes`: up to `max_bytes`, or (None) a document streamed into the vault, up
    to `vault_max_upload_bytes` plus the form's framing. The edge (web/bodies.py) enforces it."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, _BODY_LIMIT, max_bytes if max_bytes is not None else -1)
        return endpoint

    return mark


def marked_body_limit(endpoint: object, *, vault_max_upload_bytes: int) -> int | None:
    """The body limit a route was marked with (`body_limit`), or None when it has none."""
    marked = getattr(endpoint, _BODY_LIMIT, None)
    if marked is None:
        return None
    return vault_max_upload_bytes + FORM_FRAMING if marked < 0 else int(marked)


class RequestBody:
    """The request body as a blocking reader for a service, pulled chunk by chunk from the ASGI
    receive channel (sync routes run in a worker thread; the loop serves each chunk)."""

    def __init__(self, request: Request) -> None:
        self._chunks: AsyncIterator[bytes] = request.stream().__aiter__()
        self._buffer = bytearray()
        self._done = False

    async def _next(self) -> bytes | None:
        try:
            return await self._chunks.__anext__()
        except StopAsyncIteration:
            return None

    def read(self, size: int = -1, /) -> bytes:
        """Up to `size` bytes (all that is left when negative); b"" once the body is over."""
        while not self._done and (size < 0 or len(self._buffer) < size):
            chunk = anyio.from_thread.run(self._next)
            if chunk is None:
                self._done = True
            else:
                self._buffer += chunk
        cut = len(self._buffer) if size < 0 else min(size, len(self._buffer))
        data = bytes(self._buffer[:cut])
        del self._buffer[:cut]
        return data


def staged_upload(
    request: Request,
    session: Session,
    *,
    stage: Callable[[RequestBody], S],
    write: Callable[[Session, S], R],
) -> R:
    """The second and third phases of an upload whose checks already ran in `session`: end
    that transaction, `stage` the body as it streams in (e.g. encrypt it into a blob), then
    `write` the rows for what was staged in a unit of work of its own."""
    session.rollback()
    staged = stage(RequestBody(request))
    db: Database = request.app.state.db
    with db.unit_of_work() as writing:
        return write(writing, staged)
