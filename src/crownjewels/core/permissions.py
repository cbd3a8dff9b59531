"""Roles and the role x permission matrix: the single table every adapter checks.

docs/permissions.md renders this table; tests/test_permissions_doc.py keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    """Application roles; a user holds one or more."""

    ADMIN = "admin"
    LEGAL = "legal"
    SECURITY = "security"
    COMPLIANCE = "compliance"
    VENDOR_MANAGER = "vendor-manager"
    SECRET_OWNER = "secret-owner"
    AUDITOR = "auditor"
    #: reads and answers the report channel's reports, and no one else does (not even admin)
    CASE_HANDLER = "case-handler"
    VENDOR_USER = "vendor-user"


class Permission(StrEnum):
    """One action on one kind of thing."""

    SECRETS_READ_ALL = "secrets:read-all"
    SECRETS_READ_OWN = "secrets:read-own"
    SECRETS_WRITE_ALL = "secrets:write-all"
    SECRETS_WRITE_OWN = "secrets:write-own"
    PARTIES_READ = "parties:read"
    PARTIES_WRITE = "parties:write"
    USERS_MANAGE = "users:manage"
    TOKENS_OWN = "tokens:own"
    CUSTODY_READ = "custody:read"
    CUSTODY_VERIFY = "custody:verify"
    CUSTODY_SIGN = "custody:sign"
    DOCUMENTS_READ = "documents:read"
    DOCUMENTS_WRITE = "documents:write"
    DOCUMENTS_DESTROY = "documents:destroy"
    VENDORS_READ = "vendors:read"
    VENDORS_WRITE = "vendors:write"
    ASSESSMENTS_ANSWER = "assessments:answer"
    AGREEMENTS_READ = "agreements:read"
    AGREEMENTS_WRITE = "agreements:write"
    AGREEMENTS_REVIEW = "agreements:review"
    TRAINING_READ = "training:read"
    TRAINING_WRITE = "training:write"
    GRANTS_READ = "grants:read"
    GRANTS_REQUEST = "grants:request"
    GRANTS_DECIDE = "grants:decide"
    GRANTS_MANAGE = "grants:manage"
    DISCLOSURES_READ = "disclosures:read"
    ALERTS_READ = "alerts:read"
    ALERTS_TRIAGE = "alerts:triage"
    #: send activity to monitoring (an API token needs the `ingest` scope for it)
    ACTIVITY_INGEST = "activity:ingest"
    #: link identities (usernames, key ids) to people for monitoring
    ACTIVITY_MANAGE = "activity:manage"
    CHANNELS_MANAGE = "channels:manage"
    #: leak detection: read scans, matches, tokens and watchlists
    LEAKS_READ = "leaks:read"
    #: run scans, plant and retire canary tokens, set watches, watchlists and feeds, re-index
    LEAKS_MANAGE = "leaks:manage"
    #: judge matches and watchlist items (relevant or not, open an investigation)
    LEAKS_REVIEW = "leaks:review"
    #: incidents: read cases, their timelines, clocks and evidence
    INCIDENTS_READ = "incidents:read"
    #: open and work cases: team, tasks, notes, evidence, letters, legal steps, review, close
    INCIDENTS_WRITE = "incidents:write"
    #: run a case's containment (suspends grants, accounts, tokens, a vendor; legal hold)
    INCIDENTS_CONTAIN = "incidents:contain"
    #: the report channel: read reports, reply to reporters, open a case from a report
    REPORTS_HANDLE = "reports:handle"

    @property
    def writes(self) -> bool:
        """True for permissions that change state (a read-only token never carries them)."""
        return self in _WRITES


_WRITES = frozenset(
    {
        Permission.SECRETS_WRITE_ALL,
        Permission.SECRETS_WRITE_OWN,
        Permission.PARTIES_WRITE,
        Permission.USERS_MANAGE,
        Permission.TOKENS_OWN,
        # a signed checkpoint (or the one an evidence export signs) is a new row under the
        # installation's key: a read-only token or the auditor never makes one
        Permission.CUSTODY_SIGN,
        Permission.DOCUMENTS_WRITE,
        Permission.DOCUMENTS_DESTROY,
        Permission.VENDORS_WRITE,
        Permission.ASSESSMENTS_ANSWER,
        Permission.AGREEMENTS_WRITE,
        Permission.AGREEMENTS_REVIEW,
        Permission.TRAINING_WRITE,
        Permission.GRANTS_REQUEST,
        Permission.GRANTS_DECIDE,
        Permission.GRANTS_MANAGE,
        Permission.ALERTS_TRIAGE,
        Permission.ACTIVITY_INGEST,
        Permission.ACTIVITY_MANAGE,
        Permission.CHANNELS_MANAGE,
        Permission.LEAKS_MANAGE,
        Permission.LEAKS_REVIEW,
        Permission.INCIDENTS_WRITE,
        Permission.INCIDENTS_CONTAIN,
        Permission.REPORTS_HANDLE,
    }
)

#: permissions an API token carries only when it was given the named scope (and then whether
#: or not it may read or write anything else): a sender of activity holds nothing more
SCOPED: dict[Permission, str] = {Permission.ACTIVITY_INGEST: "ingest"}


def token_carries(permission: Permission, scopes: frozenset[str]) -> bool:
    """Whether an API token with these scopes carries a permission its user holds."""
    if permission in SCOPED:
        return SCOPED[permission] in scopes
    return ("write" if permission.writes else "read") in scopes


P = Permission
_READ_ALL = {
    P.SECRETS_READ_ALL,
    P.PARTIES_READ,
    P.CUSTODY_READ,
    P.CUSTODY_VERIFY,
    P.VENDORS_READ,
    P.AGREEMENTS_READ,
    P.GRANTS_READ,
    P.TRAINING_READ,
    P.DISCLOSURES_READ,
    P.LEAKS_READ,
}
#: request, approve (the second approval of a highly sensitive secret), suspend and revoke
_GRANTS = {P.GRANTS_REQUEST, P.GRANTS_DECIDE, P.GRANTS_MANAGE}
_DOCS = {P.DOCUMENTS_READ, P.DOCUMENTS_WRITE}

MATRIX: dict[Role, frozenset[Permission]] = {
    #: everything but the report channel: reporters are protected from the administrators too
    Role.ADMIN: frozenset(set(Permission) - {P.REPORTS_HANDLE}),
    Role.LEGAL: frozenset(
        {
            *_READ_ALL,
            *_DOCS,
            P.DOCUMENTS_DESTROY,
            P.SECRETS_WRITE_ALL,
            P.AGREEMENTS_WRITE,
            P.AGREEMENTS_REVIEW,
            *_GRANTS,
            P.TOKENS_OWN,
            # evidence bundles for litigation (an export signs a fresh checkpoint)
            P.CUSTODY_SIGN,
            # IP counsel scans for leaks, plants canaries and reviews the market watch
            P.LEAKS_READ,
            P.LEAKS_MANAGE,
            P.LEAKS_REVIEW,
            # counsel runs the legal side of a case: letters, legal steps, evidence
            P.INCIDENTS_READ,
            P.INCIDENTS_WRITE,
        }
    ),
    Role.SECURITY: frozenset(
        {
            *_READ_ALL,
            *_GRANTS,
            P.DOCUMENTS_READ,
            P.TOKENS_OWN,
            P.CUSTODY_SIGN,
            # monitoring's alert queue: read and triage (a secret owner sees their own
            # secrets' alerts read-only, which the service scopes without a permission)
            P.ALERTS_READ,
            P.ALERTS_TRIAGE,
            P.ACTIVITY_INGEST,
            P.ACTIVITY_MANAGE,
            # leak detection: scans, canary tokens, watchlists and their review
            P.LEAKS_READ,
            P.LEAKS_MANAGE,
            P.LEAKS_REVIEW,
            # the incident team: cases, and containment in one action
            P.INCIDENTS_READ,
            P.INCIDENTS_WRITE,
            P.INCIDENTS_CONTAIN,
        }
    ),
    Role.COMPLIANCE: frozenset(
        {*_READ_ALL, P.DOCUMENTS_READ, P.TRAINING_WRITE, P.INCIDENTS_READ, P.TOKENS_OWN}
    ),
    Role.VENDOR_MANAGER: frozenset(
        {
            P.SECRETS_READ_ALL,
            P.PARTIES_READ,
            P.PARTIES_WRITE,
            P.VENDORS_READ,
            P.VENDORS_WRITE,
            P.AGREEMENTS_READ,
            P.AGREEMENTS_WRITE,
            P.GRANTS_READ,
            P.GRANTS_REQUEST,
            # certificates, signed agreements, due-diligence evidence; a secret's documents stay
            # out of reach: the secret owner kind asks for secrets:write on top
            P.DOCUMENTS_WRITE,
            P.TOKENS_OWN,
        }
    ),
    Role.SECRET_OWNER: frozenset(
        {
            P.SECRETS_READ_OWN,
            P.SECRETS_WRITE_OWN,
            *_DOCS,
            P.PARTIES_READ,
            P.VENDORS_READ,
            P.AGREEMENTS_READ,
            # owners approve grants on their own secrets (the service checks ownership)
            P.GRANTS_REQUEST,
            P.GRANTS_DECIDE,
            # the ledger of their own secrets (the service narrows it to them)
            P.DISCLOSURES_READ,
            P.TOKENS_OWN,
        }
    ),
    Role.AUDITOR: frozenset({*_READ_ALL, P.INCIDENTS_READ, P.TOKENS_OWN}),
    #: the report channel only (with their own tokens): a separate seat for the people who
    #: handle whistle-blowers' reports, given beside another role where the person has one
    Role.CASE_HANDLER: frozenset({P.REPORTS_HANDLE, P.TOKENS_OWN}),
    Role.VENDOR_USER: frozenset({P.ASSESSMENTS_ANSWER, P.DOCUMENTS_WRITE}),
}

#: roles that reach the vendor portal and nothing internal
PORTAL_ROLES: frozenset[Role] = frozenset({Role.VENDOR_USER})


def portal_only(roles: Iterable[Role]) -> bool:
    """True when every role held is a portal role (a vendor user with no internal role): the
    portal is all its holder sees; any internal role beside it opens the internal pages."""
    held = frozenset(roles)
    return bool(held) and held <= PORTAL_ROLES


def permissions_of(roles: Iterable[Role]) -> frozenset[Permission]:
    """The union of the permissions of the given roles."""
    out: set[Permission] = set()
    for role in roles:
        out |= MATRIX[role]
    return frozenset(out)


def parse_role(value: str) -> Role:
    """A role from its name, or a ValueError that lists the valid names."""
    try:
        return Role(value.strip().lower().replace("_", "-"))
    except ValueError:
        valid = ", ".join(r.value for r in Role)
        raise ValueError(f"unknown role {value!r}; use one of: {valid}") from None
