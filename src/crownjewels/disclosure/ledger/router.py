"""JSON API of the disclosure ledger: list and filter it, export it as CSV or PDF, record a
disclosure made outside the vault."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from crownjewels.core.actor import Actor
from crownjewels.core.http import DbSession, attachment, require
from crownjewels.core.permissions import Permission as P
from crownjewels.disclosure.ledger import export as ledger_export
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import EntryRead, LedgerFilter, ManualDisclosure

router = APIRouter(tags=["disclosures"])
Reader = Annotated[Actor, Depends(require(P.DISCLOSURES_READ))]
Recorder = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]


def filters(
    secret: Annotated[str | None, Query(description="a secret's id or reference")] = None,
    organisation: Annotated[str | None, Query(description="organisation id or name")] = None,
    person: Annotated[str | None, Query(description="person id or email")] = None,
    since: Annotated[date | None, Query(description="first day (inclusive)")] = None,
    until: Annotated[date | None, Query(description="last day (inclusive)")] = None,
) -> LedgerFilter:
    """The ledger filters from the query string."""
    return LedgerFilter(
        secret=secret, organisation=organisation, person=person, since=since, until=until
    )


Filters = Annotated[LedgerFilter, Depends(filters)]


@router.get("/disclosures", response_model=list[EntryRead], summary="The disclosure ledger")
def list_disclosures(session: DbSession, actor: Reader, wanted: Filters) -> list[EntryRead]:
    """Every disclosure the caller may read, oldest first, narrowed by the filters."""
    return ledger.list_entries(session, actor=actor, filters=wanted)


@router.get("/disclosures.csv", response_class=Response, summary="The ledger as CSV")
def export_csv(session: DbSession, actor: Reader, wanted: Filters) -> Response:
    """One row per entry; the columns are listed in docs/disclosure.md."""
    text = ledger_export.ledger_csv(session, actor=actor, filters=wanted)
    headers = {"Content-Disposition": attachment("disclosures.csv")}
    return Response(text, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/disclosures.pdf", response_class=Response, summary="The ledger as a PDF report")
def export_pdf(session: DbSession, actor: Reader, wanted: Filters) -> Response:
    """A table report with the filters, the time it was made and each entry's custody seal."""
    data = ledger_export.ledger_pdf(session, actor=actor, filters=wanted)
    headers = {"Content-Disposition": attachment("disclosures.pdf")}
    return Response(data, media_type="application/pdf", headers=headers)


@router.get("/disclosures/{entry_id}", response_model=EntryRead, summary="One ledger entry")
def get_disclosure(session: DbSession, actor: Reader, entry_id: str) -> EntryRead:
    """One entry of the ledger the caller may read."""
    return ledger.get_entry(session, actor=actor, entry_id=entry_id)


@router.post(
    "/disclosures",
    response_model=EntryRead,
    status_code=status.HTTP_201_CREATED,
    summary="Record a disclosure made outside the vault",
)
def record(session: DbSession, actor: Recorder, body: ManualDisclosure) -> EntryRead:
    """An oral briefing, a sample handed over, a file sent by SFTP …: refused (403, with every
    reason) when the access rules would not let the person view the secret."""
    return ledger.record_disclosure(
        session,
        actor=actor,
        secret=body.secret,
        person=body.person,
        channel=body.channel,
        on=body.on,
        description=body.description,
        agreement=body.agreement,
        purpose=body.purpose,
    )
