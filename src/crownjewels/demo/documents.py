"""The demo's documents in the vault: the Lotus NDA's text uploaded and its clauses analysed.
The vault is opened only here, when seeding, and only when the caller gives one."""

from __future__ import annotations

import io

from crownjewels.agreements import documents as agreement_documents
from crownjewels.core.permissions import Role
from crownjewels.demo import agreements
from crownjewels.demo.context import Seeding


def seed(run: Seeding, nda_refs: dict[str, str]) -> None:
    """Upload the NDA text to its agreement and analyse it (nothing without a vault)."""
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
