"""The letters' test world, built through the services: Northwind Biologics (our own company,
in the US), its vendor Meridian Tooling GmbH with Jonas Berg, the Blue pigment secret with its
process sheet in the vault, an NDA with Meridian in force (Californian law) whose document is
uploaded and analysed clause by clause, a registered copy of the process sheet issued to Jonas
(a line of the ledger), a theft case about the secret, Jonas, Meridian and the NDA, and a user
of each role (legal counsel with her title)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

import crownjewels.registry  # noqa: F401 - custody labels and vault owners
from crownjewels.agreements import documents
from crownjewels.agreements import service as agreements
from crownjewels.agreements.schemas import AgreementUpdate
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Role
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.schemas import Channel
from crownjewels.incidents import service as cases
from crownjewels.incidents.schemas import CaseFacts, CaseOpen, IncidentKind
from crownjewels.inventory.schemas import Category
from crownjewels.parties import service as parties
from crownjewels.parties.schemas import OrgKind, PersonCreate
from crownjewels.settings import Settings
from crownjewels.vault import service as vault
from crownjewels.vault.keys import create_key_file
from tests.access.factories import bind_for_access
from tests.api_support import TEST_SECRET_KEY
from tests.inventory.factories import make_secret
from tests.parties.factories import actor_for, make_org, make_person, make_user

KEY = disclosure.watermark_key("letters-test-secret-key-0123456789")
COMPANY = "Northwind Biologics"
SUMMARY = "Jonas Berg posted the pigment process sheet to a competitor's supplier portal."
NDA_TEXT = """MUTUAL NON-DISCLOSURE AGREEMENT

1. "Confidential Information" means all information disclosed by Northwind Biologics to the \
Recipient, whether in writing, orally or visually, and whether or not marked as confidential.

2. The Recipient shall use the Confidential Information solely for the Purpose of quoting for \
the pigment mill tooling.

3. The Recipient shall not disclose the Confidential Information to any third party.

4. Return of Materials
Upon termination the Recipient shall return or destroy all Confidential Information.

5. The Discloser shall be entitled to injunctive relief for any breach of this Agreement.

6. This Agreement shall be governed by the laws of the State of California.
"""


@dataclass(frozen=True)
class World:
    """What the letters' tests work on."""

    home: Path
    settings: Settings
    case_ref: str
    secret_ref: str
    agreement_ref: str
    jonas_email: str
    copy_id: str
    legal_email: str
    actors: dict[Role, Actor]


def settings_for(home: Path) -> Settings:
    """An installation under `home` with its vault key."""
    if not (home / "vault.key").exists():
        create_key_file(home / "vault.key")
    return Settings(
        home=home, secret_key=TEST_SECRET_KEY, company_name=COMPANY, timezone="America/New_York"
    )


def _nda(
    session: Session, admin: Actor, opened: vault.Vault, person_id: str, secret_id: str
) -> str:
    """The NDA with Meridian that lets Jonas receive the secret, under Californian law, its
    document uploaded and analysed."""
    made = bind_for_access(session, person_id=person_id, secret_id=secret_id).agreement
    assert made is not None
    agreements.update(
        session,
        actor=admin,
        agreement_ref=made.ref,
        changes=AgreementUpdate(governing_law="US", governing_law_subdivision="US-CA"),
    )
    documents.upload_version(
        session, actor=admin, vault_=opened, agreement_ref=made.ref,
        upload=io.BytesIO(NDA_TEXT.encode()), filename="meridian-nda.txt",
    )  # fmt: skip
    documents.analyse_version(session, actor=admin, vault_=opened, agreement_ref=made.ref)
    return made.ref


def make_world(session: Session, admin: Actor, home: Path) -> World:
    """Our company, the vendor and Jonas, the secret and its copy to him, the NDA, the case."""
    settings = settings_for(home)
    opened = vault.open_vault(settings)
    own = make_org(session, admin, name=COMPANY, kind=OrgKind.OWN, country="US")
    meridian = make_org(session, admin, name="Meridian Tooling GmbH", country="DE")
    jonas = make_person(session, admin, org=meridian, name="Jonas Berg", country="DE")
    secret = make_secret(session, admin, name="Blue pigment", category=Category.PROCESS)
    sheet = vault.add_document(
        session, actor=admin, vault=opened, owner_type="secret", owner_ref=secret.ref,
        title="Pigment process sheet", upload=io.BytesIO(b"Mill twice at low heat.\n" * 40),
        filename="process.txt",
    )  # fmt: skip
    nda = _nda(session, admin, opened, jonas.id, secret.id)
    issued = disclosure.issue_copy(
        session, actor=admin, vault_=opened, key=KEY, document_id=sheet.id,
        purpose="quote for the pigment mill tooling", channel=Channel.CLI, recipient=jonas.email,
    )  # fmt: skip
    case = cases.open_case(
        session,
        actor=admin,
        data=CaseOpen(
            title="Process sheet posted to a competitor's supplier portal",
            kind=IncidentKind.THEFT,
            summary=SUMMARY,
            secrets=[secret.ref],
            people=[jonas.email],
            organisations=[meridian.name],
            agreements=[nda],
            facts=CaseFacts(jurisdictions=["US"], us_state_of_claim="CA"),
            playbook="none",
        ),
    )
    counsel = parties.create_person(
        session,
        actor=admin,
        data=PersonCreate(
            full_name="Dana Whitfield", email="dana@northwind.example", organisation_id=own.id,
            country="US", title="General Counsel",
        ),
    )  # fmt: skip
    actors = {Role.LEGAL: actor_for(session, make_user(session, admin, Role.LEGAL, person=counsel))}
    for role in (Role.SECURITY, Role.COMPLIANCE, Role.VENDOR_USER):
        actors[role] = actor_for(session, make_user(session, admin, role))
    return World(
        home=home,
        settings=settings,
        case_ref=case.ref,
        secret_ref=secret.ref,
        agreement_ref=nda,
        jonas_email=jonas.email,
        copy_id=issued.copy.id,
        legal_email=counsel.email,
        actors=actors,
    )
