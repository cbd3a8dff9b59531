"""The kinds of mail, and the outbox as read by an admin."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class MailKind(StrEnum):
    """What a message is about; each kind (but a questionnaire's link) can be turned off."""

    GRANT_TO_APPROVE = "grant-to-approve"
    GRANT_DECIDED = "grant-decided"
    GRANTS_SUSPENDED = "grants-suspended"
    QUESTIONNAIRE_SENT = "questionnaire-sent"
    ANSWERS_RETURNED = "answers-returned"
    AGREEMENT_EXPIRING = "agreement-expiring"
    SECRET_REVIEW_DUE = "secret-review-due"
    MONITORING_ALERT = "monitoring-alert"
    INCIDENT_DEADLINE = "incident-deadline"
    REPORT_RECEIVED = "report-received"
    REPORT_UNROUTED = "report-unrouted"

    @property
    def label(self) -> str:
        """The kind in words, as the notification choices page shows it."""
        return LABELS[self]


LABELS: dict[MailKind, str] = {
    MailKind.GRANT_TO_APPROVE: "An access grant waits for my approval",
    MailKind.GRANT_DECIDED: "My access request was approved or denied",
    MailKind.GRANTS_SUSPENDED: "Grants on my secrets were suspended",
    MailKind.QUESTIONNAIRE_SENT: "A due-diligence questionnaire was sent to me",
    MailKind.ANSWERS_RETURNED: "Questionnaire answers were sent back to me for another look",
    MailKind.AGREEMENT_EXPIRING: "An agreement is nearing its expiry",
    MailKind.SECRET_REVIEW_DUE: "A review of my secret is due",
    MailKind.MONITORING_ALERT: "Monitoring raised an alert on my secret",
    MailKind.INCIDENT_DEADLINE: "A deadline of an incident case I am on is near or passed",
    MailKind.REPORT_RECEIVED: "A report or a reporter's message came in to the report channel",
    MailKind.REPORT_UNROUTED: "A report came in that no case handler may read",
}

#: a questionnaire's one-time link reaches nobody any other way: it cannot be turned off
ALWAYS_SENT = frozenset({MailKind.QUESTIONNAIRE_SENT})


class MailStatus(StrEnum):
    """Where a message stands."""

    SENT = "sent"
    QUEUED = "queued"
    RETRYING = "retrying"
    FAILED = "failed"


class MailRead(BaseModel):
    """One message of the outbox, as an admin reads it (the body is not shown)."""

    id: str
    recipient_name: str
    recipient_email: str
    kind: str
    subject: str
    created_at: datetime
    created_by: str
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    sent_at: datetime | None
    status: MailStatus


class Preference(BaseModel):
    """One kind of mail and whether the person receives it."""

    kind: MailKind
    label: str
    enabled: bool
    locked: bool


class DeliveryReport(BaseModel):
    """What one run of the sender did."""

    sent: int = 0
    failed: int = 0
