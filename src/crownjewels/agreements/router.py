"""JSON API of the agreements file under /api/v1/agreements: record, list, show, update, put in
force, terminate, renew, parties and signatories, upload a version (the raw body, streamed into
the vault), analyse it, its findings and legal's review of each; and the analysis of a file
alone (nothing recorded)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, status

from crownjewels.agreements import documents, reads, service
from crownjewels.agreements import review as reviews
from crownjewels.agreements.schemas import (
    Activation,
    AgreementCreate,
    AgreementDetail,
    AgreementFilter,
    AgreementKind,
    AgreementRead,
    AgreementStatus,
    AgreementUpdate,
    FindingRead,
    FindingReview,
    PartyCreate,
    Renewal,
    SignatoryCreate,
    Termination,
    VersionRead,
)
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.http import AppSettings, DbSession, Natural, Paging, audited_read, require
from crownjewels.core.pagination import Page
from crownjewels.core.permissions import Permission as P
from crownjewels.core.uploads import RequestBody, body_limit, staged_upload
from crownjewels.vault import service as vault

router = APIRouter(prefix="/agreements", tags=["agreements"])
Reader = Annotated[Actor, Depends(require(P.AGREEMENTS_READ))]
Writer = Annotated[Actor, Depends(require(P.AGREEMENTS_WRITE))]
Reviewer = Annotated[Actor, Depends(require(P.AGREEMENTS_REVIEW))]
FilenameHeader = Header(default=None, alias="X-Filename", max_length=300)
#: a file analysed alone is held in memory: agreements are text, this is generous
MAX_ANALYSE_BYTES = 32 << 20


def _vault(settings: AppSettings) -> vault.Vault:
    return vault.open_vault(settings)


VaultDep = Annotated[vault.Vault, Depends(_vault)]


@router.get("", response_model=Page[AgreementRead], summary="List agreements")
def list_agreements(
    session: DbSession,
    actor: Reader,
    paging: Paging,
    kind: AgreementKind | None = None,
    status_: AgreementStatus | None = Query(default=None, alias="status"),
    party: str | None = Query(
        default=None, max_length=200, description="an organisation (id or name) party to it"
    ),
    person: str | None = Query(default=None, max_length=320, description="a person (id or email)"),
    secret: str | None = Query(default=None, max_length=200, description="covering this secret"),
    expiring_within_days: int | None = Query(default=None, ge=0, le=3650),
    renewal_due: bool | None = Query(default=None, description="inside the renewal window"),
    q: str | None = Query(default=None, max_length=200, description="text in title or ref"),
) -> Page[AgreementRead]:
    """Agreements the caller may see, filtered and paginated (soonest expiry first)."""
    flt = AgreementFilter(
        kind=kind,
        status=status_,
        organisation=party,
        person=person,
        secret=secret,
        expiring_within_days=expiring_within_days,
        renewal_due=renewal_due,
        q=q,
    )
    items, total = reads.list_agreements(session, actor=actor, filters=flt, page=paging)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.post(
    "",
    response_model=AgreementRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record an agreement",
)
def create(session: DbSession, actor: Writer, body: AgreementCreate) -> AgreementRead:
    """Record an agreement with its parties, scope and signatories."""
    return service.create(session, actor=actor, data=body)


def _default_name(body: bytes) -> str:
    """A file name by the content, when the client sent none: PDF, DOCX (a ZIP), else text."""
    if body.startswith(b"%PDF-"):
        return "agreement.pdf"
    return "agreement.docx" if body.startswith(b"PK") else "agreement.txt"


@router.post("/analyse", summary="Analyse a file alone (nothing is recorded)")
def analyse_file(
    request: Request,
    session: DbSession,
    actor: Reader,
    settings: AppSettings,
    kind: AgreementKind = AgreementKind.NDA,
    jurisdiction: str | None = Query(default=None, max_length=10, description="e.g. US, DE"),
    filename: str | None = FilenameHeader,
) -> dict[str, Any]:
    """The body is the agreement file (PDF, DOCX or text); the findings come back, nothing is
    stored. Use POST /agreements/{ref}/analyse to analyse and keep a recorded version."""
    session.rollback()  # nothing is written: no transaction (no SQLite write lock) while it reads
    body = RequestBody(request).read(MAX_ANALYSE_BYTES + 1)
    if len(body) > MAX_ANALYSE_BYTES:
        raise Invalid(
            f"the file is larger than {MAX_ANALYSE_BYTES >> 20} MiB; upload it as a version instead"
        )
    media_type = request.headers.get("content-type")
    analysis = documents.analyse_file(
        body,
        filename=filename or _default_name(body),
        media_type=None if media_type == "application/octet-stream" else media_type,
        kind=kind.value,
        jurisdiction=jurisdiction.strip().upper() if jurisdiction else None,
        embeddings=settings.analysis_embeddings,
    )
    return analysis.to_dict()


@router.get("/{ref}", response_model=AgreementDetail, summary="Show an agreement")
def get(session: DbSession, actor: Reader, ref: str) -> AgreementDetail:
    """One agreement with its versions and the findings of its latest analysed version."""
    return documents.detail(session, actor=actor, agreement_ref=ref)


@router.patch("/{ref}", response_model=AgreementRead, summary="Update an agreement")
def update(session: DbSession, actor: Writer, ref: str, body: AgreementUpdate) -> AgreementRead:
    """Change fields; send `version` to refuse the change if someone else changed it first."""
    return service.update(session, actor=actor, agreement_ref=ref, changes=body)


@router.post("/{ref}/activate", response_model=AgreementRead, summary="Put a draft in force")
def activate(session: DbSession, actor: Writer, ref: str, body: Activation) -> AgreementRead:
    """The draft was signed: it is in force from its effective date (or the one given)."""
    return service.activate(session, actor=actor, agreement_ref=ref, data=body)


@router.post("/{ref}/terminate", response_model=AgreementRead, summary="Terminate")
def terminate(session: DbSession, actor: Writer, ref: str, body: Termination) -> AgreementRead:
    """End the agreement with effect from `terminated_on` (default today), with the reason."""
    return service.terminate(session, actor=actor, agreement_ref=ref, data=body)


@router.post("/{ref}/renew", response_model=AgreementRead, summary="Renew")
def renew(session: DbSession, actor: Writer, ref: str, body: Renewal) -> AgreementRead:
    """Extend to a new expiry (null: indefinite); an expired agreement is back in force."""
    return service.renew(session, actor=actor, agreement_ref=ref, data=body)


@router.post(
    "/{ref}/parties",
    response_model=AgreementRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a party",
)
def add_party(session: DbSession, actor: Writer, ref: str, body: PartyCreate) -> AgreementRead:
    """Name another organisation or person as a party."""
    return service.add_party(session, actor=actor, agreement_ref=ref, data=body)


@router.delete("/{ref}/parties/{party_id}", response_model=AgreementRead, summary="Remove a party")
def remove_party(session: DbSession, actor: Writer, ref: str, party_id: str) -> AgreementRead:
    """Remove a party; the custody log keeps who it was."""
    return service.remove_party(session, actor=actor, agreement_ref=ref, party_id=party_id)


@router.post(
    "/{ref}/signatories",
    response_model=AgreementRead,
    status_code=status.HTTP_201_CREATED,
    summary="Add a signatory",
)
def add_signatory(
    session: DbSession, actor: Writer, ref: str, body: SignatoryCreate
) -> AgreementRead:
    """Record who signed, for which party, and when."""
    return service.add_signatory(session, actor=actor, agreement_ref=ref, data=body)


@router.get("/{ref}/versions", response_model=list[VersionRead], summary="List versions")
def list_versions(session: DbSession, actor: Reader, ref: str) -> list[VersionRead]:
    """The uploaded versions of the agreement's document, oldest first."""
    return documents.versions(session, actor=actor, agreement_ref=ref)


