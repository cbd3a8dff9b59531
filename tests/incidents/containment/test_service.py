"""Containment in one action against the database: the preview says exactly what will change
and changes nothing; the run changes every item through its own capability and records each
event, in one transaction (a step that fails leaves everything as it was); a plan that changed
since its preview is refused; the reversal undoes what makes sense and says what stays; a
protected reporter is held back; a closed case's heightened monitoring ends by the job."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantStatus
from crownjewels.core import adverse
from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.incidents import service as cases
from crownjewels.incidents.containment import service
from crownjewels.incidents.containment.errors import (
    NothingToContain,
    NothingToReverse,
    PlanChanged,
)
from crownjewels.incidents.containment.schemas import StepKind
from crownjewels.incidents.errors import CaseClosed, CaseNotFound
from crownjewels.incidents.reports import approvals, intake
from crownjewels.incidents.reports.schemas import ApprovalDecision, ApprovalRequest, ReportCreate
from crownjewels.incidents.schemas import Status, StatusMove, SubjectKind
from crownjewels.monitoring.watch import service as watch
from crownjewels.parties import lockout, tokens
from crownjewels.parties.schemas import TokenCreate
from crownjewels.vault import service as vault
from crownjewels.vendors import service as vendors
from tests.conftest import savepoint_per_test
from tests.incidents.containment.world import ADMIN, World, security
from tests.parties.factories import actor_for, make_person, make_user


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    """Each test in a savepoint over the module's world."""
    yield from savepoint_per_test(module_connection)


@pytest.fixture
def sec(session: Session, world: World) -> Actor:
    return security(session, world)


def _events(session: Session, since: int = 0) -> Counter[str]:
    custody.flush(session)
    query = select(CustodyEvent.event_type).where(CustodyEvent.seq > since)
    return Counter(session.scalars(query))


def _head(session: Session) -> int:
    custody.flush(session)
    return session.scalar(select(CustodyEvent.seq).order_by(CustodyEvent.seq.desc())) or 0


def _grant_statuses(session: Session, world: World) -> dict[str, str]:
    refs = [r for refs in world.grants.values() for r in refs]
    return {r: access.get(session, actor=ADMIN, grant_ref=r).status.value for r in refs}


def _state(session: Session, world: World) -> dict[str, Any]:
    """Everything containment touches, as it stands."""
    people = [pid for pid, _ in world.people.values()]
    logins = lockout.logins_of(session, actor=ADMIN, person_ids=people)
    return {
        "grants": _grant_statuses(session, world),
        "logins": {x.username: (x.active, len(x.tokens), x.live_sessions) for x in logins},
        "vendor": vendors.get(session, actor=ADMIN, vendor_ref=world.vendor).status.value,
        "holds": {
            d: vault.get_document(session, actor=ADMIN, document_id=d).legal_hold_reason
            for d in [*world.documents, world.held_before]
        },
        "copies": [
            c.compromised_at is not None
            for c in ledger.copies_to(session, actor=ADMIN, person_ids=people)
        ],
        "watched": watch.heightened_for(session, actor=ADMIN, reference=world.case),
        "case": cases.get(session, actor=ADMIN, ref=world.case).status.value,
    }


