"""The vendor portal: a vendor user's own grants, the confidentiality notice they acknowledge
before the first access to a secret, the documents a grant covers and the registered,
watermarked copy they download.

Isolation: everything is reached through the actor's own grants (grantee = the actor's person).
A grant of anyone else, a secret or a document no own grant covers is `NotInPortal` (404), never
a 403 that would confirm it exists. The portal reads the register and the vault as the system
(`READER`) only after that check, because a vendor user holds no read permission of their own.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.access.schemas import GrantFilter, GrantRead, GrantStatus
from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.errors import Forbidden, NotFound
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Role
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.errors import GrantNotUsable, NoticeNotAcknowledged, NotInPortal
from crownjewels.disclosure.schemas import Channel, IssuedCopy
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.training import service as training
from crownjewels.training.schemas import AttestationRead
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import DocumentRead
from crownjewels.vendors.diligence import service as diligence
from crownjewels.vendors.diligence.schemas import OPEN_FOR_VENDOR, AssessmentFilter, AssessmentRead

READER = system_actor("portal")
NOTICE_KIND = "secret-notice"
#: grant statuses under which documents may be listed and downloaded
USABLE = frozenset({GrantStatus.APPROVED, GrantStatus.ACTIVE})
OPEN_QUESTIONNAIRES = 50

#: the confidentiality notice, fixed; the acknowledged text is this with the blanks filled in
NOTICE = (
    "CONFIDENTIALITY NOTICE - {ref} {name}\n\n"
    "{legend}\n\n"
    "You are being given access to {name} ({ref}), a trade secret of the company, for this "
    "purpose only: {purpose}\n\n"
    "I acknowledge that the information is confidential and a trade secret; that I will use it "
    "only for the purpose above and under the agreement between my organisation and the company; "
    "that I will not copy, forward or disclose it to anyone not authorised by the company; that "
    "every copy I download is registered and marked with my name; and that I will return or "
    "destroy it when the grant ends or when asked."
)


def portal_only(actor: Actor | None) -> bool:
    """True for a vendor user with no internal role: the portal is all they see."""
    return actor is not None and actor.roles == frozenset({Role.VENDOR_USER})


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
        """True while the grant is in force."""
        return self.grant.status in USABLE

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


def notice_text(secret: SecretRead, grant: GrantRead) -> str:
    """The exact notice the person acknowledges for this grant."""
    return NOTICE.format(
        ref=secret.ref, name=secret.name, legend=secret.legend.strip(), purpose=grant.purpose
    )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _acknowledgement(
    session: Session, person_id: str, secret_id: str, text: str
) -> AttestationRead | None:
    """The person's acknowledgement of this exact notice of the secret (the newest), if any."""
    digest = _sha256(text)
    for attestation in training.attestations(session, actor=READER, person=person_id):
        if (
            attestation.kind == NOTICE_KIND
            and attestation.secret_id == secret_id
            and attestation.text_sha256 == digest
        ):
            return attestation
    return None


def _covered(session: Session, grant: GrantRead) -> list[DocumentRead]:
    docs = vault.list_documents(
        session, actor=READER, owner_type=disclosure.SECRET_OWNER, owner_ref=grant.secret_id
    )
    return [d for d in docs if grant.document_id in (None, d.id)]


def grant_page(session: Session, *, actor: Actor, grant_ref: str) -> GrantPage:
    """An own grant with what the page shows; documents only while the grant is in force."""
    grant = my_grant(session, actor=actor, grant_ref=grant_ref)
    secret = inventory.get(session, actor=READER, secret_ref=grant.secret_id)
    text = notice_text(secret, grant)
    return GrantPage(
        grant=grant,
        secret=secret,
        notice=text,
        acknowledgement=_acknowledgement(session, grant.person_id or "", secret.id, text),
        documents=_covered(session, grant) if grant.status in USABLE else [],
    )


def acknowledge(session: Session, *, actor: Actor, grant_ref: str) -> AttestationRead:
    """Record the actor's acknowledgement of the exact notice of an own grant's secret
    (ATTESTATION_RECORDED, channel portal); acknowledging again is a no-op."""
    page = grant_page(session, actor=actor, grant_ref=grant_ref)
    if page.acknowledgement is not None:
        return page.acknowledgement
    return training.acknowledge(
        session,
        actor=actor,
        person_id=_person(actor),
        kind=NOTICE_KIND,
        secret_id=page.secret.id,
        text=page.notice,
        channel=Channel.PORTAL.value,
    )


def _on_behalf(actor: Actor) -> Actor:
    """The actor with read-only sight of the register, people and the vault (read-all roles cut
    down to their reads, as a read-only token would be) for the one hand-out the portal checked;
    custody still records the vendor user (`user:<id>`) as the one who took the copy."""
    return replace(
        actor,
        roles=actor.roles | {Role.COMPLIANCE, Role.VENDOR_MANAGER},
        scopes=frozenset({"read"}),
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
    """A registered copy of a document an own, usable grant covers, marked for the actor, once
    the notice is acknowledged; issue_copy asks the access rules before handing it out."""
    page = grant_page(session, actor=actor, grant_ref=grant_ref)
    if not page.usable:
        raise GrantNotUsable(
            f"{page.grant.ref} is {page.grant.status}; documents can be downloaded only under an "
            "approved or active grant - ask your contact at the company"
        )
    if document_id not in {d.id for d in page.documents}:
        raise NotInPortal(f"no document {document_id!r} under {page.grant.ref}")
    if not page.acknowledged:
        raise NoticeNotAcknowledged(
            f"acknowledge the confidentiality notice of {page.secret.ref} on the grant's page "
            "first; then download the document"
        )
    return disclosure.issue_copy(
        session,
        actor=_on_behalf(actor),
        vault_=vault_,
        key=key,
        document_id=document_id,
        purpose=page.grant.purpose,
        channel=Channel.PORTAL,
        recipient=_person(actor),
    )
