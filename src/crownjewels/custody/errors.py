"""Custody errors."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, CrownJewelsError, Invalid, NotFound


class EventNotFound(NotFound):
    """No custody event with that sequence number."""


class BadSubject(Invalid):
    """A subject reference that is not TYPE:ID."""


class BadProof(Invalid):
    """A proof asked for sizes or events the tree does not hold."""


class TreeOutOfStep(Conflict):
    """The stored Merkle tree does not match the event log (rows were deleted)."""


class NoSigningKey(NotFound):
    """The installation has no checkpoint signing key."""


class CheckpointNotFound(NotFound):
    """No checkpoint of that tree size."""


class LogTruncated(Conflict):
    """The log holds fewer events than a signed checkpoint covers."""


class BadTimestamp(Invalid):
    """An RFC 3161 timestamp token that does not verify (or does not cover the checkpoint)."""


class TsaUnavailable(CrownJewelsError):
    """The time-stamping authority could not be reached or refused the request."""

    status_code = 503
    title = "Time-stamping authority unavailable"


class TsaNotConfigured(Invalid):
    """Timestamping was asked for but no TSA (or no trust anchor for it) is configured."""
