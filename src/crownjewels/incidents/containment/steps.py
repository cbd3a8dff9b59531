"""Each kind of step of a containment, through its own capability's service: run it (and check
that it changed what the plan said: an item changed under the run refuses the whole run), and
undo it where that makes sense, only where what the containment did still stands (a grant
suspended since for another reason stays suspended; a hold someone set before stays)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.errors import AccessDenied
from crownjewels.access.schemas import GrantStatus
from crownjewels.core.actor import Actor
from crownjewels.core.errors import NotFound
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.incidents.containment.errors import PlanChanged
from crownjewels.incidents.containment.plan import Target
from crownjewels.incidents.containment.schemas import StepKind
from crownjewels.monitoring.watch import service as watch
from crownjewels.parties import lockout
from crownjewels.vault import lifecycle
from crownjewels.vault import service as vault
from crownjewels.vendors import service as vendors
from crownjewels.vendors.schemas import VendorStatus

#: a step as the Containment row keeps it: the kind, the key its verb took, how people read
#: it, whom it acted against, the reason it gave and the case's ref (what an undo needs)
Step = dict[str, Any]
#: what the previewed plan said, and what the run found instead
_CHANGED = "{ref} changed since the preview ({now}); nothing was changed: preview again"


def _grant(session: Session, actor: Actor, t: Target, reason: str) -> None:
    out = access.change_status(
        session, actor=actor, grant_ref=t.key, status=GrantStatus.SUSPENDED, reason=reason
    )
    if out.status != GrantStatus.SUSPENDED:
        raise PlanChanged(_CHANGED.format(ref=t.ref, now=f"it is {out.status.value}"))


def _account(session: Session, actor: Actor, t: Target, reason: str) -> None:
    lockout.disable_account(session, actor=actor, user_ref=t.key, reason=reason)


def _token(session: Session, actor: Actor, t: Target, reason: str) -> None:
    lockout.revoke_user_token(session, actor=actor, token_id=t.key, reason=reason)


def _sessions(session: Session, actor: Actor, t: Target, reason: str) -> None:
    lockout.end_user_sessions(session, actor=actor, user_ref=t.key, reason=reason)


def _vendor(session: Session, actor: Actor, t: Target, reason: str) -> None:
    vendors.suspend(session, actor=actor, vendor_ref=t.key, reason=reason)


def _hold(session: Session, actor: Actor, t: Target, reason: str) -> None:
    if vault.get_document(session, actor=actor, document_id=t.key).legal_hold:
        raise PlanChanged(_CHANGED.format(ref=t.ref, now="it is on legal hold"))
    lifecycle.set_hold(session, actor=actor, document_id=t.key, reason=reason)


def _copy(session: Session, actor: Actor, t: Target, reason: str) -> None:
    ledger.mark_compromised(session, actor=actor, copy_id=t.key, reason=reason)


_RUN: dict[StepKind, Callable[[Session, Actor, Target, str], None]] = {
    StepKind.GRANTS: _grant,
    StepKind.ACCOUNTS: _account,
    StepKind.TOKENS: _token,
    StepKind.SESSIONS: _sessions,
    StepKind.VENDORS: _vendor,
    StepKind.HOLDS: _hold,
    StepKind.COPIES: _copy,
}


def run(session: Session, actor: Actor, t: Target, *, reason: str, reference: str) -> Step:
    """Make one change of the plan; the step as the containment keeps it."""
    if t.kind == StepKind.MONITORING:
        started = watch.heighten(
            session, actor=actor, person_ids=[t.key], reference=reference, reason=reason
        )
        if not started:
            raise PlanChanged(_CHANGED.format(ref=t.ref, now="already heightened"))
    else:
        _RUN[t.kind](session, actor, t, reason)
    return {
        "kind": t.kind.value,
        "key": t.key,
        "ref": t.ref,
        "text": t.text,
        "person_id": t.person_id,
        "amount": t.amount,
        "reason": reason,
        "reference": reference,
    }


# --- undoing ---------------------------------------------------------------------------------


def _undo_grant(session: Session, actor: Actor, step: Step, why: str) -> tuple[bool, str]:
    ref = step["ref"]
    try:
        grant = access.get(session, actor=actor, grant_ref=ref)
    except NotFound:
        return False, f"{ref} is no longer there to reinstate"
    if grant.status != GrantStatus.SUSPENDED or grant.status_reason != step["reason"]:
        now = grant.status.value + (f" ({grant.status_reason})" if grant.status_reason else "")
        return False, f"{ref} left as it is: it is {now} since"
    try:
        access.change_status(
            session, actor=actor, grant_ref=ref, status=GrantStatus.ACTIVE, reason=why
        )
    except AccessDenied as exc:
        return False, f"{ref} stays suspended: {exc.message}"
    return True, f"{ref} reinstated ({grant.person_name} on {grant.secret_ref})"


def _undo_account(session: Session, actor: Actor, step: Step, why: str) -> tuple[bool, str]:
    logins = lockout.logins_of(session, actor=actor, person_ids=[step["person_id"]])
    if not logins or logins[0].active:
        return False, f"the login {step['ref']} left as it is: it was enabled again since"
    lockout.enable_account(session, actor=actor, user_ref=step["key"], reason=why)
    return True, f"the login {step['ref']} enabled again"


def _undo_vendor(session: Session, actor: Actor, step: Step, why: str) -> tuple[bool, str]:
    vendor = vendors.get(session, actor=actor, vendor_ref=step["key"])
    if vendor.status != VendorStatus.SUSPENDED or vendor.status_reason != step["reason"]:
        return False, f"{vendor.ref} {vendor.name} left as it is: it is {vendor.status.value} since"
    vendors.reinstate(session, actor=actor, vendor_ref=step["key"], reason=why)
    return True, f"{vendor.ref} {vendor.name} active again"


def _undo_hold(session: Session, actor: Actor, step: Step, why: str) -> tuple[bool, str]:
    try:
        doc = vault.get_document(session, actor=actor, document_id=step["key"])
    except NotFound:
        return False, f"{step['text']}: no longer there"
    if not doc.legal_hold or doc.legal_hold_reason != step["reason"]:
        return False, f"{step['text']} left as it is: its hold changed since"
    lifecycle.release_hold(session, actor=actor, document_id=doc.id, reason=why)
    return True, f"legal hold released on {step['text']}"


def _undo_watch(session: Session, actor: Actor, step: Step, why: str) -> tuple[bool, str]:
    ended = watch.end_heightened(
        session, actor=actor, reference=step["reference"], reason=why, person_ids=[step["key"]]
    )
    if not ended:
        return False, f"heightened monitoring of {step['text']} had already ended"
    return True, f"heightened monitoring of {step['text']} ended"


_UNDO: dict[StepKind, Callable[[Session, Actor, Step, str], tuple[bool, str]]] = {
    StepKind.GRANTS: _undo_grant,
    StepKind.ACCOUNTS: _undo_account,
    StepKind.VENDORS: _undo_vendor,
    StepKind.HOLDS: _undo_hold,
    StepKind.MONITORING: _undo_watch,
}
#: what stays of the kinds a reversal does not undo
_STAYS = {
    StepKind.TOKENS: "{text} stays revoked",
    StepKind.SESSIONS: "{text}: ended, they stay ended",
    StepKind.COPIES: "{text} stays marked compromised",
}


def undo(session: Session, actor: Actor, step: Step, why: str) -> tuple[bool, str]:
    """Undo one step where that makes sense and what it did still stands: (undone, the line
    saying what happened to it)."""
    kind = StepKind(step["kind"])
    if kind in _STAYS:
        return False, _STAYS[kind].format(text=step["text"])
    return _UNDO[kind](session, actor, step, why)
