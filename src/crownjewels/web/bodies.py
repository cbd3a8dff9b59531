"""Every request body is bounded at the edge: past its route's limit the request gets a 413
(problem+json for the API, a page for a person). A declared Content-Length is judged before a
byte is read; a chunked body is counted as it streams, and cut off (the route sees the client
go away) the moment it passes the limit. Bodies are read only once the request is routed, so
the route's own limit is known by then; a route that refuses first (401, 403) reads nothing.

The limit is the installation's `max_request_bytes`, except for the routes marked with
`core.uploads.body_limit`: the ones that stream a document into the vault (up to
`vault_max_upload_bytes`) and identify (a found file of up to 256 MiB). Both settings are read
from the app's settings on each request.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from crownjewels.core.uploads import marked_body_limit
from crownjewels.settings import Settings

PROBLEM = "application/problem+json"


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB" if size >= 1 << 20 else f"{size:,} bytes"


class BodyLimit:
    """ASGI middleware refusing request bodies past their route's limit with a 413."""

    def __init__(self, app: ASGIApp, *, api_prefix: str) -> None:
        self.app = app
        self.api_prefix = api_prefix

    @staticmethod
    def limit(scope: Scope) -> int:
        """The body limit of the route this request was routed to, under the app's current
        settings (the route is known by the time it reads its body)."""
        settings: Settings = scope["app"].state.settings
        marked = marked_body_limit(
            scope.get("endpoint"), vault_max_upload_bytes=settings.vault_max_upload_bytes
        )
        return settings.max_request_bytes if marked is None else marked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the body as the route reads it; judge a declared length before the first
        byte is read."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        received, refused, started = 0, False, False

        async def refuse(limit: int) -> Message:
            nonlocal refused
            refused = True
            if not started:
                await self._refuse(scope, send, limit)
            return {"type": "http.disconnect"}  # the route stops reading

        async def counted() -> Message:
            nonlocal received
            if refused:
                return {"type": "http.disconnect"}
            limit = self.limit(scope)
            if declared.isdigit() and int(declared) > limit:
                return await refuse(limit)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    return await refuse(limit)
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is the response; whatever the route says after is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not refused:
                raise  # an error of the route's own; the disconnect we caused is not one

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        if scope["path"].startswith(self.api_prefix):
            detail = (
                f"the request body is larger than the {_mib(limit)} this address accepts; "
                "send a smaller one"
            )
            problem = {"type": "about:blank", "title": "Request too large", "status": 413}
            body = json.dumps({**problem, "detail": detail}).encode()
            media_type = PROBLEM
        else:
            body = (
                "<!doctype html><html lang=en><meta charset=utf-8><title>Too large</title>"
                f"<h1>The file is too large</h1><p>This form accepts up to {_mib(limit)}: go "
                "back and choose a smaller file.</p></html>"
            ).encode()
            media_type = "text/html; charset=utf-8"
        headers = [
            (b"content-type", media_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
