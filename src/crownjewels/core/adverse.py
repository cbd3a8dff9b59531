"""Adverse actions against people protected from retaliation (a reporter who gave their name to
the report channel): revoking or suspending their grants, disabling their login, taking roles
away from it, ending its sessions, setting a new password for it, revoking its API tokens, and
ending the protection itself (when the match was wrong or the report knowingly false). The
capabilities that do these (access, parties, incidents) call `check` first, in the caller's
transaction; the capability that protects people (incidents) registers the checker
(registry.py), which refuses the action with `ProtectedPerson` unless a second person approved
exactly that action on that target (the approval is then used up). Like core/departures.py, a
lower capability asks a higher one without importing it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.errors import Conflict

REVOKE_GRANT = "revoke-grant"
SUSPEND_GRANT = "suspend-grant"
DISABLE_ACCOUNT = "disable-account"
REMOVE_ROLES = "remove-roles"
END_SESSIONS = "end-sessions"
REVOKE_TOKEN = "revoke-token"
RESET_PASSWORD = "reset-password"
LIFT_PROTECTION = "lift-protection"

#: each adverse action and what it acts on, in words: "suspending the grant GR-000012"
ACTIONS: dict[str, str] = {
    REVOKE_GRANT: "revoking the grant",
    SUSPEND_GRANT: "suspending the grant",
    DISABLE_ACCOUNT: "disabling the login (or recording the departure) of",
    REMOVE_ROLES: "taking roles away from the login",
    END_SESSIONS: "ending the web sessions of the login",
    REVOKE_TOKEN: "revoking the API token",
    RESET_PASSWORD: "setting a new password for the login",
    LIFT_PROTECTION: "ending the protection from retaliation of",
}
#: what the target of each action is, as a person types it
TARGETS: dict[str, str] = {
    REVOKE_GRANT: "the grant's reference (GR-000012)",
    SUSPEND_GRANT: "the grant's reference (GR-000012)",
    DISABLE_ACCOUNT: "the person's email",
    REMOVE_ROLES: "the login's email",
    END_SESSIONS: "the login's email",
    REVOKE_TOKEN: "the token's name",
    RESET_PASSWORD: "the login's email",
    LIFT_PROTECTION: "the person's email",
}


@dataclass(frozen=True)
class AdverseAction:
    """One action against a person, on a target as people read it (GR-000012, an email)."""

    person_id: str
    action: str
    target: str


class ProtectedPerson(Conflict):
    """The person is protected from retaliation: the action needs a second person's approval
    first (the message says how to ask for it)."""


#: refuses (ProtectedPerson) or lets the action run, in the caller's transaction
Checker = Callable[[Session, Actor, AdverseAction], None]

_CHECKERS: list[Checker] = []


def register(checker: Checker) -> None:
    """Ask `checker` before every adverse action (once, however often it is registered)."""
    if checker not in _CHECKERS:
        _CHECKERS.append(checker)


def check(
    session: Session, *, actor: Actor, person_id: str | None, action: str, target: str
) -> None:
    """Raise ProtectedPerson when the person is protected and no approval of exactly this
    action on this target is waiting to be used (using it up when there is one). Nothing is
    asked for a person acting on their own login, tokens or sessions, nor without a person."""
    if action not in ACTIONS:
        raise ValueError(f"unknown adverse action {action!r}; one of {', '.join(ACTIONS)}")
    if not person_id or actor.person_id == person_id:
        return
    done = AdverseAction(person_id=person_id, action=action, target=target.strip())
    for checker in _CHECKERS:
        checker(session, actor, done)
