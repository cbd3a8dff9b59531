"""Errors of the agreements file; each message names the problem and the fix."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, Invalid, NotFound


class AgreementNotFound(NotFound):
    """No visible agreement with that id or reference."""


class FindingNotFound(NotFound):
    """The agreement has no such clause finding."""


class VersionNotFound(NotFound):
    """The agreement has no such document version (or none uploaded yet)."""


class StaleAgreement(Conflict):
    """Someone changed the agreement since it was read."""


class BadStatusChange(Invalid):
    """A status change the lifecycle does not allow."""


class BadAgreement(Invalid):
    """The agreement's data is inconsistent (dates out of order, a party named twice ...)."""
