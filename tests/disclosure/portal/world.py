"""Two vendors (A, B) with a vendor user each, a secret each with a document, a grant each,
and an internal secret with a document nobody outside holds: the portal tests' world.

Binding goes through the real service calls of tests.access.factories (its agreement and
due-diligence steps) but stops short of the acknowledgement, which bind_for_access records and
the portal tests need to leave to the vendor user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.facts import Level
from crownjewels.access.schemas import GrantRead, GrantRequest
from crownjewels.core import clock
from crownjewels.core.actor import system_actor
from crownjewels.inventory.schemas import SecretRead
from crownjewels.parties import accounts
from crownjewels.parties.schemas import PersonRead, UserRead
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentRead
from tests.access.factories import _agreement, _vendor_ready
from tests.inventory.factories import make_secret
from tests.vendors.diligence_factories import make_contact, make_vendor, make_vendor_user

BINDER = system_actor("portal-test")
SHEET = b"the blue pigment is milled twice at low heat then washed in cold brine\n" * 20


@dataclass(frozen=True)
class Side:
    """One vendor: its user, their person, the secret granted to them, its document, the grant."""

    person: PersonRead
    user: UserRead
    secret: SecretRead
    document: DocumentRead
    grant: GrantRead


@dataclass(frozen=True)
class World:
    """Vendor A, vendor B, and an internal secret with its document."""

    a: Side
    b: Side
    internal: SecretRead
    internal_document: DocumentRead


def add_document(
    session: Session, vault_: vault.Vault, secret: SecretRead, title: str
) -> DocumentRead:
    """A text document of the secret, in the vault."""
    return vault.add_document(
        session,
        actor=BINDER,
        vault=vault_,
        owner_type="secret",
        owner_ref=secret.id,
        title=title,
        upload=BytesIO(SHEET),
        filename=f"{title.lower().replace(' ', '-')}.txt",
    )


def request(session: Session, *, person_id: str, secret_id: str, purpose: str) -> GrantRead:
    """A requested download grant for the person, with the agreement and due diligence in place
    (the acknowledgement is still to come)."""
    _agreement(session, person_id, secret_id)
    _vendor_ready(session, accounts_person(session, person_id).organisation_id)
    return access.request_grant(
        session,
        actor=BINDER,
        data=GrantRequest(
            person=person_id,
            secret=secret_id,
            level=Level.DOWNLOAD,
            purpose=purpose,
            expires_at=clock.now() + timedelta(days=30),
        ),
    )


def approve(session: Session, grant: GrantRead) -> GrantRead:
    """Every approval the grant needs."""
    while grant.status.value == "requested":
        grant = access.approve(session, actor=BINDER, grant_ref=grant.ref, note="portal test")
    return grant


def bind(session: Session, *, person_id: str, secret_id: str, purpose: str) -> GrantRead:
    """An approved download grant for the person, every access rule met but the notice, which
    is acknowledged at first access, in the portal (the approval does not ask for it)."""
    return approve(
        session, request(session, person_id=person_id, secret_id=secret_id, purpose=purpose)
    )


def accounts_person(session: Session, person_id: str) -> PersonRead:
    from crownjewels.parties import service as parties

    return parties.get_person(session, actor=BINDER, person_ref=person_id)


def _side(session: Session, vault_: vault.Vault, name: str) -> Side:
    vendor, org = make_vendor(session, BINDER, name=f"{name} Ltd")
    make_contact(session, vendor)
    person, actor = make_vendor_user(session, BINDER, org)
    secret = make_secret(session, BINDER, name=f"{name} formula", allowed_regions=["IN", "US"])
    document = add_document(session, vault_, secret, f"{name} sheet")
    grant = bind(session, person_id=person.id, secret_id=secret.id, purpose=f"{name} trial batch")
    user = accounts.get_user(session, user_id=actor.id)
    return Side(person=person, user=user, secret=secret, document=document, grant=grant)


def make_world(session: Session, vault_: vault.Vault) -> World:
    """Both vendors and the internal secret."""
    a, b = _side(session, vault_, "Alpha"), _side(session, vault_, "Bravo")
    internal = make_secret(session, BINDER, name="Internal glaze")
    return World(
        a=a,
        b=b,
        internal=internal,
        internal_document=add_document(session, vault_, internal, "Glaze sheet"),
    )