def test_the_preview_says_exactly_what_will_change(
    session: Session, world: World, sec: Actor
) -> None:
    before, head = _state(session, world), _head(session)
    plan = service.plan(session, actor=sec, ref=world.case.lower())
    s1, s2 = world.secrets
    assert plan.summary == (
        f"6 grants of 3 people at Lotus Process Services; 2 accounts; 3 tokens; 2 sessions; "
        f"vendor {world.vendor}; legal hold on 3 documents of {s1} and {s2}; "
        "2 copies marked compromised; heightened monitoring of 3 people"
    )
    counts = {s.kind: (s.count, s.already_words) for s in plan.steps}
    assert counts == {
        StepKind.GRANTS: (6, "already suspended: 1"),
        StepKind.ACCOUNTS: (2, None),
        StepKind.TOKENS: (3, None),
        StepKind.SESSIONS: (2, None),
        StepKind.VENDORS: (1, None),
        StepKind.HOLDS: (3, "already on legal hold: 1"),
        StepKind.COPIES: (2, None),
        StepKind.MONITORING: (3, None),
    }
    grants = plan.step(StepKind.GRANTS).items
    assert [g.ref for g in grants] == sorted(r for rs in world.grants.values() for r in rs)
    priya = world.grants["Priya Nair"][0]
    assert f"{priya}: Priya Nair on {s1} Blue pigment (download, active)" in [
        g.text for g in grants
    ]
    assert world.suspended not in [g.ref for g in grants]
    _, priya_email = world.people["Priya Nair"]
    logins = sorted(world.people[n][1] for n in ("Priya Nair", "Arjun Mehta"))
    assert sorted(a.ref for a in plan.step(StepKind.ACCOUNTS).items) == logins
    assert sorted(t.ref for t in plan.step(StepKind.TOKENS).items) == ["ci", "laptop", "sync"]
    [sessions] = plan.step(StepKind.SESSIONS).items
    assert sessions.text == f"2 live web sessions of Priya Nair ({priya_email})"
    assert [h.text for h in plan.step(StepKind.HOLDS).items] == [
        f"Pigment process sheet ({s1} Blue pigment)",
        f"Pigment supplier list ({s1} Blue pigment)",
        f"Brine ratios ({s2} Brine recipe)",
    ]
    assert sorted(c.ref for c in plan.step(StepKind.COPIES).items) == sorted(world.copies)
    assert plan.protected == [] and not any(s.held for s in plan.steps)
    assert service.plan(session, actor=sec, ref=world.case).digest == plan.digest
    assert _state(session, world) == before and _head(session) == head


def test_the_run_changes_every_item_and_records_each_event(
    session: Session, world: World, sec: Actor
) -> None:
    plan = service.plan(session, actor=sec, ref=world.case)
    head = _head(session)
    result = service.contain(session, actor=sec, ref=world.case, expected=plan.digest)
    assert result.containment.summary == plan.summary and result.status == "contained"
    assert result.message == f"{world.case} contained: {plan.summary}"
    now = _state(session, world)
    assert set(now["grants"].values()) == {"suspended"}
    reason = access.get(session, actor=ADMIN, grant_ref=world.grants["Kavya Rao"][0])
    assert reason.status_reason == f"containment of {world.case}: Lotus staff copying pigment files"
    assert all(not active and t == 0 and s == 0 for active, t, s in now["logins"].values())
    assert now["vendor"] == "suspended"
    assert all(r and r.startswith(f"containment of {world.case}") for r in
               [now["holds"][d] for d in world.documents])  # fmt: skip
    assert now["holds"][world.held_before] == "litigation with Saltco"
    assert now["copies"] == [True, True] and len(now["watched"]) == 3
    assert now["case"] == "contained"
    assert cases.get(session, actor=ADMIN, ref=world.case).contained_at is not None
    assert _events(session, head) == Counter(
        {
            "ACCESS_GRANT_STATUS_CHANGED": 6,
            "USER_DEACTIVATED": 2,
            "TOKEN_REVOKED": 3,
            "USER_SESSIONS_REVOKED": 1,
            "VENDOR_STATUS_CHANGED": 1,
            "DOCUMENT_LEGAL_HOLD_SET": 3,
            "COPY_COMPROMISED": 2,
            "HEIGHTENED_WATCH_STARTED": 3,
            "INCIDENT_CONTAINED": 1,
            "INCIDENT_STATUS_CHANGED": 1,
        }
    )
    [run] = service.history(session, actor=sec, ref=world.case)
    assert run.number == 1 and run.reversed_at is None
    assert [(s.kind, s.count) for s in run.steps][:4] == [
        (StepKind.GRANTS, 6),
        (StepKind.ACCOUNTS, 2),
        (StepKind.TOKENS, 3),
        (StepKind.SESSIONS, 2),
    ]
    with pytest.raises(NothingToContain, match="would change nothing"):
        service.contain(session, actor=sec, ref=world.case)


