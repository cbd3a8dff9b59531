"""What every server-rendered page shares: the posted form, field errors shown next to their
inputs, flash messages, rendering, discarding the work of a refused form, and the names of the
actors in custody tables.

Capabilities' pages.py depend on this module (and on core.http), never on the web package,
so the layering holds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Annotated, Any, Literal, Protocol, overload

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from crownjewels.core.errors import CrownJewelsError, Forbidden, Invalid
from crownjewels.core.wording import for_pages, plain_message

_FLASH = "flash"


async def read_form(request: Request) -> FormData:
    """The posted form (url-encoded or multipart); parsed once and cached on the request."""
    return await request.form()


#: a sync page takes the parsed form through this dependency (the form is read asynchronously)
PostedForm = Annotated[FormData, Depends(read_form)]


def text(form: FormData, name: str) -> str:
    """A text field, stripped; "" when absent or a file."""
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    """A text field, stripped; None when absent or blank."""
    return text(form, name) or None


def field_errors(exc: ValidationError | CrownJewelsError, *, fallback: str = "") -> dict[str, str]:
    """Messages keyed by the dotted name of the field they belong to ("" for the whole form)."""
    if isinstance(exc, CrownJewelsError):
        return {exc.field or fallback: for_pages(exc.message)}
    out: dict[str, str] = {}
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        out.setdefault(key, plain_message(err))  # words for people, never pydantic's text
    return out


@overload
def parse_day(value: str | None, *, field: str, required: Literal[True]) -> date: ...
@overload
def parse_day(value: str | None, *, field: str, required: bool = False) -> date | None: ...
def parse_day(value: str | None, *, field: str, required: bool = False) -> date | None:
    """A day typed as YYYY-MM-DD in a form or a query string; None when blank (Invalid when
    `required`); otherwise Invalid on `field`, naming the value and the format to use."""
    typed = (value or "").strip()
    if not typed:
        if required:
            raise Invalid("give the date as YYYY-MM-DD", field=field)
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        raise Invalid(f"{typed!r} is not a date; use YYYY-MM-DD", field=field) from None


def refused(exc: Exception) -> bool:
    """True for an error a form shows next to its fields (bad input, a conflict, a policy
    denial with its reasons); False for one the error page shows: a Forbidden without reasons
    (the actor may not do this at all) or anything that is not a refusal of the input."""
    if isinstance(exc, ValidationError):
        return True
    if not isinstance(exc, CrownJewelsError):
        return False
    return not isinstance(exc, Forbidden) or hasattr(exc, "reasons")


def flash_refusal(request: Request, session: Session, exc: Exception) -> None:
    """A refused form as one error flash in plain words (its changes rolled back), for pages
    that redirect back instead of re-rendering the form; anything that is not a refusal of
    the input is raised again for the error page."""
    if not refused(exc):
        raise exc
    discard(session)
    assert isinstance(exc, ValidationError | CrownJewelsError)  # refused() said so
    messages = dict.fromkeys(m for m in field_errors(exc).values() if m)
    flash(request, "; ".join(messages) or "check the form", kind="error")


def act(request: Request, session: Session, url: str, do: Callable[[], str]) -> Response:
    """Run one page action and go back to `url`: its message flashed, or its refusal in plain
    words with its changes rolled back (a Forbidden without reasons goes to the error page)."""
    try:
        flash(request, do())
    except (ValidationError, CrownJewelsError) as exc:
        flash_refusal(request, session, exc)
    return redirect(url)


def error_status(exc: ValidationError | CrownJewelsError) -> int:
    """422 for bad input, the error's own status (409 for a conflict) otherwise."""
    if isinstance(exc, ValidationError):
        return 422
    return 422 if exc.status_code == 404 else exc.status_code


def discard(session: Session) -> None:
    """Roll back whatever a refused form did so far (rows and custody events alike); the unit
    of work then commits an empty transaction. Pages call this before re-rendering a form.
    Writes registered with `core.db.durable` (a refusal's ACCESS_DENIED) still run after it."""
    session.rollback()


def flash(request: Request, message: str, *, kind: str = "ok") -> None:
    """A message shown once, by the next page rendered with the base layout (base.html)."""
    messages = list(request.session.get(_FLASH, []))
    messages.append({"kind": kind, "message": message})
    request.session[_FLASH] = messages


def is_htmx(request: Request) -> bool:
    """True for a request sent by htmx (it wants a fragment, not a whole page)."""
    return request.headers.get("hx-request") == "true"


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, status: int = 200
) -> Response:
    """A template; the layout itself reads the actor, CSRF token and flashes off the request."""
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, template, dict(context or {}), status_code=status
    )
    return response


def redirect(url: str) -> RedirectResponse:
    """303 See Other: the browser follows with a GET (post/redirect/get)."""
    return RedirectResponse(url, status_code=303)


class ActorLabeller(Protocol):
    """Labels custody refs (`user:<id>` as a person's name, `secret:<id>` as TS-0014 …);
    app.py installs one as `app.state.actor_labels`, so pages name people and subjects
    without importing the capabilities that own them."""

    def __call__(self, session: Session, refs: set[str]) -> Mapping[str, Any]: ...


def actor_labels(request: Request, session: Session, refs: Iterable[str]) -> Mapping[str, Any]:
    """Labels keyed by ref, for the `labels` of the events_table and actor macros."""
    labeller: ActorLabeller = request.app.state.actor_labels
    wanted = set(refs)
    return labeller(session, wanted) if wanted else {}


class _Event(Protocol):
    actor: str
    subject_type: str
    subject_id: str


def event_labels(request: Request, session: Session, events: Iterable[_Event]) -> Mapping[str, Any]:
    """Labels of the actors and the subjects of custody events (one lookup per kind), for
    the `labels` of the events_table macro."""
    rows = list(events)
    keys = [e.actor for e in rows] + [f"{e.subject_type}:{e.subject_id}" for e in rows]
    return actor_labels(request, session, keys)
