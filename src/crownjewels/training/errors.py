"""Training errors; each names the problem and the fix."""

from __future__ import annotations

from crownjewels.core.datafile import DataFileError
from crownjewels.core.errors import Conflict, Invalid, NotFound


class CourseNotFound(NotFound):
    """No course with that code or id."""


class DuplicateCourse(Conflict):
    """A course with that code exists."""


class InvalidTraining(Invalid):
    """A completion or attestation that cannot be recorded."""


class ImportFileError(DataFileError):
    """An LMS export with bad rows: each named by its line and the fix."""
