"""Domain errors that carry their status; adapters render them (JSON, HTML, CLI exit code 2)."""

from __future__ import annotations


class CrownJewelsError(Exception):
    """Base of every error a user can cause and fix; `message` names the problem and the fix."""

    status_code = 400
    title = "Bad request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Invalid(CrownJewelsError):
    """The input is wrong: a bad value, a missing field."""

    status_code = 422
    title = "Invalid input"


class NotFound(CrownJewelsError):
    """Nothing with that id exists, or the actor may not see it (never leak which)."""

    status_code = 404
    title = "Not found"


class Forbidden(CrownJewelsError):
    """The actor is known but lacks the permission; `needs` names the permissions (any one of
    them would do) when a missing permission is the reason, so a page can say it in words."""

    status_code = 403
    title = "Forbidden"

    def __init__(
        self, message: str, *, field: str | None = None, needs: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message, field=field)
        self.needs = needs


class Unauthenticated(CrownJewelsError):
    """No valid credentials were given."""

    status_code = 401
    title = "Authentication required"


class Conflict(CrownJewelsError):
    """The change clashes with existing state: a duplicate name, a stale version."""

    status_code = 409
    title = "Conflict"


class TooManyAttempts(CrownJewelsError):
    """Throttled: too many failed attempts."""

    status_code = 429
    title = "Too many attempts"


class Busy(CrownJewelsError):
    """The server cannot take this now and says when to send it again (HTTP 503 with a
    Retry-After header): nothing was stored, so sending the same request later loses nothing."""

    status_code = 503
    title = "Busy"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NotInitialised(CrownJewelsError):
    """The database has no schema, or an older one than this code needs."""

    status_code = 503
    title = "Database not ready"
