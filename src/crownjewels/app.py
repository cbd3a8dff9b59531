"""create_app(settings): the one place that wires the API, pages, middleware and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from crownjewels import __version__, routes, worker
from crownjewels.core import openapi
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Busy, CrownJewelsError, NotInitialised, Unauthenticated
from crownjewels.core.http import csrf_protect, refuse_unstorable_text
from crownjewels.core.migrate import ensure_current
from crownjewels.core.needs import BY_THE_RULES, missing
from crownjewels.core.templating import make_templates
from crownjewels.core.wording import for_pages, plain_message
from crownjewels.custody import labels as custody_labels
from crownjewels.leaks.index import prompt as leaks_prompt
from crownjewels.monitoring.channels import sender as alert_sender
from crownjewels.parties import accounts, sessions, tokens
from crownjewels.parties.notifications import sender as mail_sender
from crownjewels.settings import Settings
from crownjewels.web import auth as web_auth
from crownjewels.web import bodies, headers
from crownjewels.web import pages as web_pages

PROBLEM = "application/problem+json"
API_PREFIX = "/api/v1"
#: routes anyone may call without logging in; every other route declares a permission
PUBLIC_PATHS = frozenset(
    {
        f"{API_PREFIX}/health",
        f"{API_PREFIX}/openapi.json",
        f"{API_PREFIX}/docs",
        "/login",
        "/login/mfa",
        "/login/enrol",
        "/logout",
        "/static",
        "/favicon.ico",
        # canary tokens call home here (leaks/canary/callback.py): the same answer for any token
        "/c",
        # the report channel: anyone reports, and follows up with a code (incidents/reports)
        "/report",
    }
)


def authenticate(session: Session, request: Request) -> Actor | None:
    """A bearer token, else the session cookie of a fully logged-in user (MFA done if required)."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return tokens.actor_for_token(session, token=header[7:])
    if "session" not in request.scope:
        return None
    uid, sid = request.session.get("uid"), request.session.get("sid")
    if not uid:
        return None
    try:
        if not sid:  # a cookie from before sessions were kept on the server
            raise sessions.SessionEnded("your session ended; log in again")
        user_id, mfa = sessions.session_user(session, session_id=str(sid))
        if user_id != uid:
            raise sessions.SessionEnded("your session ended; log in again")
        return accounts.actor_for_user(session, user_id=user_id, mfa=mfa)
    except Unauthenticated as exc:
        request.session.clear()
        request.session[web_auth.ENDED] = exc.message  # the login page says why, in words
        return None


