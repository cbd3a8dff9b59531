"""What goes in and out of offboarding: a record and its status, and the report of what the
people accessed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class OffboardingStatus(StrEnum):
    """An offboarding's progress."""

    OPEN = "open"
    COMPLETED = "completed"


class OffboardingRead(BaseModel):
    """An offboarding record."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    ref: str
    person_id: str | None
    organisation_id: str | None
    subject_name: str = ""
    started_by: str
    started_at: datetime
    grants_revoked: int
    exit_attestation_id: str | None
    certificate_document_id: str | None
    statement_sha256: str | None
    completed_at: datetime | None
    status: str


class AccessEntry(BaseModel):
    """One access of the report."""

    at: datetime
    event_type: str
    person_id: str
    person_name: str
    document_id: str | None = None
    secret_id: str | None = None
    detail: str = ""
    seq: int


class AccessReport(BaseModel):
    """Everything the people accessed from `since` to `until`."""

    since: datetime
    until: datetime
    person_ids: list[str]
    entries: list[AccessEntry]
