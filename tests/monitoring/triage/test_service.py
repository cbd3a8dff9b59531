"""Triage's verbs on both engines: the queue's filters, counts and scoping (a secret owner
sees their own secrets' alerts, read-only), each action and its custody event, the per-rule
feedback, suspending a person's grants through access, escalation with and without a
receiver, and the person's activity against their baseline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from crownjewels.access.models import Grant
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.inventory.schemas import SecretRead
from crownjewels.monitoring.models import Alert
from crownjewels.monitoring.triage import escalation
from crownjewels.monitoring.triage import service as triage
from crownjewels.monitoring.triage.errors import AlertConflict, AlertNotFound, InvalidTriage
from crownjewels.monitoring.triage.schemas import AlertFilter
from crownjewels.parties.schemas import PersonRead
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.inventory.factories import make_secret
from tests.monitoring.triage.factories import make_alert
from tests.parties.factories import actor_for, make_person, make_user
from tests.receivers import taken_out


@dataclass
class World:
    analyst: Actor
    owner: Actor
    vendor_user: Actor
    rohan: PersonRead
    secret: SecretRead
    other_secret: SecretRead
    grant: Grant
    alert: Alert
    quiet: Alert


@pytest.fixture
def world(session: Session, admin: Actor) -> World:
    org = partner(session, admin, name="Lotus Process Services")
    nda(session, admin, org=org)
    rohan = bound_person(session, admin, org=org, name="Rohan Gupta")
    owner_person = make_person(session, admin, name="Olivia Owner")
    secret = make_secret(session, admin, name="Brine recipe", owner=owner_person)
    other = make_secret(session, admin, name="Smoker timings")
    grant = granted(session, admin, person=rohan, secret=secret)
    analyst = actor_for(session, make_user(session, admin, Role.SECURITY))
    owner = actor_for(session, make_user(session, admin, Role.SECRET_OWNER, person=owner_person))
    vendor_user = actor_for(session, make_user(session, admin, Role.VENDOR_USER, person=rohan))
    alert = make_alert(session, person=rohan, secret_ids=[secret.id], events=8)
    quiet = make_alert(
        session, actor="ci-bot", secret_ids=[other.id], rule_id="off-hours", severity="low"
    )
    return World(analyst, owner, vendor_user, rohan, secret, other, grant, alert, quiet)


def _refs(session: Session, actor: Actor, **filters: object) -> list[str]:
    queue = triage.list_alerts(session, actor=actor, filters=AlertFilter.model_validate(filters))
    return [a.ref for a in queue.alerts]


def test_the_queue_filters_counts_and_names(session: Session, world: World) -> None:
    a, q = world.alert.ref, world.quiet.ref
    assert _refs(session, world.analyst) == [a, q]  # the high one first
    assert _refs(session, world.analyst, severity="low") == [q]
    assert _refs(session, world.analyst, secret=world.secret.ref) == [a]
    assert _refs(session, world.analyst, person=world.rohan.email) == [a]
    assert _refs(session, world.analyst, person="Rohan Gupta") == [a]
    assert _refs(session, world.analyst, organisation="Lotus Process Services") == [a]
    assert _refs(session, world.analyst, rule="off-hours") == [q]
    queue = triage.list_alerts(
        session,
        actor=world.analyst,
        filters=AlertFilter(severity="high"),  # type: ignore[arg-type]
    )
    assert queue.total == 1
    assert queue.counts.by_severity == {"high": 1, "low": 1}
    assert queue.counts.by_status == {"open": 1}
    shown = queue.alerts[0]
    assert shown.person_name == "Rohan Gupta"
    assert shown.organisation_name == "Lotus Process Services"
    assert [s.label for s in shown.secrets] == [f"{world.secret.ref} Brine recipe"]
    with pytest.raises(InvalidTriage, match="TS-0001"):
        _refs(session, world.analyst, secret="TS-9999")


def test_a_secret_owner_reads_only_their_secrets_alerts_and_acts_on_none(
    session: Session, world: World
) -> None:
    assert _refs(session, world.owner) == [world.alert.ref]
    assert triage.get(session, actor=world.owner, ref=world.alert.ref).ref == world.alert.ref
    with pytest.raises(AlertNotFound):
        triage.get(session, actor=world.owner, ref=world.quiet.ref)
    with pytest.raises(Forbidden, match="alerts:triage"):
        triage.comment(session, actor=world.owner, ref=world.alert.ref, body="looks odd")
    with pytest.raises(Forbidden, match="alerts:read"):
        _refs(session, world.vendor_user)


def _events(session: Session, alert: Alert) -> list[str]:
    found = custody.history(session, subject_type="alert", subject_id=alert.id)
    return [e.event_type for e in reversed(found)]


def test_assign_comment_dismiss_reopen_confirm_each_leave_a_record(
    session: Session, world: World
) -> None:
    ref, analyst = world.alert.ref, world.analyst
    assigned = triage.assign(session, actor=analyst, ref=ref.lower(), assignee="Olivia Owner")
    assert assigned.status == "assigned" and assigned.assignee_name == "Olivia Owner"
    triage.comment(session, actor=analyst, ref=ref, body="Asked Rohan's manager about it")
    with pytest.raises(InvalidTriage, match="say why"):
        triage.dismiss(session, actor=analyst, ref=ref, reason=" ")
    dismissed = triage.dismiss(session, actor=analyst, ref=ref, reason="quarterly audit pull")
    assert dismissed.status == "dismissed" and dismissed.resolution == "quarterly audit pull"
    with pytest.raises(AlertConflict, match="already dismissed"):
        triage.dismiss(session, actor=analyst, ref=ref, reason="again")
    with pytest.raises(AlertConflict, match="reopen it first"):
        triage.confirm(session, actor=analyst, ref=ref)
    reopened = triage.reopen(session, actor=analyst, ref=ref, reason="the audit was last month")
    assert reopened.status == "assigned" and reopened.resolution is None
    confirmed = triage.confirm(session, actor=analyst, ref=ref, note="he copied it to a USB key")
    assert confirmed.status == "confirmed" and confirmed.resolved_by == analyst.ref
    assert _events(session, world.alert) == [
        "ALERT_ASSIGNED",
        "ALERT_COMMENTED",
        "ALERT_DISMISSED",
        "ALERT_REOPENED",
        "ALERT_CONFIRMED",
    ]
    kinds = [n.kind for n in triage.trail(session, actor=analyst, ref=ref)]
    assert kinds == ["assigned", "comment", "dismissed", "reopened", "confirmed"]


def test_dismissals_are_kept_per_rule_as_tuning_feedback(session: Session, world: World) -> None:
    triage.dismiss(session, actor=world.analyst, ref=world.quiet.ref, reason="nightly CI job")
    triage.confirm(session, actor=world.analyst, ref=world.alert.ref)
    feedback = {f.rule_id: f for f in triage.rule_feedback(session, actor=world.analyst)}
    assert feedback["off-hours"].dismissed == 1
    assert feedback["off-hours"].precision == 0.0
    assert feedback["off-hours"].reasons == ["nightly CI job"]
    assert feedback["bulk-download"].confirmed == 1
    assert feedback["bulk-download"].precision == 1.0


def test_suspending_the_persons_grants_goes_through_access(session: Session, world: World) -> None:
    done = triage.suspend_grants(
        session, actor=world.analyst, ref=world.alert.ref, reason="bulk download under review"
    )
    assert done.grants == [world.grant.ref]
    session.refresh(world.grant)
    assert world.grant.status == "suspended"
    assert "bulk download under review" in (world.grant.status_reason or "")
    assert _events(session, world.alert) == ["ALERT_GRANTS_SUSPENDED"]
    with pytest.raises(AlertConflict, match="no live grant"):
        triage.suspend_grants(session, actor=world.analyst, ref=world.alert.ref, reason="again")
    with pytest.raises(InvalidTriage, match="no known person"):
        triage.suspend_grants(session, actor=world.analyst, ref=world.quiet.ref, reason="stop")


@pytest.fixture
def alone() -> Iterator[None]:
    """Monitoring on its own: the incidents capability's receiver taken out for the test."""
    with taken_out(escalation.RECEIVERS):
        yield