@router.post(
    "/{ref}/versions",
    response_model=VersionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a version (raw body)",
)
@body_limit()
def upload_version(
    request: Request,
    session: DbSession,
    actor: Writer,
    vault_: VaultDep,
    ref: str,
    filename: str | None = FilenameHeader,
) -> VersionRead:
    """The body is the file itself (PDF, DOCX or text), encrypted into the vault as it
    arrives; checked before a byte is read (404/403), written in a unit of work of its own."""
    document_id, number = documents.prepare_upload(session, actor=actor, agreement_ref=ref)
    return staged_upload(
        request,
        session,
        stage=lambda body: vault.stage_upload(
            vault_, upload=body, document_id=document_id, number=number
        ),
        write=lambda write, staged: documents.upload_version(
            write, actor=actor, vault_=vault_, agreement_ref=ref, upload=staged, filename=filename
        ),
    )


@router.post("/{ref}/analyse", response_model=AgreementDetail, summary="Analyse a version")
def analyse(
    session: DbSession,
    actor: Writer,
    settings: AppSettings,
    vault_: VaultDep,
    ref: str,
    version: Annotated[Natural | None, Query(ge=1, description="default: the newest")] = None,
) -> AgreementDetail:
    """Extract the version's text, check it clause by clause with the agreement's kind and
    governing law, and store the findings; a file that cannot be read is a 422, nothing kept."""
    return documents.analyse_version(
        session,
        actor=actor,
        vault_=vault_,
        agreement_ref=ref,
        number=version,
        embeddings=settings.analysis_embeddings,
    )


@router.get("/{ref}/findings", response_model=list[FindingRead], summary="Clause findings")
@audited_read
def findings(
    session: DbSession,
    actor: Reader,
    settings: AppSettings,
    ref: str,
    version: Annotated[Natural | None, Query(ge=1, description="default: latest analysed")] = None,
    quote: Annotated[
        bool,
        Query(
            description="also quote each evidence sentence: decrypts the version "
            "(a DOCUMENT_READ in the custody log; needs documents:read)"
        ),
    ] = False,
) -> list[FindingRead]:
    """The findings of a version with their evidence (offsets and digests; the sentences
    themselves with `quote`) and review."""
    vault_ = vault.open_vault(settings) if quote else None
    return documents.findings(
        session, actor=actor, agreement_ref=ref, number=version, vault_=vault_
    )


@router.post(
    "/{ref}/findings/{finding_id}/review",
    response_model=FindingRead,
    summary="Review a finding",
)
def review_finding(
    session: DbSession, actor: Reviewer, ref: str, finding_id: str, body: FindingReview
) -> FindingRead:
    """Accept the finding, or override its status with the reason."""
    return reviews.review_finding(
        session, actor=actor, agreement_ref=ref, finding_id=finding_id, data=body
    )
