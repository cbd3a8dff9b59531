"""An agreement's documents and their clause analysis. Agreements own vault documents (one
document per agreement, one vault version per uploaded version of the agreement); this module
decides who may attach to or read them, records each upload as an AgreementVersion, analyses a
version's text clause by clause (legal's review of the findings is in `review.py`)."""

from __future__ import annotations

import hashlib
from collections import Counter

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crownjewels.agreements import evidence, repository
from crownjewels.agreements.analysis import analyser
from crownjewels.agreements.analysis.errors import UnreadableDocument
from crownjewels.agreements.analysis.extract import (
    DOCX_TYPES,
    PDF_TYPES,
    SUPPORTED,
    TEXT_TYPES,
    extract_text,
)
from crownjewels.agreements.analysis.requirements import has_profile
from crownjewels.agreements.analysis.types import Analysis
from crownjewels.agreements.errors import AgreementNotFound, VersionNotFound
from crownjewels.agreements.models import Agreement, AgreementVersion, ClauseFinding
from crownjewels.agreements.reads import get_row, read
from crownjewels.agreements.schemas import (
    AgreementDetail,
    AgreementRead,
    FindingRead,
    VersionRead,
)
from crownjewels.agreements.service import SUBJECT
from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.vault import reading as vault_reading
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import Owner

OWNER_TYPE = "agreement"
#: what an agreement version may be: a file the clause analyser can read
ANALYSABLE = PDF_TYPES | DOCX_TYPES | TEXT_TYPES


class AgreementOwners:
    """The vault's owner kind for agreements."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """A visible agreement by id or reference; with `write`, one the actor may change."""
        row = repository.find(session, actor, ref)
        if row is None:
            raise AgreementNotFound(
                f"no agreement {ref!r}; `crownjewels agreements list` shows the agreements"
            )
        if write:
            actor.require(Permission.AGREEMENTS_WRITE, what="changing an agreement's documents")
        return Owner(
            owner_type=OWNER_TYPE,
            owner_id=row.id,
            label=row.ref,
            legend=f"CONFIDENTIAL: {row.title} ({row.ref})",
        )

    def may_read(self, actor: Actor) -> bool:
        """An agreement's document: whoever reads documents, and those who record agreements
        (a vendor manager checks the NDA it filed)."""
        return actor.can(Permission.AGREEMENTS_READ) and (
            actor.can(Permission.DOCUMENTS_READ) or actor.can(Permission.AGREEMENTS_WRITE)
        )

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """The ids of the agreements the actor may see (None: all of them)."""
        if actor.can(Permission.AGREEMENTS_READ):
            return None
        return repository.visible_to(actor).with_only_columns(Agreement.id)


AGREEMENT_OWNERS = AgreementOwners()


def _version_read(row: AgreementVersion) -> VersionRead:
    return VersionRead.model_validate(row)


def _finding_read(row: ClauseFinding) -> FindingRead:
    return FindingRead.model_validate(row)


def detail_of(
    session: Session, actor: Actor, row: Agreement, base: AgreementRead
) -> AgreementDetail:
    """An agreement as shown with its versions and its latest analysed version's findings."""
    versions = repository.versions(session, row.id)
    analysed = next((v for v in reversed(versions) if v.analysed_at is not None), None)
    law = jurisdiction_of(row)
    note = None
    if analysed is not None and law is not None and not has_profile(law):
        note = (
            f"{law} has no requirement profile of its own: version {analysed.number} was "
            f"analysed under the {analysed.jurisdiction or 'generic'} profile instead; local "
            "law was not checked."
        )
    return AgreementDetail.model_validate(
        {
            **base.model_dump(),
            "versions": [_version_read(v) for v in versions],
            "findings": [_finding_read(f) for f in repository.findings(session, analysed.id)]
            if analysed
            else [],
            "findings_version": analysed.number if analysed else None,
            "profile_note": note,
        }
    )


def detail(session: Session, *, actor: Actor, agreement_ref: str) -> AgreementDetail:
    """One agreement with its versions and the findings of its latest analysed version."""
    row = get_row(session, actor, agreement_ref)
    return detail_of(session, actor, row, read(session, actor, row))


