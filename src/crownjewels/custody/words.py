"""Custody codes as a person reads them: event types ("Access grant requested" for
ACCESS_GRANT_REQUESTED) and detail field names ("Expires on" for expires_on). One mapping for
the types whose words differ from their code; every other code reads as its words."""

from __future__ import annotations

#: words that stay in capitals when a code is spelled out
_ACRONYMS = frozenset({"MFA", "API", "NDA", "TIA", "TOTP", "URL", "SHA256", "PDF", "CSV", "ID"})

#: event types whose plain spelling would mislead or read as jargon
EVENT_WORDS = {
    "USER_CREATED": "Login created",
    "USER_LOGIN_SUCCEEDED": "Signed in",
    "USER_LOGIN_FAILED": "Sign-in failed",
    "USER_LOCKED_OUT": "Login locked after failed sign-ins",
    "USER_LOGGED_OUT": "Signed out",
    "USER_SESSIONS_REVOKED": "Sessions ended",
    "USER_MFA_ENROLLED": "Two-step sign-in (MFA) set up",
    "USER_MFA_RESET": "Two-step sign-in (MFA) reset",
    "USER_DEACTIVATED": "Login disabled",
    "USER_REACTIVATED": "Login enabled again",
    "TOKEN_CREATED": "API token created",
    "TOKEN_REVOKED": "API token revoked",
    "KEYS_ROTATED": "Encryption keys rotated",
    "ORPHAN_BLOBS_SWEPT": "Orphaned files removed",
    "VENDOR_PROFILE_CREATED": "Vendor added",
    "VENDOR_PROFILE_UPDATED": "Vendor updated",
    "TRANSFER_ASSESSMENT_RECORDED": "Transfer impact assessment recorded",
    "TRANSFER_ASSESSMENT_REVOKED": "Transfer impact assessment revoked",
    "ASSESSMENT_SENT": "Due diligence questionnaire sent",
    "ASSESSMENT_LINK_ISSUED": "Questionnaire link issued",
    "ASSESSMENT_ANSWER_SAVED": "Questionnaire answer saved",
    "ASSESSMENT_SUBMITTED": "Questionnaire answers submitted",
    "ASSESSMENT_ANSWER_REVIEWED": "Questionnaire answer reviewed",
    "ASSESSMENT_RETURNED": "Answers sent back for another look",
    "ASSESSMENT_COMPLETED": "Due diligence completed",
    "ASSESSMENT_CANCELLED": "Due diligence cancelled",
    "REASSESSMENT_DUE": "Due diligence renewal due",
    "COPY_ISSUED": "Marked copy issued",
    "COPY_IDENTIFIED": "Found copy traced",
    "COPY_COMPROMISED": "Copy marked compromised",
    "HEIGHTENED_WATCH_STARTED": "Put under heightened monitoring",
    "HEIGHTENED_WATCH_ENDED": "Heightened monitoring ended",
    "AGREEMENT_ANALYSED": "Agreement clauses analysed",
    "AGREEMENT_FINDING_REVIEWED": "Clause finding reviewed",
    "CUSTODY_EXPORTED": "Evidence bundle exported",
    "CHAIN_VERIFIED": "Custody chain verified",
    "DEMO_SEEDED": "Demo data loaded",
    "ACCESS_DENIED": "Access refused",
    "ACCESS_NOTICE_CREATED": "Confidentiality notice created",
    "MAIL_QUEUED": "Email queued",
    "MAIL_RETRIED": "Email sent again",
    "MAIL_PREFERENCES_CHANGED": "Email choices changed",
    "ALERT_COMMENTED": "Comment added to an alert",
    "ALERT_DISMISSED": "Alert dismissed as a false alarm",
    "ALERT_CONFIRMED": "Alert confirmed as a true positive",
    "ALERT_GRANTS_SUSPENDED": "Grants suspended from an alert",
    "ACTIVITY_INGESTED": "Activity received for monitoring",
    "ACTIVITY_PURGED": "Activity past its retention removed",
    "IDENTITY_ADDED": "Identity linked to a person",
    "IDENTITY_REMOVED": "Identity unlinked from a person",
    "SECRET_LOCATION_PATTERNS_SET": "Location's monitoring patterns set",
    "ALERT_RAISED": "Monitoring alert raised",
    "ALERT_UPDATED": "Monitoring alert grew (more activity)",
    "ALERT_CHANNEL_ADDED": "Alert channel added",
    "ALERT_CHANNEL_CHANGED": "Alert channel changed",
    "ALERT_CHANNEL_REMOVED": "Alert channel removed",
    "ALERT_CHANNEL_TESTED": "Alert channel tested",
    "ALERT_DISPATCHED": "Alert sent to its channels",
    "ALERT_DELIVERY_RETRIED": "Alert delivery tried again",
    "DEPARTURE_WATCH_UPDATED": "Departure watch dates changed",
    "LOG_REVIEW_CREATED": "Activity log review asked of the owner",
    "LOG_REVIEW_SIGNED_OFF": "Activity log review signed off",
    "LOG_REVIEW_CONCERN_RAISED": "Concern raised in an activity log review",
    "INCIDENT_OPENED": "Incident case opened",
    "INCIDENT_UPDATED": "Incident case changed",
    "INCIDENT_STATUS_CHANGED": "Incident case moved",
    "INCIDENT_JOINED": "Another finding joined the case",
    "INCIDENT_SUBJECT_ADDED": "Added to an incident case",
    "INCIDENT_SUBJECT_REMOVED": "Taken off an incident case",
    "INCIDENT_MEMBER_ADDED": "Seated on an incident team",
    "INCIDENT_MEMBER_REMOVED": "Unseated from an incident team",
    "INCIDENT_TASK_ADDED": "Incident task added",
    "INCIDENT_TASK_CHANGED": "Incident task updated",
    "INCIDENT_NOTE_ADDED": "Note written on an incident case",
    "INCIDENT_CONTAINED": "Incident contained",
    "INCIDENT_CONTAINMENT_REVERSED": "Incident containment reversed",
    "INCIDENT_LEGAL_STEP": "Legal step recorded",
    "INCIDENT_LETTER_GENERATED": "Letter drafted",
    "INCIDENT_REVIEWED": "Post-incident review recorded",
    "INCIDENT_CLOCK_NOTIFIED": "Deadline reminder sent",
    "INCIDENT_NOTICE_GIVEN": "Notice given under a deadline",
}


def spelled(code: str) -> str:
    """A code's words, first one capitalised: expires_on -> "Expires on", MFA kept."""
    words = [w for w in code.replace("-", "_").split("_") if w]
    out = [w.upper() if w.upper() in _ACRONYMS else w.lower() for w in words]
    if out and out[0] not in _ACRONYMS:
        out[0] = out[0].capitalize()
    return " ".join(out)


def event_words(event_type: str) -> str:
    """What an event type means, in words ("Access grant requested")."""
    return EVENT_WORDS.get(event_type) or spelled(event_type)