@pytest.fixture
def receiver(alone: None) -> Iterator[list[str]]:
    seen: list[str] = []

    def open_case(session: Session, actor: Actor, esc: escalation.Escalation) -> str:
        seen.append(f"{esc.alert.ref}: {esc.note}")
        return "IN-0004"

    escalation.register("test-incidents", open_case)
    yield seen
    escalation.unregister("test-incidents")


def test_escalating_without_a_receiver_says_no_case_was_opened(
    session: Session, world: World, alone: None
) -> None:
    done = triage.escalate(session, actor=world.analyst, ref=world.alert.ref, note="legal hold")
    assert done.case is None and "no incident capability" in done.message
    assert done.alert.status == "escalated"
    with pytest.raises(AlertConflict, match="already escalated"):
        triage.escalate(session, actor=world.analyst, ref=world.alert.ref, note="again")


def test_escalating_hands_the_alert_to_the_registered_receiver(
    session: Session, world: World, receiver: list[str]
) -> None:
    done = triage.escalate(session, actor=world.analyst, ref=world.alert.ref, note="legal hold")
    assert done.case == "IN-0004" and done.alert.escalated_to == "IN-0004"
    assert receiver == [f"{world.alert.ref}: legal hold"]
    assert _events(session, world.alert) == ["ALERT_ESCALATED"]