def _problem(
    request: Request,
    status: int,
    title: str,
    detail: str,
    *,
    needs: tuple[str, ...] = (),
    by_rules: bool = False,
    **extra: Any,
) -> Response:
    if not request.url.path.startswith(API_PREFIX) and status == 401:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    if not request.url.path.startswith(API_PREFIX):
        templates: Jinja2Templates = request.app.state.templates
        # a refusal for a missing permission says, in words, who has it and what to do
        said = missing(needs) or (BY_THE_RULES if by_rules else None)
        words = {"missing": said} if status == 403 else {}
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "title": title, "detail": for_pages(detail), **words},
            status_code=status,
        )
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CrownJewelsError)
    async def domain_error(request: Request, exc: CrownJewelsError) -> Response:
        extra: dict[str, Any] = {"field": exc.field} if exc.field else {}
        reasons = getattr(exc, "reasons", None)  # an access denial names every failed rule
        if reasons:
            extra["reasons"] = list(reasons)
        needs: tuple[str, ...] = getattr(exc, "needs", ())
        response = _problem(
            request,
            exc.status_code,
            exc.title,
            exc.message,
            needs=needs,
            by_rules=bool(reasons),
            **extra,
        )
        if isinstance(exc, Busy):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": plain_message(e),
            }
            for e in exc.errors()
        ]
        detail = "; ".join(
            f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
        )
        return _problem(request, 422, "Invalid input", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = str(exc.detail) if exc.status_code != 404 else f"nothing at {request.url.path}"
        if exc.status_code == 404 and not request.url.path.startswith(API_PREFIX):
            # no route ran, so nobody looked at who is asking: the page offers them a way on
            await run_in_threadpool(_who_is_asking, request)
        return _problem(request, exc.status_code, "Error", detail)


def _who_is_asking(request: Request) -> None:
    if getattr(request.state, "actor", None) is not None:
        return
    try:
        database: Database = request.app.state.db
        with database.unit_of_work(write=False) as session:
            request.state.actor = authenticate(session, request)
    except CrownJewelsError:
        request.state.actor = None  # no database yet: the page still says what happened


def _jobs_lifespan(database: Database, settings: Settings) -> Any:
    """Run the scheduled jobs in a thread from startup to shutdown."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        jobs = worker.BackgroundWorker(database, settings)
        jobs.start()
        try:
            yield
        finally:
            jobs.stop()

    return lifespan


def create_app(
    settings: Settings,
    *,
    db: Database | None = None,
    check_schema: bool = True,
    run_jobs: bool | None = None,
) -> FastAPI:
    """The ASGI application for one installation. With `run_jobs` the scheduled jobs run in a
    thread while the app is up; by default only when the app opens its own database and
    `settings.run_jobs_in_process` allows it (a caller that hands in `db`, such as a test,
    decides for itself; `serve` passes the setting)."""
    database = db or Database(settings.resolved_database_url())
    if check_schema:
        ensure_current(database.engine, database.url)
    if run_jobs is None:
        run_jobs = db is None and settings.resolved_run_jobs_in_process(database.url)
    app = FastAPI(
        lifespan=_jobs_lifespan(database, settings) if run_jobs else None,
        title="Crown Jewels",
        version=__version__,
        description="Trade-secret register, custody log and vendor sharing controls.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served below from our own copy of Swagger UI (no CDN)
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = database
    # mail a request queued goes out once its unit of work committed (the outbox job retries)
    mail_sender.install(database, settings, in_thread=True)
    # and so do the alert deliveries (webhooks, syslog) a request queued
    alert_sender.install(database, settings, in_thread=True)
    # a secret's document version stored by a request is fingerprinted once it committed
    leaks_prompt.install(database, settings)
    app.state.authenticate = authenticate
    app.state.actor_labels = custody_labels.refs
    app.state.templates = make_templates(routes.TEMPLATE_PACKAGES)

    api = APIRouter(prefix=API_PREFIX)

    @api.get("/docs", include_in_schema=False)
    def api_docs(request: Request) -> Response:
        """The browsable API: Swagger UI from web/static, started by a static script."""
        page: Response = app.state.templates.TemplateResponse(
            request,
            "api_docs.html",
            {"title": f"{app.title} - API", "openapi_url": app.openapi_url},
        )
        return page

    @api.get("/health", tags=["meta"], summary="Liveness and schema check")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    guards = [Depends(refuse_unstorable_text), Depends(csrf_protect)]
    for router in routes.API_ROUTERS:
        api.include_router(router, dependencies=guards)
    app.include_router(api)
    app.include_router(web_pages.router, dependencies=guards[:1])
    for router in routes.PAGE_ROUTERS:
        app.include_router(router, dependencies=guards)
    for router in routes.PUBLIC_ROUTERS:
        app.include_router(router)
    static = Path(__file__).parent / "web" / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")
    app.add_middleware(bodies.BodyLimit, api_prefix=API_PREFIX)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie=web_auth.SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure or settings.tls,
    )
    app.add_middleware(headers.SecurityHeaders, tls=settings.tls)
    _install_error_handlers(app)
    openapi.install(app, public_paths=PUBLIC_PATHS)
    return app


__all__ = ["PUBLIC_PATHS", "NotInitialised", "create_app"]
