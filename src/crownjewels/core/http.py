"""What every API route and page shares: the request's unit of work, the actor, permission checks.

The app (app.py) installs `app.state.db` and `app.state.authenticate`; capabilities depend only
on this module, never on the app, so the layering holds.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Annotated, Protocol, TypeVar

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Unauthenticated
from crownjewels.core.pagination import MAX_LIMIT, PageParams
from crownjewels.core.permissions import Permission
from crownjewels.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Authenticator(Protocol):
    """Finds the actor of a request (session cookie or bearer token), or None."""

    def __call__(self, session: Session, request: Request) -> Actor | None: ...


_AUDITED_READ = "__crownjewels_audited_read__"
F = TypeVar("F", bound=Callable[..., object])


def audited_read(endpoint: F) -> F:
    """Mark a GET route that records a custody event (a decrypting read): its unit of work is a
    write transaction, committed like a POST's."""
    setattr(endpoint, _AUDITED_READ, True)
    return endpoint


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: a write transaction for unsafe methods (and audited reads),
    committed after the route returns; rolled back if anything raised."""
    db: Database = request.app.state.db
    endpoint = request.scope.get("endpoint")
    write = request.method not in SAFE_METHODS or getattr(endpoint, _AUDITED_READ, False)
    with db.unit_of_work(write=write) as session:
        yield session


#: scope="function": the unit of work commits when the route returns, BEFORE the response is
#: sent. With FastAPI's default ("request") the commit would run after the response, and a
#: browser following a POST's redirect could read the page before the write is visible.
DbSession = Annotated[Session, Depends(get_session, scope="function")]


def optional_actor(request: Request, session: DbSession) -> Actor | None:
    """The actor if the request is authenticated."""
    authenticate: Authenticator = request.app.state.authenticate
    actor = authenticate(session, request)
    request.state.actor = actor
    return actor


def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The authenticated actor, or 401."""
    if actor is None:
        raise Unauthenticated("log in, or send an API token as `Authorization: Bearer <token>`")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require(*permissions: Permission) -> Callable[[Actor], Actor]:
    """A dependency that lets the request through only if the actor holds any of the permissions."""

    def check(actor: CurrentActor) -> Actor:
        if not any(actor.can(p) for p in permissions):
            names = " or ".join(p.value for p in permissions)
            raise Forbidden(
                f"this needs the {names} permission; ask an admin for a role that has it"
            )
        return actor

    check.__name__ = "require_" + "_or_".join(p.name.lower() for p in permissions)
    return check


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="rows to skip")] = 0,
) -> PageParams:
    """Pagination query parameters (`limit` 1-500, `offset` >= 0)."""
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


def get_settings(request: Request) -> Settings:
    """The installation's settings (built once at start-up)."""
    settings: Settings = request.app.state.settings
    return settings


AppSettings = Annotated[Settings, Depends(get_settings)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use); forms carry it as `csrf_token`."""
    token: str | None = request.session.get("csrf")
    if token is None:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def csrf_protect(request: Request) -> None:
    """Refuse an unsafe request that rides on the session cookie without the session's CSRF token
    (header X-CSRF-Token, or form field csrf_token). Bearer-token requests need none."""
    if request.method in SAFE_METHODS or request.headers.get(
        "authorization", ""
    ).lower().startswith("bearer "):
        return
    if "session" not in request.scope or not request.session.get("uid"):
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = str((await request.form()).get("csrf_token") or "")
    if not sent or not secrets.compare_digest(sent, request.session.get("csrf", "")):
        raise Forbidden(
            "the form expired or came from another site; reload the page and submit it again"
        )
