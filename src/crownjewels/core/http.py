"""What every API route and page shares: the request's unit of work, the actor, permission checks.

The app (app.py) installs `app.state.db` and `app.state.authenticate`; capabilities depend only
on this module, never on the app, so the layering holds.
"""

from __future__ import annotations

import re
import secrets
import threading
import unicodedata
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AbstractContextManager
from typing import Annotated, Any, Protocol, TypeVar
from urllib.parse import quote

from annotated_types import Ge, Le
from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Invalid, Unauthenticated
from crownjewels.core.pagination import MAX_LIMIT, MAX_OFFSET, PageParams
from crownjewels.core.permissions import Permission
from crownjewels.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: the signed 64-bit range of an integer column (SQLite and PostgreSQL alike)
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
#: an integer a route takes (in its path, its query or a body): beyond the signed 64-bit range
#: no database column holds it, so it is refused as invalid input instead of failing in the driver
Int64 = Annotated[int, Ge(INT64_MIN), Le(INT64_MAX)]
#: a sequence number, a size, a version, a count: 0 up to the same bound
Natural = Annotated[int, Ge(0), Le(INT64_MAX)]
#: a path segment or query value longer than this is refused, unless its route declares a tighter
#: bound (core/openapi.py states it in the OpenAPI document)
MAX_PARAMETER_CHARS = 1000
#: a NUL character as JSON writes it (`\u0000` not preceded by another backslash)
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
#: what the quoted ASCII `filename` of a download may not hold: controls, quotes, backslashes
_UNSAFE_IN_QUOTES = re.compile(r'[^\x20-\x7e]|["\\]')


class Authenticator(Protocol):
    """Finds the actor of a request (session cookie or bearer token), or None."""

    def __call__(self, session: Session, request: Request) -> Actor | None: ...


_AUDITED_READ = "__crownjewels_audited_read__"
F = TypeVar("F", bound=Callable[..., object])


_per_app_lock = threading.Lock()
T = TypeVar("T")


def per_app(request: Request, name: str, make: Callable[[], T]) -> T:
    """The app's object `name`, kept in its state between requests (a throttle, the scoring
    queue's view): one per app, made by `make` on first use."""
    with _per_app_lock:
        found: T | None = getattr(request.app.state, name, None)
        if found is None:
            found = make()
            setattr(request.app.state, name, found)
    return found


def audited_read(endpoint: F) -> F:
    """Mark a GET route that records a custody event (a decrypting read): its unit of work is a
    write transaction, committed like a POST's."""
    setattr(endpoint, _AUDITED_READ, True)
    return endpoint


_OWN_WRITES = "__crownjewels_own_writes__"


def writes_own_unit(endpoint: F) -> F:
    """Mark an unsafe route that reads at length (a scan reading a repository) and then writes
    in a short unit of work of its own (`write_unit(request, session)`): its request unit of work is
    read-only, so the embedded SQLite's single write lock is not held while it reads."""
    setattr(endpoint, _OWN_WRITES, True)
    return endpoint


def write_unit(request: Request, session: Session) -> AbstractContextManager[Session]:
    """A write unit of work of its own, for a route marked `writes_own_unit`: the request's
    read-only transaction (`session`) is ended first, so that its snapshot is not held while
    the write runs and what the write commits is what the request reads afterwards."""
    session.rollback()
    db: Database = request.app.state.db
    return db.unit_of_work()


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: a write transaction for unsafe methods (and audited reads),
    committed after the route returns; rolled back if anything raised. A route that writes in
    its own unit (`writes_own_unit`) gets a read-only one."""
    db: Database = request.app.state.db
    endpoint = request.scope.get("endpoint")
    unsafe = request.method not in SAFE_METHODS and not getattr(endpoint, _OWN_WRITES, False)
    write = unsafe or getattr(endpoint, _AUDITED_READ, False)
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


async def current_actor(actor: Annotated[Actor | None, Depends(optional_actor)]) -> Actor:
    """The authenticated actor, or 401. Async: it only looks at what `optional_actor` found, so
    FastAPI runs it on the event loop instead of handing it to a worker thread."""
    if actor is None:
        raise Unauthenticated("log in, or send an API token as `Authorization: Bearer <token>`")
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require(*permissions: Permission) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that lets the request through only if the actor holds any of the permissions."""

    async def check(actor: CurrentActor) -> Actor:  # no I/O: on the event loop, no thread
        if not any(actor.can(p) for p in permissions):
            names = " or ".join(p.value for p in permissions)
            raise Forbidden(
                f"this needs the {names} permission; ask an admin for a role that has it",
                needs=tuple(p.value for p in permissions),
            )
        return actor

    check.__name__ = "require_" + "_or_".join(p.name.lower() for p in permissions)
    # readable by tools that reason over the routes (`needed_permissions`)
    setattr(check, _NEEDS, permissions)
    return check


_NEEDS = "__crownjewels_permissions__"


def needed_permissions(dependency: Callable[..., Any]) -> tuple[Permission, ...] | None:
    """The permissions a `require(...)` dependency lets through (any one of them), or None for
    any other dependency."""
    return getattr(dependency, _NEEDS, None)


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
) -> PageParams:
    """Pagination query parameters (`limit` 1-500, `offset` 0 to a billion). The dependencies
    that do no I/O are async: FastAPI runs them on the event loop, not in a worker thread."""
    return PageParams(limit=limit, offset=offset)


Paging = Annotated[PageParams, Depends(page_params)]


async def get_settings(request: Request) -> Settings:
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


def _check_text(where: str, name: str, value: str) -> None:
    if "\x00" in value:
        raise Invalid(
            f"the {where} {name} holds a NUL character (\\x00), which no text can store; "
            "remove it and send the request again",
            field=name,
        )
    if len(value) > MAX_PARAMETER_CHARS:
        raise Invalid(
            f"the {where} {name} is {len(value):,} characters long; send at most "
            f"{MAX_PARAMETER_CHARS:,}",
            field=name,
        )


async def refuse_unstorable_text(request: Request) -> None:
    """Refuse, as invalid input, text that the database cannot store or that no field needs: a
    NUL character in a path segment, a query value, a JSON body or a form field (PostgreSQL
    refuses it in text), and a path segment or query value past MAX_PARAMETER_CHARS."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            _check_text("path segment", name, value)
    for name, value in request.query_params.multi_items():
        _check_text("query parameter", name, value)
    if request.method in SAFE_METHODS:
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json") and _JSON_NUL.search(await request.body()):
        raise Invalid(
            "the request body holds a NUL character (\\u0000), which no text can store; "
            "remove it and send the request again"
        )
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        for name, value in (await request.form()).multi_items():
            if isinstance(value, str) and "\x00" in value:
                _check_text("form field", name, value)


def attachment(filename: str) -> str:
    """The Content-Disposition of every download, whatever the file name's characters (RFC 6266):
    an ASCII `filename` for old clients (accents dropped, anything unsafe in quotes made `_`)
    and the exact name, UTF-8 percent-encoded, as `filename*` (RFC 8187) for the rest."""
    name = filename.strip() or "download"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = _UNSAFE_IN_QUOTES.sub("_", ascii_name).strip() or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