def versions(session: Session, *, actor: Actor, agreement_ref: str) -> list[VersionRead]:
    """The uploaded versions of an agreement, oldest first."""
    row = get_row(session, actor, agreement_ref)
    return [_version_read(v) for v in repository.versions(session, row.id)]


# --- uploads ---------------------------------------------------------------------------------


def prepare_upload(session: Session, *, actor: Actor, agreement_ref: str) -> tuple[str, int]:
    """Before an upload streams in: that the actor may add a version to this agreement; the
    vault document id and version number to stage the upload as (see vault.stage_upload)."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    document_id = repository.document_id(session, row.id)
    if document_id is not None:
        return vault.check_upload(session, actor=actor, document_id=document_id)
    return vault.check_upload(session, actor=actor, owner_type=OWNER_TYPE, owner_ref=row.id)


def upload_version(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    agreement_ref: str,
    upload: vault.Upload | vault.Staged,
    filename: str | None = None,
) -> VersionRead:
    """Store a new version of the agreement's document, encrypted in the vault (a stream, or
    an upload staged before the transaction); AGREEMENT_VERSION_UPLOADED."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    document_id = repository.document_id(session, row.id)
    if document_id is None:
        document = vault.add_document(
            session,
            actor=actor,
            vault=vault_,
            owner_type=OWNER_TYPE,
            owner_ref=row.id,
            title=f"{row.ref} {row.title}",
            upload=upload,
            filename=filename,
        )
    else:
        document = vault.add_version(
            session,
            actor=actor,
            vault=vault_,
            document_id=document_id,
            upload=upload,
            filename=filename,
        )
    stored = document.versions[-1]
    if stored.media_type not in ANALYSABLE:
        # the edge rolls back: the vault's rows go and its after-rollback hook deletes the blob
        raise UnreadableDocument(
            f"{filename or 'the file'}: unsupported file type ({stored.media_type}); upload the "
            f"agreement as {SUPPORTED}",
            field="file",
        )
    number = len(repository.versions(session, row.id)) + 1
    version = AgreementVersion(
        agreement_id=row.id,
        number=number,
        document_id=document.id,
        document_version=stored.number,
        sha256=stored.sha256,
        filename=stored.filename,
        media_type=stored.media_type,
        uploaded_by=actor.ref,
    )
    session.add(version)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_VERSION_UPLOADED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "version": number,
            "document_id": document.id,
            "document_version": stored.number,
            "sha256": stored.sha256,
            "size": stored.size,
            "media_type": stored.media_type,
        },
    )
    return _version_read(version)


# --- text and analysis -----------------------------------------------------------------------


def _version(session: Session, row: Agreement, number: int | None) -> AgreementVersion:
    version = repository.version(session, row.id, number)
    if version is None:
        if number is None:
            raise VersionNotFound(
                f"{row.ref} has no document yet; upload one with "
                f"`crownjewels agreements upload {row.ref} FILE`"
            )
        raise VersionNotFound(f"{row.ref} has no version {number}")
    return version


def _text(session: Session, actor: Actor, vault_: vault.Vault, version: AgreementVersion) -> str:
    """The version's text: decrypted through the vault (a DOCUMENT_READ event) and extracted."""
    meta, plaintext = vault_reading.open_version(
        session,
        actor=actor,
        vault=vault_,
        document_id=version.document_id,
        version=version.document_version,
    )
    with plaintext:
        data = plaintext.read()
    return extract_text(data, filename=version.filename or "agreement", media_type=meta.media_type)


def text_digest(text: str) -> str:
    """The SHA-256 of an extracted text (UTF-8): what the findings' offsets refer to."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def version_text(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    agreement_ref: str,
    number: int | None = None,
) -> tuple[VersionRead, str]:
    """A version's extracted text (default the newest), for showing its evidence in place."""
    row = get_row(session, actor, agreement_ref)
    version = _version(session, row, number)
    return _version_read(version), _text(session, actor, vault_, version)


