"""Where escalations become cases: monitoring's escalated alerts and leaks' findings (a
leak match, a canary that fired, a relevant watchlist item) open a case with the kind's
playbook, or join the open case the same origin opened before (investigating twice joins)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.incidents import repository
from crownjewels.incidents import service as cases
from crownjewels.incidents.schemas import CaseOpen, IncidentKind, Origin, Severity
from crownjewels.leaks import escalation as leak_escalation
from crownjewels.monitoring.triage import escalation as alert_escalation

#: the organisation's playbooks folder for cases opened by escalation (`use_playbooks`)
_PLAYBOOKS: list[Path | None] = [None]

#: an alert's kind by its rule (and a signal's by what it signals)
_RULE_KINDS = {"departing": IncidentKind.DEPARTURE}
_SIGNAL_KINDS = {
    "canary": IncidentKind.CANARY,
    "leak-match": IncidentKind.LEAK_FOUND,
    "watchlist": IncidentKind.LEAK_FOUND,
    "departure-look-back": IncidentKind.DEPARTURE,
}
_FINDING_ORIGINS = {
    "leak-match": (Origin.LEAK_MATCH, IncidentKind.LEAK_FOUND),
    "canary": (Origin.CANARY, IncidentKind.CANARY),
    "watchlist": (Origin.WATCHLIST, IncidentKind.LEAK_FOUND),
}


def use_playbooks(folder: Path | None) -> None:
    """The organisation's playbooks folder (the setting incident_playbooks), set at start-up."""
    _PLAYBOOKS[0] = folder


def _joined(session: Session, actor: Actor, refs: list[str], by: str, note: str) -> str | None:
    for origin_ref in refs:
        found = repository.open_case_for_origin(session, origin_ref)
        if found is not None:
            cases.join(session, actor=actor, ref=found.ref, origin_ref=by, note=note)
            return found.ref
    return None


def on_alert(session: Session, actor: Actor, escalated: alert_escalation.Escalation) -> str:
    """Open (or join) the case of an escalated alert: its person, organisation and secrets."""
    alert = escalated.alert
    signalled = str(alert.facts.get("kind", "")) if alert.rule_id == "signal" else ""
    reference = str(alert.facts.get("reference", "")).strip()
    joined = _joined(
        session, actor, [alert.ref, *([reference] if reference else [])], alert.ref, escalated.note
    )
    if joined:
        return joined
    kind = _SIGNAL_KINDS.get(signalled) or _RULE_KINDS.get(alert.rule_id, IncidentKind.THEFT)
    data = CaseOpen(
        title=alert.title,
        kind=kind,
        severity=Severity(alert.severity.value),
        summary=f"{alert.explanation}\n\nEscalated: {escalated.note}".strip(),
        origin=Origin.ALERT,
        origin_ref=alert.ref,
        discovered_at=alert.created_at,
        occurred_at=alert.first_event_at,
        playbook=None,
    )
    pairs = [("secret", s) for s in alert.secret_ids]
    if alert.person_id:
        pairs.append(("person", alert.person_id))
    if alert.organisation_id:
        pairs.append(("organisation", alert.organisation_id))
    opened = cases.open_case(
        session, actor=actor, data=data, playbook_dir=_PLAYBOOKS[0], known=pairs
    )
    return opened.ref


def on_finding(session: Session, actor: Actor, finding: leak_escalation.Finding) -> str:
    """Open (or join) the case of a leak finding: its secrets, what was found and where."""
    joined = _joined(session, actor, [finding.reference], finding.reference, finding.note)
    if joined:
        return joined
    origin, kind = _FINDING_ORIGINS.get(finding.kind, (Origin.LEAK_MATCH, IncidentKind.LEAK_FOUND))
    data = CaseOpen(
        title=finding.summary[:300]
        if len(finding.summary) >= 3
        else f"Finding {finding.reference}",
        kind=kind,
        severity=Severity.HIGH,
        summary=f"{finding.summary}\n\nEscalated: {finding.note}".strip(),
        origin=origin,
        origin_ref=finding.reference,
    )
    pairs = [("secret", s) for s in finding.secret_ids]
    opened = cases.open_case(
        session, actor=actor, data=data, playbook_dir=_PLAYBOOKS[0], known=pairs
    )
    return opened.ref
