"""What a person refused for a missing permission needs, in words: one table of what each
permission lets its holders do and what else the person may do meanwhile, and the sentence a
403 page shows (who holds it, from the role matrix, and what to do)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crownjewels.core.permissions import MATRIX, Permission, Role

P = Permission
#: each permission: (what its holders may do, what a person without it may do instead)
WORDS: dict[Permission, tuple[str, str | None]] = {
    P.SECRETS_READ_ALL: ("see every secret in the register", "open the secrets you own"),
    P.SECRETS_READ_OWN: ("see the secrets they own", None),
    P.SECRETS_WRITE_ALL: ("change any secret", "ask the secret's owner to make the change"),
    P.SECRETS_WRITE_OWN: ("change the secrets they own", "ask the secret's owner"),
    P.PARTIES_READ: ("see people and organisations", None),
    P.PARTIES_WRITE: ("add and change people and organisations", None),
    P.USERS_MANAGE: ("manage logins and roles", None),
    P.TOKENS_OWN: ("create their own API tokens", None),
    P.CUSTODY_READ: ("read the custody log", "open a secret's page, which shows its history"),
    P.CUSTODY_VERIFY: ("verify the custody chain", None),
    P.CUSTODY_SIGN: ("sign checkpoints and export evidence bundles", None),
    P.DOCUMENTS_READ: (
        "open documents and take copies",
        "ask for a grant on the secret with Request access",
    ),
    P.DOCUMENTS_WRITE: ("upload documents", None),
    P.DOCUMENTS_DESTROY: ("destroy documents", None),
    P.VENDORS_READ: ("see vendor files", None),
    P.VENDORS_WRITE: ("change vendor files and send questionnaires", None),
    P.ASSESSMENTS_ANSWER: ("answer due-diligence questionnaires", None),
    P.AGREEMENTS_READ: ("see agreements", None),
    P.AGREEMENTS_WRITE: ("add and change agreements", None),
    P.AGREEMENTS_REVIEW: ("accept or override clause findings", None),
    P.TRAINING_READ: ("see training records", None),
    P.TRAINING_WRITE: ("record training", None),
    P.GRANTS_READ: ("see grants", "open your own secrets' pages"),
    P.GRANTS_REQUEST: ("request access grants", None),
    P.GRANTS_DECIDE: ("approve or deny grants", "ask the secret's owner"),
    P.GRANTS_MANAGE: ("suspend and revoke grants", "ask the secret's owner"),
    P.DISCLOSURES_READ: ("see the disclosure ledger", None),
    P.ACTIVITY_INGEST: ("send activity to monitoring", None),
    P.ACTIVITY_MANAGE: ("link people's identities in other systems", None),
    P.ALERTS_READ: ("see monitoring's alerts", "open your own secrets' alerts, if you own any"),
    P.ALERTS_TRIAGE: (
        "assign, dismiss, confirm and escalate alerts",
        "ask security to act on the alert",
    ),
    P.CHANNELS_MANAGE: ("configure where monitoring's alerts are sent", None),
    P.LEAKS_READ: ("see leak scans, matches, canary tokens and watchlists", None),
    P.LEAKS_MANAGE: (
        "run leak scans, plant canary tokens and set watchlists",
        "ask security or legal to run the scan",
    ),
    P.LEAKS_REVIEW: (
        "judge leak matches and watchlist items",
        "ask legal to review the item",
    ),
    P.INCIDENTS_READ: ("see incident cases, their clocks and evidence", None),
    P.INCIDENTS_WRITE: (
        "open and work incident cases",
        "escalate the alert or leak match to security",
    ),
    P.INCIDENTS_CONTAIN: ("run a case's containment", "ask security to contain the case"),
    P.REPORTS_HANDLE: ("read and answer the report channel's reports", None),
}

#: the roles as a sentence names their holders
_HOLDERS = {
    Role.ADMIN: "admins",
    Role.LEGAL: "legal",
    Role.SECURITY: "security",
    Role.COMPLIANCE: "compliance",
    Role.VENDOR_MANAGER: "vendor managers",
    Role.SECRET_OWNER: "secret owners",
    Role.AUDITOR: "auditors",
    Role.VENDOR_USER: "vendor users",
    Role.CASE_HANDLER: "case handlers",
}


@dataclass(frozen=True)
class Missing:
    """A refusal in words: what is missing (the headline) and what to do."""

    headline: str
    todo: str


#: a refusal by the access rules (their reasons are in the message): what to do about it
BY_THE_RULES = Missing(
    headline="The access rules refuse this",
    todo=(
        "Each reason below names what must change. If a grant is what is missing, ask for one "
        "with Request access on the secret's page, or ask the secret's owner."
    ),
)


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def holders(permission: Permission) -> list[str]:
    """The holders of a permission in words, admins last ("legal, security and admins")."""
    roles = [r for r in Role if permission in MATRIX[r] and r != Role.ADMIN]
    return [_HOLDERS[r] for r in roles] + [_HOLDERS[Role.ADMIN]]


def missing(needs: Iterable[str]) -> Missing | None:
    """The words for a refusal that needs any one of these permissions (None: none known)."""
    known = [Permission(n) for n in needs if n in Permission._value2member_map_]
    if not known:
        return None
    first = known[0]
    names = " or ".join(p.value for p in known)
    what, instead = WORDS[first]
    who = _listed(holders(first))
    todo = f"Only {who} can {what}; ask an admin for one of these roles"
    return Missing(
        headline=f"You need the {names} permission",
        todo=todo + (f", or {instead}." if instead else "."),
    )
