"""The mail a grant's life queues in the outbox: the secret owner is told a request waits for
their approval, the second approvers after the first approval of a highly sensitive secret,
the requester of the decision; "My tasks" lists the same approvals."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.reviews import service as reviews
from crownjewels.access.schemas import GrantRead, GrantRequest
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.inventory.schemas import SecretRead, Tier
from crownjewels.parties.notifications.models import MailMessage
from crownjewels.parties.schemas import PersonRead
from tests.access.lifecycle_factories import bound_person, nda, partner
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_person, make_user


def _login(session: Session, admin: Actor, role: Role, name: str) -> tuple[Actor, PersonRead]:
    person = make_person(session, admin, name=name)
    return actor_for(session, make_user(session, admin, role, person=person)), person


def _mail_to(session: Session, person_id: str | None) -> list[MailMessage]:
    assert person_id
    query = select(MailMessage).where(MailMessage.recipient_person_id == person_id)
    return list(session.scalars(query.order_by(MailMessage.created_at, MailMessage.id)))


def _request(session: Session, who: Actor, person: PersonRead, secret: SecretRead) -> GrantRead:
    return access.request_grant(
        session,
        actor=who,
        data=GrantRequest(
            person=person.id,
            secret=secret.id,
            purpose="evaluating the process together",
            expires_at=clock.now() + timedelta(days=30),
        ),
    )


def _world(
    session: Session, admin: Actor, tier: Tier
) -> tuple[Actor, Actor, PersonRead, SecretRead]:
    owner, owner_person = _login(session, admin, Role.SECRET_OWNER, "Olive Owner")
    requester, _ = _login(session, admin, Role.VENDOR_MANAGER, "Rita Requester")
    org = partner(session, admin)
    nda(session, admin, org=org)
    recipient = bound_person(session, admin, org=org, name="Dana Whitfield")
    secret = make_secret(session, admin, owner=owner_person, name="Brine recipe", tier=tier)
    return owner, requester, recipient, secret


def test_the_owner_is_asked_and_the_requester_told_of_the_approval(
    session: Session, admin: Actor
) -> None:
    owner, requester, recipient, secret = _world(session, admin, Tier.SENSITIVE)
    grant = _request(session, requester, recipient, secret)
    assert owner.person_id and requester.person_id
    [ask] = _mail_to(session, owner.person_id)
    assert ask.kind == "grant-to-approve"
    assert grant.ref in ask.subject and secret.ref in ask.subject
    assert "Dana Whitfield" in ask.body and "Rita Requester" in ask.body
    assert "{base_url}/access/grants/" + grant.ref in ask.body
    tasks = access.tasks_for(session, actor=owner)
    assert [t.href for t in tasks if t.kind == "approve-grant"] == [f"/access/grants/{grant.ref}"]
    access.approve(session, actor=owner, grant_ref=grant.ref)
    [told] = _mail_to(session, requester.person_id)
    assert told.kind == "grant-decided" and "approved" in told.subject
    assert "Olive Owner" in told.body
    assert not [t for t in access.tasks_for(session, actor=owner) if t.kind == "approve-grant"]


def test_a_denial_tells_the_requester_why(session: Session, admin: Actor) -> None:
    owner, requester, recipient, secret = _world(session, admin, Tier.SENSITIVE)
    grant = _request(session, requester, recipient, secret)
    access.deny(session, actor=owner, grant_ref=grant.ref, reason="no project with them yet")
    [told] = _mail_to(session, requester.person_id)
    assert "denied" in told.subject and "no project with them yet" in told.body


def test_a_second_approver_is_asked_after_the_first_approval(
    session: Session, admin: Actor
) -> None:
    owner, requester, recipient, secret = _world(session, admin, Tier.HIGHLY_SENSITIVE)
    legal, legal_person = _login(session, admin, Role.LEGAL, "Lena Legal")
    grant = _request(session, requester, recipient, secret)
    assert _mail_to(session, legal_person.id) == []
    assert not [t for t in access.tasks_for(session, actor=legal) if t.kind == "approve-grant"]
    access.approve(session, actor=owner, grant_ref=grant.ref)
    [ask] = _mail_to(session, legal_person.id)
    assert ask.kind == "grant-to-approve" and grant.ref in ask.subject
    assert [t.kind for t in access.tasks_for(session, actor=legal)] == ["approve-grant"]
    assert _mail_to(session, requester.person_id) == []  # not decided yet


def test_the_holder_acknowledges_and_the_owner_reviews_from_their_tasks(
    session: Session, admin: Actor
) -> None:
    owner, requester, recipient, secret = _world(session, admin, Tier.SENSITIVE)
    holder = actor_for(session, make_user(session, admin, Role.VENDOR_USER, person=recipient))
    grant = _request(session, requester, recipient, secret)
    access.approve(session, actor=owner, grant_ref=grant.ref)
    [ack] = access.tasks_for(session, actor=holder)
    assert ack.kind == "acknowledge-notice" and ack.href == f"/portal/grants/{grant.ref}"
    approved = access.get(session, actor=admin, grant_ref=grant.ref)
    access.acknowledge_notice(
        session, actor=holder, grant=approved, secret=secret, channel="portal"
    )
    assert access.tasks_for(session, actor=holder) == []
    campaign = reviews.start(
        session, actor=admin, name="Q4 review", due_on=clock.today() + timedelta(days=14)
    )
    [review] = access.tasks_for(session, actor=owner)
    assert review.kind == "access-review" and campaign.ref in review.title
    assert review.href == f"/access/reviews/{campaign.ref}" and review.due_on == campaign.due_on