def jurisdiction_of(row: Agreement) -> str | None:
    """The jurisdiction whose profile the analyser applies: the governing law's subdivision
    (US-CA) or country; one without a profile of its own is analysed under the fallback the
    analysis names (`Analysis.fallback`), never silently."""
    return row.governing_law_subdivision or row.governing_law


def analyse_text(
    text: str, *, kind: str = "nda", jurisdiction: str | None = None, embeddings: bool = False
) -> Analysis:
    """Analyse an agreement's text clause by clause (no database, no agreement needed);
    `embeddings`: also rank evidence with the optional embedding layer (settings)."""
    return analyser.analyse(text, kind=kind, jurisdiction=jurisdiction, embeddings=embeddings)


def analyse_file(
    data: bytes,
    *,
    filename: str,
    media_type: str | None = None,
    kind: str = "nda",
    jurisdiction: str | None = None,
    embeddings: bool = False,
) -> Analysis:
    """Extract a file's text and analyse it; UnreadableDocument names a file it cannot read."""
    return analyse_text(
        extract_text(data, filename=filename, media_type=media_type),
        kind=kind,
        jurisdiction=jurisdiction,
        embeddings=embeddings,
    )


def analyse_version(
    session: Session,
    *,
    actor: Actor,
    vault_: vault.Vault,
    agreement_ref: str,
    number: int | None = None,
    embeddings: bool = False,
) -> AgreementDetail:
    """Analyse a version (default the newest) with the agreement's kind and governing law and
    store its findings and text hash (AGREEMENT_ANALYSED). A file that cannot be read raises
    UnreadableDocument; the edge rolls back, so the agreement stays as it was."""
    actor.require(Permission.AGREEMENTS_WRITE)
    row = get_row(session, actor, agreement_ref)
    version = _version(session, row, number)
    text = _text(session, actor, vault_, version)
    analysis = analyse_text(
        text, kind=row.kind, jurisdiction=jurisdiction_of(row), embeddings=embeddings
    )
    replaced = repository.clear_findings(session, version.id)
    for position, finding in enumerate(analysis.findings):
        session.add(
            ClauseFinding(
                version_id=version.id,
                position=position,
                requirement=finding.requirement,
                title=finding.title[:200],
                status=finding.status,
                evidence=[evidence.seal(text, e.start, e.end) for e in finding.evidence],
                explanation=finding.explanation,
                strictness=finding.strictness,
            )
        )
    version.text_sha256 = text_digest(text)
    version.analysed_at = clock.now()
    version.analysed_by = actor.ref
    version.jurisdiction = analysis.jurisdiction
    session.flush()
    counts = Counter(f.status for f in analysis.findings)
    custody.record(
        session,
        actor=actor,
        event_type=EventType.AGREEMENT_ANALYSED,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={
            "version": version.number,
            "text_sha256": version.text_sha256,
            "kind": analysis.kind,
            "jurisdiction": analysis.jurisdiction,
            "profile": analysis.profile,
            **({"fallback": analysis.fallback} if analysis.fallback else {}),
            "findings": dict(sorted(counts.items())),
            "replaced_findings": replaced,
        },
    )
    shown = detail_of(session, actor, row, read(session, actor, row))
    if shown.findings_version != version.number:  # a newer version's findings are shown
        return shown
    return shown.model_copy(update={"findings": evidence.quoted(text, shown.findings)})


def findings(
    session: Session,
    *,
    actor: Actor,
    agreement_ref: str,
    number: int | None = None,
    vault_: vault.Vault | None = None,
) -> list[FindingRead]:
    """The findings of a version (default the latest analysed one; [] before any analysis).
    With `vault_`, each evidence sentence is quoted from the decrypted text (a DOCUMENT_READ;
    needs documents:read); without it, evidence is offsets and digests only."""
    row = get_row(session, actor, agreement_ref)
    if number is None:
        version = repository.latest_analysed(session, row.id)
        if version is None:
            return []
    else:
        version = _version(session, row, number)
    found = [_finding_read(f) for f in repository.findings(session, version.id)]
    if vault_ is None or not found:
        return found
    return evidence.quoted(_text(session, actor, vault_, version), found)
