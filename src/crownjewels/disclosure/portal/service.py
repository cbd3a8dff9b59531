"""The vendor portal: a vendor user's own grants, the confidentiality notice they acknowledge
before the first access to a secret, the documents a grant covers and the registered,
watermarked copy they download.

Isolation: everything is reached through the actor's own grants (grantee = the actor's person).
A grant of anyone else, a secret or a document no own grant covers is `NotInPortal` (404), never
a 403 that would confirm it exists. The portal reads the register and the vault as the system
(`READER`) only after that check, because a vendor user holds no read permission of their own.

The portal decides no access rule itself: the notice, its acknowledgement and whether a grant is
in force are `access`'s (notice.py, rules.py), and a download is `disclosure.issue_copy` for the
actor themselves, which asks `access` (a refusal is recorded there, with every reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantFilter, GrantRead
from crownjewels.core.actor import Actor, fact_reader
from crownjewels.core.errors import Forbidden, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.errors import NotInPortal
from crownjewels.disclosure.schemas import Channel, IssuedCopy
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.training.schemas import AttestationRead
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentRead
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import OPEN_FOR_VENDOR, AssessmentFilter, AssessmentRead

READER = fact_reader("portal")
OPEN_QUESTIONNAIRES = 50


@dataclass(frozen=True)
class GrantPage:
    """One own grant with its secret, notice, acknowledgement and the documents it covers."""

    grant: GrantRead
    secret: SecretRead
    notice: str
    acknowledgement: AttestationRead | None
    documents: list[DocumentRead]

    @property
    def usable(self) -> bool:
        """True while the grant is in force (access decides what that means)."""
        return self.grant.in_force

    @property
    def acknowledged(self) -> bool:
        """True once this exact notice was acknowledged."""
        return self.acknowledgement is not None


def _person(actor: Actor) -> str:
    if actor.person_id is None:
        raise Forbidden("the portal needs a login linked to a person; ask your contact")
    return actor.person_id


def my_grants(session: Session, *, actor: Actor) -> list[GrantRead]:
    """The grants naming the actor's person, newest first (never anyone else's)."""
    person_id = _person(actor)
    grants = access.list_grants(session, actor=actor, filters=GrantFilter(person=person_id))
    return [g for g in grants if g.person_id == person_id]


def open_questionnaires(session: Session, *, actor: Actor) -> list[AssessmentRead]:
    """The due-diligence questionnaires the actor's vendor may still answer."""
    items, _ = diligence.list_assessments(
        session, actor=actor, filters=AssessmentFilter(), page=PageParams(limit=OPEN_QUESTIONNAIRES)
    )
    return [a for a in items if a.status in OPEN_FOR_VENDOR]


def my_grant(session: Session, *, actor: Actor, grant_ref: str) -> GrantRead:
    """One of the actor's own grants, or NotInPortal."""
    person_id = _person(actor)
    try:
        grant = access.get(session, actor=actor, grant_ref=grant_ref)
    except NotFound:
        grant = None
    if grant is None or grant.person_id != person_id:
        raise NotInPortal(f"no grant {grant_ref!r} among your grants; /portal lists them")
    return grant


def _covered(session: Session, grant: GrantRead) -> list[DocumentRead]:
    docs = vault.list_documents(
        session, actor=READER, owner_type=disclosure.SECRET_OWNER, owner_ref=grant.secret_id
    )
    return [d for d in docs if grant.document_id in (None, d.id)]


def grant_page(session: Session, *, actor: Actor, grant_ref: str) -> GrantPage:
    """An own grant with what the page shows; documents only while the grant is in force."""
    grant = my_grant(session, actor=actor, grant_ref=grant_ref)
    secret = inventory.get(session, actor=READER, secret_ref=grant.secret_id)
    return GrantPage(
        grant=grant,
        secret=secret,
        notice=access.notice_text(secret, grant.purpose),
        acknowledgement=access.notice_acknowledgement(
            session, person_id=grant.person_id or "", secret=secret, purposes=[grant.purpose]
        ),
        documents=_covered(session, grant) if grant.in_force else [],
    )


def acknowledge(session: Session, *, actor: Actor, grant_ref: str) -> AttestationRead:
    """Record the actor's acknowledgement of the exact notice of an own grant's secret
    (ATTESTATION_RECORDED, channel portal); acknowledging again is a no-op; a grant not in
    force has no notice to acknowledge yet (GrantConflict, 409)."""
    grant = my_grant(session, actor=actor, grant_ref=grant_ref)
    secret = inventory.get(session, actor=READER, secret_ref=grant.secret_id)
    return access.acknowledge_notice(
        session, actor=actor, grant=grant, secret=secret, channel=Channel.PORTAL.value
    )


def download(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    key: bytes,
    grant_ref: str,
    document_id: str,
) -> IssuedCopy:
    """A registered copy, marked for the actor, of a document one of their own grants covers;
    `issue_copy` asks the access rules (grant in force, notice acknowledged and every other)
    before anything is decrypted."""
    grant = my_grant(session, actor=actor, grant_ref=grant_ref)
    if document_id not in {d.id for d in _covered(session, grant)}:
        raise NotInPortal(f"no document {document_id!r} under {grant.ref}")
    return disclosure.issue_copy(
        session,
        actor=actor,
        vault_=vault_,
        key=key,
        document_id=document_id,
        purpose=grant.purpose,
        channel=Channel.PORTAL,
        recipient=_person(actor),
    )
