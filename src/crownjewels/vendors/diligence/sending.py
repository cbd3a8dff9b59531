"""Sending a questionnaire to a vendor contact, as a vendor-user account's task or a one-time
link (only its SHA-256 is stored), new links for an open assessment, and the actor of someone
holding a link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission, Role
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from crownjewels.vendors.diligence import mail, repository, rules
from crownjewels.vendors.diligence.errors import (
    LinkGone,
    WrongState,
)
from crownjewels.vendors.diligence.models import (
    Assessment,
    AssessmentLink,
)
from crownjewels.vendors.diligence.reads import (
    SUBJECT,
    get_row,
    read,
    template_row,
    vendor_row,
)
from crownjewels.vendors.diligence.schemas import (
    OPEN_FOR_VENDOR,
    AssessmentRead,
    AssessmentSend,
    AssessmentStatus,
    Channel,
    LinkIssued,
)
from crownjewels.vendors.models import VendorProfile

LINK_PREFIX = "/a/"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue_link(session: Session, actor: Actor, assessment: Assessment, days: int) -> LinkIssued:
    now = clock.now()
    for old in repository.active_links(session, assessment.id, now):
        old.revoked_at = now
    token = secrets.token_urlsafe(32)
    link = AssessmentLink(
        assessment_id=assessment.id,
        token_sha256=_token_hash(token),
        expires_at=now + timedelta(days=days),
        created_by=actor.ref,
    )
    session.add(link)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_LINK_ISSUED,
        subject_type=SUBJECT,
        subject_id=assessment.id,
        details={"link_id": link.id, "expires_at": link.expires_at, "round": assessment.round},
    )
    return LinkIssued(path=LINK_PREFIX + token, token=token, expires_at=link.expires_at)


def _recipient(
    session: Session, actor: Actor, vendor: VendorProfile, data: AssessmentSend
) -> tuple[str | None, str, str, str | None]:
    """(contact id, name, email, vendor-user person id) of the recipient."""
    contacts = repository.contacts(session, vendor.id)
    contact = next((c for c in contacts if c.id == data.contact_id), None)
    if data.contact_id and contact is None:
        raise NotFound(
            f"vendor {vendor.ref} has no contact {data.contact_id!r}", field="contact_id"
        )
    if contact is None and contacts:
        contact = contacts[0]
    person_id = contact.person_id if contact else None
    if data.recipient:
        person_id = parties.resolve_person_id(session, actor=actor, person_ref=data.recipient)
    if data.channel is Channel.ACCOUNT:
        if person_id is None:
            raise Invalid(
                "a questionnaire for a vendor-user account needs the user: give `recipient` "
                "(a person of the vendor with a vendor-user login), or send a one-time link",
                field="recipient",
            )
        person = parties.get_person(session, actor=actor, person_ref=person_id)
        if person.organisation_id != vendor.organisation_id:
            raise Invalid(
                f"{person.full_name} does not work for this vendor; choose one of its staff",
                field="recipient",
            )
        return (contact.id if contact else None, person.full_name, person.email, person.id)
    if contact is None:
        raise Invalid(
            f"vendor {vendor.ref} has no contact to send the link to; add a contact first",
            field="contact_id",
        )
    return contact.id, contact.name, contact.email, None


def send(session: Session, *, actor: Actor, data: AssessmentSend) -> AssessmentRead:
    """Send a questionnaire to a vendor contact: a vendor user answers it after logging in, a
    one-time link (returned once, in `link`) needs no account."""
    actor.require(Permission.VENDORS_WRITE)
    vendor = vendor_row(session, actor, data.vendor)
    template = template_row(session, data.template)
    secret_ids = []
    for ref in data.secrets:
        secret_ids.append(inventory.get(session, actor=actor, secret_ref=ref).id)
    contact_id, name, email, person_id = _recipient(session, actor, vendor, data)
    assessment = Assessment(
        id=new_id(),
        ref=next_ref(session, Assessment.ref, "DD-", 4),
        vendor_id=vendor.id,
        organisation_id=vendor.organisation_id,
        template_id=template.id,
        contact_id=contact_id,
        recipient_name=name,
        recipient_email=email,
        recipient_person_id=person_id,
        channel=data.channel,
        status=AssessmentStatus.SENT,
        secret_ids=sorted(set(secret_ids)),
        due_on=data.due_on,
        message=data.message,
        sent_at=clock.now(),
        sent_by=actor.ref,
    )
    session.add(assessment)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.ASSESSMENT_SENT,
        subject_type=SUBJECT,
        subject_id=assessment.id,
        details={
            "ref": assessment.ref,
            "vendor_id": vendor.id,
            "template": f"{template.key}:{template.version}",
            "template_sha256": template.sha256,
            "channel": data.channel,
            "recipient_email": email,
            "secret_ids": assessment.secret_ids,
            "due_on": data.due_on,
        },
    )
    link = (
        _issue_link(session, actor, assessment, data.link_days) if data.channel == "link" else None
    )
    mail.questionnaire_sent(session, actor=actor, a=assessment, link=link)
    return read(session, actor, assessment, template=template, link=link)


def issue_link(
    session: Session, *, actor: Actor, assessment_ref: str, days: int = 14
) -> LinkIssued:
    """A new one-time link for an assessment the vendor may still answer (earlier links stop)."""
    actor.require(Permission.VENDORS_WRITE)
    assessment = get_row(session, actor, assessment_ref)
    if assessment.status not in OPEN_FOR_VENDOR:
        raise WrongState(
            f"{assessment.ref} is {assessment.status}; only an assessment the vendor may still "
            "answer gets a new link"
        )
    if not 1 <= days <= 90:
        raise Invalid("a link is valid for 1 to 90 days", field="days")
    link = _issue_link(session, actor, assessment, days)
    mail.questionnaire_sent(session, actor=actor, a=assessment, link=link)
    return link


def link_actor(session: Session, *, token: str) -> Actor:
    """The actor of someone holding a one-time link: it sees and answers only that assessment.
    An unknown token is 404; an expired, used or withdrawn one 410 with what to do."""
    link = repository.link_by_hash(session, _token_hash(token.strip()))
    if link is None:
        raise NotFound("this link is not known; check that you copied all of it")
    problem = rules.link_problem(
        expires_at=link.expires_at,
        used_at=link.used_at,
        revoked_at=link.revoked_at,
        now=clock.now(),
    )
    if problem:
        raise LinkGone(problem)
    a = session.get(Assessment, link.assessment_id)
    assert a is not None
    return Actor(
        kind=repository.LINK_ACTOR,
        id=link.id,
        name=f"{a.recipient_name} (one-time link)",
        roles=frozenset({Role.VENDOR_USER}),
        mfa=True,
    )
