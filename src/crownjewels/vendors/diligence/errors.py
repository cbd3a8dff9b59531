"""Due-diligence errors."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, CrownJewelsError, Invalid, NotFound


class TemplateNotFound(NotFound):
    """No imported questionnaire with that key, version or id."""


class TemplateConflict(Conflict):
    """The same key and version was imported before with different content."""


class AssessmentNotFound(NotFound):
    """No assessment with that id or reference that the actor may see."""


class VendorNotFound(NotFound):
    """No vendor profile with that id, reference or name."""


class BadAnswer(Invalid):
    """An answer of the wrong type, to an unknown or hidden question, or not editable now."""


class WrongState(Conflict):
    """The assessment is not in a state that allows this step."""


class StaleAssessment(Conflict):
    """Someone changed the assessment since it was read."""


class RemediationNotFound(NotFound):
    """No remediation item with that id on this assessment."""


class LinkGone(CrownJewelsError):
    """A one-time link that expired, was used or was withdrawn: 410 Gone, with what to do."""

    status_code = 410
    title = "Link no longer valid"


class LinkNotOpened(CrownJewelsError):
    """The token-free link page reached without the cookie its first load hands over."""

    status_code = 404
    title = "Open your link again"


class AnswerErrors(BadAnswer):
    """Answers refused, each with its reason; `errors` maps question id to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        first = next(iter(errors))
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(errors[first] + more, field=first)
