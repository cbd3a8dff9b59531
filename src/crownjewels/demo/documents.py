"""The demo's documents in the vault: the Lotus NDA's text uploaded and its clauses analysed,
and the documents of the register's secrets (documents.yaml), so every secret the demo grants
has a file to hand out. The vault is opened only here, when seeding, and only when the caller
gives one."""

from __future__ import annotations

import io

from crownjewels.agreements import documents as agreement_documents
from crownjewels.core.permissions import Role
from crownjewels.demo import agreements, dataset
from crownjewels.demo.context import Seeding
from crownjewels.inventory import service as inventory
from crownjewels.vault import service as vault_service


class SecretDocument(dataset.Record):
    """A document of a secret (its ref), uploaded as a file of this name."""

    secret: str
    title: str
    filename: str
    text: str


class Documents(dataset.DataFile):
    """documents.yaml."""

    documents: list[SecretDocument]


def data() -> Documents:
    """The secrets' documents of documents.yaml."""
    return dataset.load("documents.yaml", Documents)


def seed(run: Seeding, nda_refs: dict[str, str]) -> None:
    """Upload the NDA text to its agreement and analyse it, and each secret's document
    (nothing without a vault)."""
    if run.vault is None:
        return
    document = agreements.data().nda_document
    legal, vault = run.users[Role.LEGAL], run.vault()
    ref = nda_refs[document.organisation]
    agreement_documents.upload_version(
        run.session,
        actor=legal,
        vault_=vault,
        agreement_ref=ref,
        upload=io.BytesIO(document.text.encode()),
        filename=document.filename,
    )
    agreement_documents.analyse_version(run.session, actor=legal, vault_=vault, agreement_ref=ref)
    for doc in data().documents:
        secret = inventory.get(run.session, actor=run.actor, secret_ref=doc.secret)
        vault_service.add_document(
            run.session,
            actor=run.actor,
            vault=vault,
            owner_type="secret",
            owner_ref=secret.id,
            title=doc.title,
            upload=io.BytesIO(doc.text.encode()),
            filename=doc.filename,
        )
