"""A small world to contain, built through the services: a vendor (Lotus Process Services) with
three people, each granted two secrets; two of them with logins, API tokens and (one) live web
sessions; one grant already suspended; the secrets' documents, one already on legal hold; a copy
issued to each of the two; and the case IN-… about the vendor and both secrets."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantStatus
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.permissions import Role
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.schemas import Channel
from crownjewels.incidents import service as cases
from crownjewels.incidents.schemas import CaseOpen, CaseRead, IncidentKind
from crownjewels.inventory.schemas import Tier
from crownjewels.parties import accounts, sessions, tokens
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import PersonKind, TokenCreate
from crownjewels.vault import lifecycle
from crownjewels.vault import service as vault_service
from crownjewels.vault.service import Vault
from crownjewels.vendors import contacts
from crownjewels.vendors.schemas import ContactCreate
from tests.access.factories import bind_for_access
from tests.inventory.factories import make_secret
from tests.parties.factories import make_person, make_user
from tests.vendors.factories import make_vendor

ADMIN = system_actor("test")
KEY = disclosure.watermark_key("containment-test-secret-key-0123456789")
VENDOR = "Lotus Process Services"
PEOPLE = ("Priya Nair", "Arjun Mehta", "Kavya Rao")


@dataclass
class World:
    """What was made, as people read it."""

    case: str
    vendor: str
    secrets: list[str]
    #: person name -> id, email
    people: dict[str, tuple[str, str]]
    #: the live grants (by person name), the one already suspended
    grants: dict[str, list[str]] = field(default_factory=dict)
    suspended: str = ""
    documents: list[str] = field(default_factory=list)
    held_before: str = ""
    copies: list[str] = field(default_factory=list)
    security_user: str = ""


def _document(session: Session, vault: Vault, secret_ref: str, title: str) -> str:
    doc = vault_service.add_document(
        session,
        actor=ADMIN,
        vault=vault,
        owner_type="secret",
        owner_ref=secret_ref,
        title=title,
        upload=io.BytesIO(f"{title}: mill twice at low heat, wash in cold brine\n".encode() * 20),
        filename=f"{title.lower().replace(' ', '-')}.txt",
    )
    return doc.id


def _logins(session: Session, world: World) -> None:
    """Logins for Priya (two tokens, two live sessions) and Arjun (one token); none for Kavya."""
    for name, token_names in (("Priya Nair", ["sync", "ci"]), ("Arjun Mehta", ["laptop"])):
        person_id, _ = world.people[name]
        person = parties.get_person(session, actor=ADMIN, person_ref=person_id)
        user = make_user(session, ADMIN, Role.VENDOR_USER, person=person)
        for token_name in token_names:
            tokens.create_token(  # issued by an admin: vendor users may not make their own
                session,
                actor=ADMIN,
                user_id=user.id,
                data=TokenCreate(name=token_name, scopes=["read"]),
            )
        if name == "Priya Nair":
            for _ in range(2):
                sessions.start_session(session, user_id=user.id, mfa=True, max_age_seconds=3600)


def build(session: Session, vault: Vault) -> World:
    """The world, in the caller's unit of work."""
    vendor = make_vendor(session, ADMIN, name=VENDOR)
    owner = make_person(session, ADMIN, name="Dana Whitfield")
    secrets = [
        make_secret(session, ADMIN, owner=owner, name="Blue pigment", tier=Tier.SENSITIVE),
        make_secret(session, ADMIN, owner=owner, name="Brine recipe", tier=Tier.SENSITIVE),
    ]
    org = parties.get_organisation(session, actor=ADMIN, org_ref=vendor.organisation_id)
    people = {
        name: make_person(session, ADMIN, org=org, name=name, kind=PersonKind.VENDOR_STAFF)
        for name in PEOPLE
    }
    world = World(
        case="",
        vendor=vendor.ref,
        secrets=[s.ref for s in secrets],
        people={name: (p.id, p.email) for name, p in people.items()},
    )
    _logins(session, world)
    contacts.add_contact(  # due diligence is sent to the vendor's primary contact
        session,
        actor=ADMIN,
        vendor_ref=vendor.ref,
        data=ContactCreate(name="Arjun Mehta", email="arjun.mehta@lotus.example", is_primary=True),
    )
    for name, person in people.items():
        world.grants[name] = [
            bind_for_access(session, person_id=person.id, secret_id=s.id).grant.ref for s in secrets
        ]
    extra = bind_for_access(session, person_id=people["Priya Nair"].id, secret_id=secrets[0].id)
    access.change_status(
        session,
        actor=ADMIN,
        grant_ref=extra.grant.ref,
        status=GrantStatus.SUSPENDED,
        reason="under review since last month",
    )
    world.suspended = extra.grant.ref
    world.documents = [
        _document(session, vault, secrets[0].ref, "Pigment process sheet"),
        _document(session, vault, secrets[0].ref, "Pigment supplier list"),
        _document(session, vault, secrets[1].ref, "Brine ratios"),
    ]
    world.held_before = _document(session, vault, secrets[1].ref, "Brine litigation file")
    lifecycle.set_hold(
        session, actor=ADMIN, document_id=world.held_before, reason="litigation with Saltco"
    )
    for name, doc in (("Priya Nair", world.documents[0]), ("Arjun Mehta", world.documents[2])):
        issued = disclosure.issue_copy(
            session,
            actor=ADMIN,
            vault_=vault,
            key=KEY,
            document_id=doc,
            purpose="production run",
            channel=Channel.CLI,
            recipient=world.people[name][0],
        )
        world.copies.append(issued.copy.id)
    world.case = open_case(session, ADMIN, [s.ref for s in secrets]).ref
    security = make_user(session, ADMIN, Role.SECURITY)
    world.security_user = security.id
    return world


def open_case(session: Session, actor: Actor, secrets: list[str]) -> CaseRead:
    """The case about the vendor and the secrets (no playbook: its tasks are not the point)."""
    data = CaseOpen(
        title="Lotus staff copying pigment files",
        kind=IncidentKind.VENDOR_BREACH,
        organisations=[VENDOR],
        secrets=secrets,
        playbook="none",
    )
    return cases.open_case(session, actor=actor, data=data)


def security(session: Session, world: World) -> Actor:
    """The incident team's security user."""
    return accounts.actor_for_user(session, user_id=world.security_user, mfa=True)
