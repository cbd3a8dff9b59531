"""Custody event types (stable, never reused) and what goes in and out."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum, unique
from typing import Any

from pydantic import BaseModel

from crownjewels.custody.words import event_words


@unique
class EventType(StrEnum):
    """Every kind of custody event. Values are stable forever: add new ones, never rename or reuse.

    Retired values stay listed (with a comment) so that nobody reuses them.
    """

    # parties
    ORGANISATION_CREATED = "ORGANISATION_CREATED"
    ORGANISATION_UPDATED = "ORGANISATION_UPDATED"
    PERSON_CREATED = "PERSON_CREATED"
    PERSON_UPDATED = "PERSON_UPDATED"
    PERSON_DEPARTING = "PERSON_DEPARTING"
    PERSON_DEPARTED = "PERSON_DEPARTED"
    USER_CREATED = "USER_CREATED"
    USER_ROLES_CHANGED = "USER_ROLES_CHANGED"
    USER_PASSWORD_CHANGED = "USER_PASSWORD_CHANGED"
    USER_MFA_ENROLLED = "USER_MFA_ENROLLED"
    USER_MFA_RESET = "USER_MFA_RESET"
    USER_DEACTIVATED = "USER_DEACTIVATED"
    USER_LOGIN_SUCCEEDED = "USER_LOGIN_SUCCEEDED"
    USER_LOGIN_FAILED = "USER_LOGIN_FAILED"
    USER_LOCKED_OUT = "USER_LOCKED_OUT"
    USER_LOGGED_OUT = "USER_LOGGED_OUT"
    USER_SESSIONS_REVOKED = "USER_SESSIONS_REVOKED"
    TOKEN_CREATED = "TOKEN_CREATED"
    TOKEN_REVOKED = "TOKEN_REVOKED"
    # inventory
    SECRET_REGISTERED = "SECRET_REGISTERED"
    SECRET_UPDATED = "SECRET_UPDATED"
    SECRET_REVIEWED = "SECRET_REVIEWED"
    SECRET_STATUS_CHANGED = "SECRET_STATUS_CHANGED"
    SECRET_LOCATION_ADDED = "SECRET_LOCATION_ADDED"
    SECRET_LOCATION_REMOVED = "SECRET_LOCATION_REMOVED"
    # vault
    DOCUMENT_ADDED = "DOCUMENT_ADDED"
    DOCUMENT_VERSION_ADDED = "DOCUMENT_VERSION_ADDED"
    DOCUMENT_READ = "DOCUMENT_READ"
    DOCUMENT_LEGAL_HOLD_SET = "DOCUMENT_LEGAL_HOLD_SET"
    DOCUMENT_PERSONAL_DATA_SET = "DOCUMENT_PERSONAL_DATA_SET"
    DOCUMENT_LEGAL_HOLD_RELEASED = "DOCUMENT_LEGAL_HOLD_RELEASED"
    DOCUMENT_RETENTION_SET = "DOCUMENT_RETENTION_SET"
    DOCUMENT_DESTROYED = "DOCUMENT_DESTROYED"
    KEYS_ROTATED = "KEYS_ROTATED"
    ORPHAN_BLOBS_SWEPT = "ORPHAN_BLOBS_SWEPT"
    # vendors
    VENDOR_PROFILE_CREATED = "VENDOR_PROFILE_CREATED"
    VENDOR_PROFILE_UPDATED = "VENDOR_PROFILE_UPDATED"
    VENDOR_STATUS_CHANGED = "VENDOR_STATUS_CHANGED"
    VENDOR_REVIEWED = "VENDOR_REVIEWED"
    VENDOR_COUNTRY_ADDED = "VENDOR_COUNTRY_ADDED"
    VENDOR_COUNTRY_REMOVED = "VENDOR_COUNTRY_REMOVED"
    VENDOR_SUBCONTRACTOR_ADDED = "VENDOR_SUBCONTRACTOR_ADDED"
    VENDOR_SUBCONTRACTOR_REMOVED = "VENDOR_SUBCONTRACTOR_REMOVED"
    VENDOR_CERTIFICATION_ADDED = "VENDOR_CERTIFICATION_ADDED"
    VENDOR_CERTIFICATION_REMOVED = "VENDOR_CERTIFICATION_REMOVED"
    VENDOR_CERTIFICATE_ATTACHED = "VENDOR_CERTIFICATE_ATTACHED"
    TRANSFER_MECHANISM_RECORDED = "TRANSFER_MECHANISM_RECORDED"
    TRANSFER_MECHANISM_REVOKED = "TRANSFER_MECHANISM_REVOKED"
    TRANSFER_ASSESSMENT_RECORDED = "TRANSFER_ASSESSMENT_RECORDED"
    TRANSFER_ASSESSMENT_REVOKED = "TRANSFER_ASSESSMENT_REVOKED"
    VENDOR_CONTACT_ADDED = "VENDOR_CONTACT_ADDED"
    VENDOR_CONTACT_UPDATED = "VENDOR_CONTACT_UPDATED"
    VENDOR_CONTACT_REMOVED = "VENDOR_CONTACT_REMOVED"
    # vendors: due diligence
    QUESTIONNAIRE_IMPORTED = "QUESTIONNAIRE_IMPORTED"
    ASSESSMENT_SENT = "ASSESSMENT_SENT"
    ASSESSMENT_LINK_ISSUED = "ASSESSMENT_LINK_ISSUED"
    ASSESSMENT_ANSWER_SAVED = "ASSESSMENT_ANSWER_SAVED"
    ASSESSMENT_SUBMITTED = "ASSESSMENT_SUBMITTED"
    ASSESSMENT_ANSWER_REVIEWED = "ASSESSMENT_ANSWER_REVIEWED"
    ASSESSMENT_COMPLETED = "ASSESSMENT_COMPLETED"
    ASSESSMENT_CANCELLED = "ASSESSMENT_CANCELLED"
    REASSESSMENT_DUE = "REASSESSMENT_DUE"
    REMEDIATION_ADDED = "REMEDIATION_ADDED"
    REMEDIATION_UPDATED = "REMEDIATION_UPDATED"
    ASSESSMENT_RETURNED = "ASSESSMENT_RETURNED"
    # disclosure
    COPY_ISSUED = "COPY_ISSUED"
    COPY_IDENTIFIED = "COPY_IDENTIFIED"
    # agreements
    AGREEMENT_ADDED = "AGREEMENT_ADDED"
    AGREEMENT_UPDATED = "AGREEMENT_UPDATED"
    AGREEMENT_STATUS_CHANGED = "AGREEMENT_STATUS_CHANGED"
    AGREEMENT_TERMINATED = "AGREEMENT_TERMINATED"
    AGREEMENT_RENEWED = "AGREEMENT_RENEWED"
    AGREEMENT_EXPIRED = "AGREEMENT_EXPIRED"
    AGREEMENT_PARTY_ADDED = "AGREEMENT_PARTY_ADDED"
    AGREEMENT_PARTY_REMOVED = "AGREEMENT_PARTY_REMOVED"
    AGREEMENT_SCOPE_CHANGED = "AGREEMENT_SCOPE_CHANGED"
    AGREEMENT_SIGNATORY_ADDED = "AGREEMENT_SIGNATORY_ADDED"
    AGREEMENT_VERSION_UPLOADED = "AGREEMENT_VERSION_UPLOADED"
    AGREEMENT_ANALYSED = "AGREEMENT_ANALYSED"
    AGREEMENT_FINDING_REVIEWED = "AGREEMENT_FINDING_REVIEWED"
    AGREEMENT_RENEWAL_DUE = "AGREEMENT_RENEWAL_DUE"
    # custody
    CHECKPOINT_SIGNED = "CHECKPOINT_SIGNED"
    CUSTODY_EXPORTED = "CUSTODY_EXPORTED"
    CHAIN_VERIFIED = "CHAIN_VERIFIED"
    CHECKPOINT_TIMESTAMPED = "CHECKPOINT_TIMESTAMPED"
    # installation
    INSTALLATION_INITIALISED = "INSTALLATION_INITIALISED"
    DEMO_SEEDED = "DEMO_SEEDED"
    # access
    ACCESS_GRANT_REQUESTED = "ACCESS_GRANT_REQUESTED"
    ACCESS_GRANT_APPROVED = "ACCESS_GRANT_APPROVED"
    ACCESS_GRANT_DENIED = "ACCESS_GRANT_DENIED"
    ACCESS_GRANT_EXPANDED = "ACCESS_GRANT_EXPANDED"
    ACCESS_GRANT_STATUS_CHANGED = "ACCESS_GRANT_STATUS_CHANGED"
    ACCESS_DENIED = "ACCESS_DENIED"
    # training
    TRAINING_COURSE_ADDED = "TRAINING_COURSE_ADDED"
    TRAINING_COMPLETION_RECORDED = "TRAINING_COMPLETION_RECORDED"
    TRAINING_COMPLETIONS_IMPORTED = "TRAINING_COMPLETIONS_IMPORTED"
    ATTESTATION_RECORDED = "ATTESTATION_RECORDED"
    ACCESS_REVIEW_STARTED = "ACCESS_REVIEW_STARTED"
    ACCESS_REVIEW_DECIDED = "ACCESS_REVIEW_DECIDED"
    ACCESS_REVIEW_CLOSED = "ACCESS_REVIEW_CLOSED"
    ACCESS_NOTICE_CREATED = "ACCESS_NOTICE_CREATED"
    OFFBOARDING_STARTED = "OFFBOARDING_STARTED"
    OFFBOARDING_CERTIFICATE_COLLECTED = "OFFBOARDING_CERTIFICATE_COLLECTED"
    OFFBOARDING_COMPLETED = "OFFBOARDING_COMPLETED"
    # disclosure
    DISCLOSURE_RECORDED = "DISCLOSURE_RECORDED"
    # notifications (parties): the mail outbox and each person's choices
    MAIL_QUEUED = "MAIL_QUEUED"
    MAIL_RETRIED = "MAIL_RETRIED"
    MAIL_PREFERENCES_CHANGED = "MAIL_PREFERENCES_CHANGED"
    # monitoring: intake (one event per batch, never one per activity event)
    ACTIVITY_INGESTED = "ACTIVITY_INGESTED"
    ACTIVITY_PURGED = "ACTIVITY_PURGED"
    IDENTITY_ADDED = "IDENTITY_ADDED"
    IDENTITY_REMOVED = "IDENTITY_REMOVED"
    # inventory: where monitoring finds a location in other systems' activity
    SECRET_LOCATION_PATTERNS_SET = "SECRET_LOCATION_PATTERNS_SET"


class EventRead(BaseModel):
    """One custody event as shown to a reader."""

    seq: int
    recorded_at: datetime
    actor: str
    event_type: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    @property
    def title(self) -> str:
        """The event type in words ("Access grant requested"); pages show the code small."""
        return event_words(self.event_type)


class EventFilter(BaseModel):
    """Filters of the custody log listing."""

    subject_type: str | None = None
    subject_id: str | None = None
    actor: str | None = None
    event_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class VerifyResult(BaseModel):
    """The outcome of recomputing the chain."""

    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None = None
    problem: str | None = None


class CheckpointRead(BaseModel):
    """A signed checkpoint: the tree's size and root hash at a moment."""

    tree_size: int
    root_hash: str
    signed_at: datetime
    key_id: str
    note: str
    timestamped: bool = False


class InclusionProofRead(BaseModel):
    """That event `seq` is leaf `seq - 1` of the tree of `tree_size` (RFC 9162 §2.1.3)."""

    seq: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]
    checkpoint: CheckpointRead | None = None


class ConsistencyProofRead(BaseModel):
    """That the tree of `new_size` extends the tree of `old_size` (RFC 9162 §2.1.4)."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


class TimestampRead(BaseModel):
    """A checkpoint's verified RFC 3161 timestamp."""

    tree_size: int
    gen_time: datetime
    tsa: str
    serial_number: int
    token_sha256: str
    #: "row" (taken with the checkpoint) or "event" (taken later: CHECKPOINT_TIMESTAMPED)
    stored_in: str