def test_the_persons_activity_against_their_baseline(session: Session, world: World) -> None:
    seen = triage.activity(session, actor=world.analyst, ref=world.alert.ref)
    assert seen.subject == "Rohan Gupta"
    assert len(seen.days) == triage.CHART_DAYS
    last = seen.days[-1]
    # a habit of two downloads a day; the alert's day adds the burst of eight
    assert last.flagged and last.count >= 8 and last.median == 2
    assert last.count > last.threshold
    assert [d.count for d in seen.days[-10:-1]] == [2] * 9
    assert not any(d.flagged for d in seen.days[:-2])


def test_an_unknown_actors_activity_is_found_by_the_name_they_used(
    session: Session, world: World
) -> None:
    seen = triage.activity(session, actor=world.analyst, ref=world.quiet.ref)
    assert seen.subject == "ci-bot" and seen.days[-1].flagged
    assert triage.grants_of(session, actor=world.analyst, ref=world.quiet.ref) == []


def test_alerts_assigned_to_an_analyst_wait_in_their_tasks(session: Session, world: World) -> None:
    assert triage.tasks_for(session, actor=world.analyst) == []
    triage.assign(session, actor=world.analyst, ref=world.alert.ref, assignee="me")
    (task,) = triage.tasks_for(session, actor=world.analyst)
    assert task.group == "Alerts" and task.href == f"/alerts/{world.alert.ref}"
    assert task.title.startswith(f"Triage {world.alert.ref} (high)")
    triage.dismiss(session, actor=world.analyst, ref=world.alert.ref, reason="audit pull")
    assert triage.tasks_for(session, actor=world.analyst) == []
    assert triage.tasks_for(session, actor=world.owner) == []


def test_an_alert_changed_meanwhile_is_a_conflict_not_a_crash(
    session: Session, world: World
) -> None:
    triage.get(session, actor=world.analyst, ref=world.alert.ref)  # loaded at version 1
    # the scorer adds a hit in its own transaction meanwhile
    session.connection().execute(
        text("UPDATE monitoring_alert SET version = version + 1, hits = hits + 1 WHERE id = :id"),
        {"id": world.alert.id},
    )
    with pytest.raises(AlertConflict, match="changed while you were acting"):
        triage.comment(session, actor=world.analyst, ref=world.alert.ref, body="on it")
    session.rollback()  # as the edge does after a refused action