def test_a_step_that_fails_changes_nothing(
    db: Database, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third grant is revoked under the run (as another person's change would): the run
    refuses, and everything it did before is rolled back with it."""
    with db.unit_of_work(write=False) as s:
        before, head = _state(s, world), _head(s)
    real = access.change_status
    calls: list[str] = []

    def concurrently_revoked(session: Session, **kw: Any) -> Any:
        calls.append(kw["grant_ref"])
        if len(calls) == 3:
            real(session, actor=ADMIN, grant_ref=kw["grant_ref"], status=GrantStatus.REVOKED,
                 reason="revoked meanwhile")  # fmt: skip
        return real(session, **kw)

    monkeypatch.setattr(access, "change_status", concurrently_revoked)
    with pytest.raises(PlanChanged, match="changed since the preview"), db.unit_of_work() as s:
        service.contain(s, actor=security(s, world), ref=world.case)
    with db.unit_of_work(write=False) as s:
        assert _state(s, world) == before and _head(s) == head
    assert len(calls) == 3


def test_a_plan_that_changed_since_its_preview_is_refused(
    session: Session, world: World, sec: Actor
) -> None:
    plan = service.plan(session, actor=sec, ref=world.case)
    before, head = _state(session, world), _head(session)
    arjun = lockout.logins_of(session, actor=ADMIN, person_ids=[world.people["Arjun Mehta"][0]])
    tokens.create_token(
        session, actor=ADMIN, user_id=arjun[0].user_id, data=TokenCreate(name="backup")
    )
    before["logins"][arjun[0].username] = (True, 2, 0)
    head = _head(session)
    with pytest.raises(PlanChanged, match="preview again") as refused:
        service.contain(session, actor=sec, ref=world.case, expected=plan.digest)
    assert "4 tokens" in refused.value.message
    assert _state(session, world) == before and _head(session) == head
    fresh = service.plan(session, actor=sec, ref=world.case)
    assert fresh.digest != plan.digest
    done = service.contain(session, actor=sec, ref=world.case, expected=fresh.digest)
    assert "4 tokens" in done.containment.summary


def test_kinds_left_out_are_not_changed(session: Session, world: World, sec: Actor) -> None:
    result = service.contain(
        session, actor=sec, ref=world.case, skip=frozenset({StepKind.TOKENS, StepKind.VENDORS})
    )
    assert result.skipped == [StepKind.TOKENS, StepKind.VENDORS]
    assert "tokens" not in result.containment.summary and "vendor" not in result.containment.summary
    now = _state(session, world)
    assert now["vendor"] == "active"
    assert sorted(t for _, t, _ in now["logins"].values()) == [1, 2]


def test_the_reversal_undoes_what_makes_sense_and_says_what_stays(
    session: Session, world: World, sec: Actor
) -> None:
    before = _state(session, world)
    service.contain(session, actor=sec, ref=world.case)
    revoked = world.grants["Kavya Rao"][1]
    access.change_status(
        session, actor=ADMIN, grant_ref=revoked, status=GrantStatus.REVOKED, reason="left Lotus"
    )
    head = _head(session)
    done = service.reverse(session, actor=sec, ref=world.case, reason="a false alarm")
    assert done.summary == "14 changes undone, 7 changes left as they are"
    assert f"{revoked} left as it is: it is revoked (left Lotus) since" in done.kept
    assert sum("stays revoked" in line for line in done.kept) == 3
    assert sum("stays marked compromised" in line for line in done.kept) == 2
    assert any("they stay ended" in line for line in done.kept)
    now = _state(session, world)
    assert now["grants"] == {**before["grants"], revoked: "revoked"}
    assert [a for a, _, _ in now["logins"].values()] == [True, True]
    assert now["vendor"] == "active" and now["holds"] == before["holds"]
    assert now["copies"] == [True, True] and now["watched"] == []
    assert now["case"] == "contained"
    events = _events(session, head)
    assert events["INCIDENT_CONTAINMENT_REVERSED"] == 1 and events["USER_REACTIVATED"] == 2
    assert events["DOCUMENT_LEGAL_HOLD_RELEASED"] == 3 and events["HEIGHTENED_WATCH_ENDED"] == 3
    [run] = service.history(session, actor=sec, ref=world.case)
    assert run.reversed_at is not None and run.reversed_by
    with pytest.raises(NothingToReverse, match="no containment in force"):
        service.reverse(session, actor=sec, ref=world.case, reason="again")


def test_who_may_contain_and_which_cases(session: Session, world: World, sec: Actor) -> None:
    legal = actor_for(session, make_user(session, ADMIN, Role.LEGAL))
    with pytest.raises(Forbidden, match="incidents:contain"):
        service.plan(session, actor=legal, ref=world.case)
    assert service.history(session, actor=legal, ref=world.case) == []
    vendor_user = actor_for(session, make_user(session, ADMIN, Role.VENDOR_USER))
    with pytest.raises(CaseNotFound):
        service.plan(session, actor=vendor_user, ref=world.case)
    with pytest.raises(CaseNotFound):
        service.contain(session, actor=sec, ref="IN-9999")
    cases.move(
        session, actor=ADMIN, ref=world.case, to=StatusMove(status=Status.DISMISSED, reason="no")
    )
    with pytest.raises(CaseClosed, match="dismissed"):
        service.contain(session, actor=sec, ref=world.case)


def test_a_closed_cases_heightened_monitoring_ends(
    session: Session, world: World, sec: Actor
) -> None:
    service.contain(session, actor=sec, ref=world.case, skip=frozenset({StepKind.GRANTS}))
    assert service.end_watches_of_ended_cases(session, actor=ADMIN) == []
    cases.move(
        session,
        actor=ADMIN,
        ref=world.case,
        to=StatusMove(status=Status.DISMISSED, reason="a false alarm"),
    )
    assert service.end_watches_of_ended_cases(session, actor=ADMIN) == [world.case]
    assert watch.heightened_for(session, actor=ADMIN, reference=world.case) == []
    assert service.end_watches_of_ended_cases(session, actor=ADMIN) == []


@pytest.fixture
def checked() -> Iterator[None]:
    """The report channel's checker of adverse actions, as registry.py registers it."""
    had = approvals.check_adverse in adverse._CHECKERS
    adverse.register(approvals.check_adverse)
    yield
    if not had:
        adverse._CHECKERS.remove(approvals.check_adverse)


def test_a_protected_reporter_is_held_back_without_an_approval(
    session: Session, world: World, sec: Actor, checked: None
) -> None:
    kavya_id, kavya_email = world.people["Kavya Rao"]
    intake.submit(
        session,
        data=ReportCreate(
            subject="Files copied at Lotus",
            body="Two colleagues copy the pigment files to their own laptops.",
            reporter_name="Kavya Rao",
            reporter_contact=kavya_email,
            password="a-long-password-42",
        ),
        uploads=[],
        store=None,
    )
    first, second = world.grants["Kavya Rao"]
    asked = approvals.request(
        session,
        actor=sec,
        data=ApprovalRequest(
            person=kavya_email,
            action=adverse.SUSPEND_GRANT,
            target=first,
            reason="she is among the people with access",
        ),
    )
    handler = actor_for(session, make_user(session, ADMIN, Role.CASE_HANDLER))
    approvals.decide(session, actor=handler, ref=asked.ref, data=ApprovalDecision(approve=True))
    plan = service.plan(session, actor=sec, ref=world.case)
    assert plan.protected == ["Kavya Rao"]
    grants = plan.step(StepKind.GRANTS)
    assert grants.count == 5 and first in [g.ref for g in grants.items]
    [held] = grants.held
    assert held.ref == second and "protected from retaliation" in held.text
    assert "crownjewels reports approvals request" in held.text
    result = service.contain(session, actor=sec, ref=world.case, expected=plan.digest)
    assert result.held == [held.text]
    statuses = _grant_statuses(session, world)
    assert (statuses[first], statuses[second]) == ("suspended", "active")
    assert kavya_id in {
        w.person_id for w in watch.heightened_for(session, actor=ADMIN, reference=world.case)
    }


def test_a_person_added_to_the_case_is_in_its_scope(
    session: Session, world: World, sec: Actor
) -> None:
    owner = make_person(session, ADMIN, name="Oskar Lind")
    cases.add_subject(
        session, actor=ADMIN, ref=world.case, kind=SubjectKind.PERSON, typed=owner.email
    )
    plan = service.plan(session, actor=sec, ref=world.case)
    assert f"Oskar Lind ({owner.email})" in plan.people
    assert plan.summary.endswith("heightened monitoring of 4 people")
    assert plan.step(StepKind.GRANTS).count == 6  # he holds none
