"""The files sent with a report: stored in the vault, encrypted, as documents of the report
(owner type "report", registered in registry.py); only the case handlers who may see the
report may read them. The report and each message of its reporter take at most MAX_FILES,
each within the vault's upload limit, and a report holds at most MAX_REPORT_FILES in all; a
file too large, or not the kind of file it claims to be, is refused in plain words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from sqlalchemy import Select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.errors import Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.incidents.models import Report
from crownjewels.incidents.reports import repository
from crownjewels.incidents.reports.errors import ReportNotFound
from crownjewels.incidents.reports.routing import routed_away
from crownjewels.incidents.reports.schemas import AttachmentRead
from crownjewels.vault import errors as vault_errors
from crownjewels.vault import service as vault
from crownjewels.vault.schemas import Owner

OWNER_TYPE = "report"
#: how many files the report, or one message of its reporter, takes
MAX_FILES = 5
#: how many files a report holds in all, its messages' included
MAX_REPORT_FILES = 25
#: the report channel acting for a reporter (who is nobody the system knows)
CHANNEL = system_actor("report-channel")


@dataclass(frozen=True)
class Upload:
    """A file as the intake form sent it."""

    filename: str
    file: IO[bytes]


class ReportOwners:
    """The vault's owner kind for the files of reports."""

    def resolve(self, session: Session, actor: Actor, ref: str, *, write: bool) -> Owner:
        """A report the actor may see (a case handler it does not name)."""
        actor.require(P.REPORTS_HANDLE, what="the files of a report")
        row = session.get(Report, ref) or repository.by_ref(session, ref)
        if row is None or routed_away(row, actor):
            raise ReportNotFound(f"there is no report {ref.strip()}")
        return Owner(
            owner_type=OWNER_TYPE,
            owner_id=row.id,
            label=row.ref,
            legend=f"CONFIDENTIAL: report {row.ref} to the report channel",
        )

    def may_read(self, actor: Actor) -> bool:
        """Only case handlers read the files of reports."""
        return actor.can(P.REPORTS_HANDLE)

    def visible_ids(self, actor: Actor) -> Select[tuple[str]] | None:
        """The reports that do not name the actor; all of them for an actor without a person."""
        return repository.visible_ids(actor.person_id) if actor.person_id else None


REPORT_OWNERS = ReportOwners()


def _mib(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MiB" if size >= 1 << 20 else f"{size:,} bytes"


def attach(session: Session, *, store: vault.Vault, row: Report, uploads: list[Upload]) -> int:
    """Store the files of a report, or of its reporter's message, in the vault (DOCUMENT_ADDED
    each, by the channel), numbered on from the report's earlier files; their number. The
    titles name the report, not the files (a file's name may say who sent it; it is kept with
    the file, for the handlers only)."""
    if len(uploads) > MAX_FILES:
        raise Invalid(
            f"a report or a message takes at most {MAX_FILES} files; leave out "
            f"{len(uploads) - MAX_FILES}, or put them in one ZIP archive",
            field="attachments",
        )
    held = len(
        vault.list_documents(session, actor=CHANNEL, owner_type=OWNER_TYPE, owner_ref=row.id)
    )
    if held + len(uploads) > MAX_REPORT_FILES:
        raise Invalid(
            f"the report holds {held} files and takes at most {MAX_REPORT_FILES}; send at most "
            f"{max(MAX_REPORT_FILES - held, 0)} more, or put them in one ZIP archive",
            field="attachments",
        )
    for number, upload in enumerate(uploads, start=held + 1):
        try:
            vault.add_document(
                session,
                actor=CHANNEL,
                vault=store,
                owner_type=OWNER_TYPE,
                owner_ref=row.id,
                title=f"File {number} of report {row.ref}",
                upload=upload.file,
                filename=upload.filename,
            )
        except vault_errors.BlobTooLarge:
            raise Invalid(
                f"{upload.filename} is larger than the {_mib(store.max_upload)} a file may "
                "be; leave it out or send a smaller copy",
                field="attachments",
            ) from None
        except vault_errors.RefusedContent:
            raise Invalid(
                f"{upload.filename} could not be read as the kind of file it claims to be (a "
                "damaged PDF, Office file or ZIP archive); send it in another format",
                field="attachments",
            ) from None
    return len(uploads)


def attachments_of(session: Session, row: Report) -> list[AttachmentRead]:
    """The files of a report, oldest first (names and sizes; reading one is the vault's)."""
    docs = vault.list_documents(session, actor=CHANNEL, owner_type=OWNER_TYPE, owner_ref=row.id)
    out = []
    for doc in sorted(docs, key=lambda d: (d.created_at, d.title)):
        version = doc.versions[-1]
        out.append(
            AttachmentRead(
                document_id=doc.id,
                filename=version.filename or doc.title,
                size=version.size,
                media_type=version.media_type,
            )
        )
    return out
