"""Protection from retaliation: a protected reporter's grant cannot be suspended or revoked, nor
their login disabled, their roles cut, their sessions ended or their tokens revoked, until
someone asks with a reason and a case handler other than the asker approves; the approval lets
exactly that action run once. The scheduled re-check leaves their grants for an approval."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - the adverse checker, custody labels
from crownjewels.access import service as access
from crownjewels.access.lifecycle import service as lifecycle
from crownjewels.access.models import Grant
from crownjewels.access.rules import GrantStatus
from crownjewels.core import adverse, clock
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.custody.models import CustodyEvent
from crownjewels.incidents.models import Approval
from crownjewels.incidents.reports import approvals
from crownjewels.incidents.reports import service as reports
from crownjewels.incidents.reports.errors import ApprovalNotFound, ReportConflict
from crownjewels.incidents.reports.schemas import (
    ApprovalDecision,
    ApprovalRequest,
    LiftProtection,
)
from crownjewels.parties import accounts, tokens
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import Departure, TokenCreate
from tests.access.lifecycle_factories import bound_person, granted, nda, partner
from tests.incidents.reports.world import ADMIN, Person, send, staff
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_user


@dataclass
class World:
    dana: Person
    grant: Grant
    security: Person
    hana: Person
    ivo: Person
    report: str


@pytest.fixture
def world(session: Session) -> World:
    """Dana (protected: she reported with her email) holds a grant; Sol of security manages
    grants; Hana and Ivo handle reports."""
    org = partner(session, ADMIN)
    nda(session, ADMIN, org=org, expires_on=clock.today() + timedelta(days=1))
    person = bound_person(session, ADMIN, org=org, name="Dana Whitfield")
    dana = Person(
        person, actor_for(session, make_user(session, ADMIN, Role.AUDITOR, person=person))
    )
    secret = make_secret(session, ADMIN, name="Brine recipe")
    grant = granted(session, ADMIN, person=dana.person, secret=secret)
    security = staff(session, "Sol Security", Role.SECURITY)
    hana = staff(session, "Hana Kovac", Role.CASE_HANDLER)
    ivo = staff(session, "Ivo Petrov", Role.CASE_HANDLER)
    received = send(session, reporter_name="Dana Whitfield", reporter_contact=dana.email)
    return World(dana, grant, security, hana, ivo, received.ref)


def suspend(session: Session, world: World, actor: Person | None = None) -> None:
    access.change_status(
        session,
        actor=(actor or world.security).actor,
        grant_ref=world.grant.ref,
        status=GrantStatus.SUSPENDED,
        reason="bulk download under review",
    )


def ask(session: Session, world: World, action: str = adverse.SUSPEND_GRANT) -> str:
    data = ApprovalRequest(
        person=world.dana.email,
        action=action,
        target=world.grant.ref if "grant" in action else "",
        reason="She downloaded forty files at night; suspend while we ask why.",
    )
    return approvals.request(session, actor=world.security.actor, data=data).ref


def events(session: Session, event_type: str) -> list[dict[str, object]]:
    custody.flush(session)
    query = select(CustodyEvent.details).where(CustodyEvent.event_type == event_type)
    return [json.loads(d) for d in session.scalars(query.order_by(CustodyEvent.seq))]


def test_a_protected_persons_grant_is_not_suspended_without_an_approval(
    session: Session, world: World
) -> None:
    with pytest.raises(adverse.ProtectedPerson) as refused:
        suspend(session, world)
    message = refused.value.message
    assert "Dana Whitfield is protected from retaliation" in message
    assert f"suspending the grant {world.grant.ref}" in message
    assert (
        f"crownjewels reports approvals request {world.dana.email} --action suspend-grant "
        f"--target {world.grant.ref}" in message
    )
    assert "/reports/approvals" in message and world.report not in message  # not which report
    assert refused.value.status_code == 409
    assert session.get(Grant, world.grant.id).status == GrantStatus.ACTIVE  # type: ignore[union-attr]


def test_approved_by_a_second_person_it_runs_once(session: Session, world: World) -> None:
    ref = ask(session, world)
    with pytest.raises(adverse.ProtectedPerson):
        suspend(session, world)  # pending is not approved
    with pytest.raises(Forbidden, match="reports:handle"):
        approvals.decide(
            session, actor=world.security.actor, ref=ref, data=ApprovalDecision(approve=True)
        )
    decided = approvals.decide(
        session, actor=world.hana.actor, ref=ref, data=ApprovalDecision(approve=True)
    )
    assert decided.status == "approved" and (decided.decided_by or "").startswith("Hana Kovac")
    suspend(session, world)
    assert session.get(Grant, world.grant.id).status == GrantStatus.SUSPENDED  # type: ignore[union-attr]
    assert session.scalar(select(Approval.status).where(Approval.ref == ref)) == "used"
    [taken] = events(session, "ADVERSE_ACTION_TAKEN")
    assert taken["ref"] == ref and taken["target"] == world.grant.ref
    access.change_status(
        session,
        actor=world.security.actor,
        grant_ref=world.grant.ref,
        status=GrantStatus.ACTIVE,
        reason="explained: a backup",
    )  # resuming is not adverse
    with pytest.raises(adverse.ProtectedPerson):
        suspend(session, world)  # used up: a second suspension needs a second approval
    with pytest.raises(ReportConflict, match="used already"):
        approvals.decide(
            session, actor=world.ivo.actor, ref=ref, data=ApprovalDecision(approve=True)
        )
    assert [e["decision"] for e in events(session, "ADVERSE_ACTION_DECIDED")] == ["approved"]
    [asked] = events(session, "ADVERSE_ACTION_REQUESTED")
    assert asked["action"] == "suspend-grant" and str(asked["reason"]).startswith("She downloaded")


def test_the_asker_never_approves_their_own_request(session: Session, world: World) -> None:
    data = ApprovalRequest(
        person=world.dana.email,
        action=adverse.REVOKE_GRANT,
        target=world.grant.ref.lower(),
        reason="She leaves the project team at the end of the month.",
    )
    ref = approvals.request(session, actor=world.hana.actor, data=data).ref
    with pytest.raises(Forbidden, match="another case handler decides"):
        approvals.decide(
            session, actor=world.hana.actor, ref=ref, data=ApprovalDecision(approve=True)
        )
    with pytest.raises(Invalid, match="say why"):
        approvals.decide(
            session, actor=world.ivo.actor, ref=ref, data=ApprovalDecision(approve=False)
        )
    refused = approvals.decide(
        session,
        actor=world.ivo.actor,
        ref=ref,
        data=ApprovalDecision(approve=False, note="Not a reason to revoke; wait for the review."),
    )
    assert refused.status == "refused"
    with pytest.raises(adverse.ProtectedPerson):
        access.change_status(
            session,
            actor=world.security.actor,
            grant_ref=world.grant.ref,
            status=GrantStatus.REVOKED,
            reason="project ended",
        )


def test_asking_is_checked_and_duplicates_are_refused(session: Session, world: World) -> None:
    plain = staff(session, "Otto Owner", Role.SECRET_OWNER)
    with pytest.raises(Forbidden):
        ask(session, World(world.dana, world.grant, plain, world.hana, world.ivo, world.report))
    ref = ask(session, world)
    with pytest.raises(ReportConflict, match=f"{ref} asks for this already"):
        ask(session, world)
    bad = ApprovalRequest(
        person=world.dana.email, action="fire-her", target="", reason="no reason at all here"
    )
    with pytest.raises(Invalid, match="choose the action"):
        approvals.request(session, actor=world.security.actor, data=bad)
    unprotected = ApprovalRequest(
        person=world.security.email,
        action=adverse.END_SESSIONS,
        reason="nothing to approve here",
    )
    with pytest.raises(Invalid, match="not protected"):
        approvals.request(session, actor=world.hana.actor, data=unprotected)
    foreign = ApprovalRequest(
        person=world.dana.email,
        action=adverse.SUSPEND_GRANT,
        target="GR-999999",
        reason="a grant that is not hers",
    )
    with pytest.raises(Invalid, match="not a grant of theirs"):
        approvals.request(session, actor=world.security.actor, data=foreign)
    mine = approvals.list_approvals(session, actor=world.security.actor)
    assert [a.ref for a in mine] == [ref] and mine[0].person == "Dana Whitfield"
    assert approvals.list_approvals(session, actor=world.ivo.actor)[0].ref == ref
    with pytest.raises(Forbidden):
        approvals.list_approvals(session, actor=plain.actor)


def test_a_handler_the_protected_report_names_neither_sees_nor_decides(
    session: Session, world: World
) -> None:
    uma = staff(session, "Uma Singh", Role.CASE_HANDLER)
    named = send(
        session,
        subject="Named",
        reporter_name="Vic Victim",
        reporter_contact=staff(session, "Vic Victim").email,
        involved="Uma Singh",
    )
    assert named.ref
    data = ApprovalRequest(
        person="Vic Victim", action=adverse.END_SESSIONS, reason="Suspected shared password."
    )
    ref = approvals.request(session, actor=world.security.actor, data=data).ref
    assert ref not in [a.ref for a in approvals.list_approvals(session, actor=uma.actor)]
    assert ref in [a.ref for a in approvals.list_approvals(session, actor=world.hana.actor)]
    with pytest.raises(ApprovalNotFound):
        approvals.decide(session, actor=uma.actor, ref=ref, data=ApprovalDecision(approve=True))
    tasks = approvals.tasks_for(session, actor=world.hana.actor)
    assert [t.href for t in tasks] == [f"/reports/approvals#{ref}"]
    assert approvals.tasks_for(session, actor=uma.actor) == []


def test_the_scheduled_recheck_leaves_a_protected_persons_grant_for_an_approval(
    session: Session, world: World
) -> None:
    later = clock.now() + timedelta(days=3)  # Dana's NDA lapsed: the re-check would suspend
    clock.set_clock(lambda: later)
    run = lifecycle.suspend_lapsed(session, actor=ADMIN)
    assert run.refs == [] and not run.by_owner
    assert world.grant.status == GrantStatus.ACTIVE
    ref = ask(session, world)
    approvals.decide(
        session,
        actor=world.hana.actor,
        ref=ref,
        data=ApprovalDecision(approve=True, note="the NDA lapsed"),
    )
    assert lifecycle.suspend_lapsed(session, actor=ADMIN).refs == [world.grant.ref]
    assert world.grant.status == GrantStatus.SUSPENDED


Action = Callable[[Session, World], object]


def _depart(session: Session, world: World) -> object:
    return parties.depart_person(
        session, actor=ADMIN, person_ref=world.dana.email, departure=Departure()
    )


def _cut_roles(session: Session, world: World) -> object:
    return accounts.set_roles(
        session, actor=ADMIN, user_ref=world.dana.email, roles=[Role.SECRET_OWNER]
    )


def _sign_out(session: Session, world: World) -> object:
    return accounts.sign_out_everywhere(session, actor=ADMIN, user_ref=world.dana.email)


def _reset_password(session: Session, world: World) -> object:
    return accounts.change_password(
        session, actor=ADMIN, user_ref=world.dana.email, password="a new one, set by an admin"
    )


@pytest.mark.parametrize(
    ("action", "do"),
    [
        (adverse.DISABLE_ACCOUNT, _depart),
        (adverse.REMOVE_ROLES, _cut_roles),
        (adverse.END_SESSIONS, _sign_out),
        (adverse.RESET_PASSWORD, _reset_password),
    ],
    ids=["departure", "roles", "sessions", "password"],
)
def test_the_login_of_a_protected_person_is_guarded_too(
    session: Session, world: World, action: str, do: Action
) -> None:
    with pytest.raises(
        adverse.ProtectedPerson, match=f"--action {action} --target {world.dana.email}"
    ):
        do(session, world)
    ref = ask(session, world, action)
    approvals.decide(session, actor=world.hana.actor, ref=ref, data=ApprovalDecision(approve=True))
    do(session, world)


def test_a_protected_person_acts_on_their_own_tokens_freely_others_do_not(
    session: Session, world: World
) -> None:
    user_id = world.dana.actor.id
    mine = tokens.create_token(
        session, actor=ADMIN, user_id=user_id, data=TokenCreate(name="laptop", scopes=["read"])
    )
    theirs = tokens.create_token(
        session, actor=ADMIN, user_id=user_id, data=TokenCreate(name="script", scopes=["read"])
    )
    tokens.revoke_token(session, actor=world.dana.actor, token_id=mine.id)
    # their own password too
    accounts.change_password(
        session, actor=world.dana.actor, user_ref=world.dana.email, password="my own new phrase"
    )
    with pytest.raises(adverse.ProtectedPerson, match="revoking the API token script"):
        tokens.revoke_token(session, actor=ADMIN, token_id=theirs.id)
    roles_added = accounts.set_roles(
        session, actor=ADMIN, user_ref=world.dana.email, roles=[Role.SECRET_OWNER, Role.AUDITOR]
    )
    assert Role.AUDITOR in roles_added.roles  # adding a role is no adverse action


LIFT_REASON = "Matched to the wrong Dana: the reporter works in another plant."


def _lift(session: Session, world: World, who: Person, reason: str = LIFT_REASON) -> None:
    reports.lift_protection(
        session, actor=who.actor, ref=world.report, data=LiftProtection(reason=reason)
    )


def test_ending_a_protection_needs_a_second_case_handler_and_leaves_the_report_out(
    session: Session, world: World
) -> None:
    """Ending the protection is itself an action against the reporter: refused until another
    case handler approves it, then done once, with the reason in the log but not the report;
    afterwards her grant is suspended without an approval."""
    assert reports.get(session, actor=world.hana.actor, ref=world.report).protected
    with pytest.raises(adverse.ProtectedPerson) as refused:
        _lift(session, world, world.hana)
    assert f"ending the protection from retaliation of {world.dana.email}" in refused.value.message
    assert "--action lift-protection" in refused.value.message
    with pytest.raises(Forbidden, match="reports:handle"):  # a grant manager may not ask for it
        ask(session, world, adverse.LIFT_PROTECTION)
    with pytest.raises(Invalid, match=f"give {world.dana.email}"):
        approvals.request(
            session,
            actor=world.hana.actor,
            data=ApprovalRequest(
                person=world.dana.email, action=adverse.LIFT_PROTECTION, target=world.report,
                reason="The reporter is not this Dana Whitfield.",
            ),
        )  # fmt: skip
    asked = approvals.request(
        session,
        actor=world.hana.actor,
        data=ApprovalRequest(
            person=world.dana.email, action=adverse.LIFT_PROTECTION,
            reason="The reporter is not this Dana Whitfield.",
        ),
    )  # fmt: skip
    assert asked.target == world.dana.email
    approvals.decide(
        session, actor=world.ivo.actor, ref=asked.ref, data=ApprovalDecision(approve=True)
    )
    with pytest.raises(Invalid, match=f"the reason names {world.report}"):
        _lift(session, world, world.hana, reason=f"{world.report.lower()} was made up")
    _lift(session, world, world.hana)
    assert reports.get(session, actor=world.hana.actor, ref=world.report).protected is None
    lifted = events(session, "REPORTER_PROTECTION_LIFTED")
    assert [e["reason"] for e in lifted] == [LIFT_REASON] and "since" in lifted[0]
    assert all(
        world.report not in json.dumps(e) for e in lifted + events(session, "ADVERSE_ACTION_TAKEN")
    )
    used = session.scalars(select(Approval.status).where(Approval.ref == asked.ref)).one()
    assert used == "used"
    with pytest.raises(ReportConflict, match="not protected"):
        _lift(session, world, world.hana)
    suspend(session, world)  # no approval needed any more
    assert session.get(Grant, world.grant.id).status == GrantStatus.SUSPENDED  # type: ignore[union-attr]
