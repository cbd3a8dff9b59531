"""JSON API of offboarding under /api/v1/access/offboardings: start, list, show, the exit
acknowledgement, the certificate statement, the 90-day access report as JSON or CSV."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from crownjewels.access.offboarding import report as access_report
from crownjewels.access.offboarding import schemas
from crownjewels.access.offboarding import service as offboarding
from crownjewels.core.actor import Actor
from crownjewels.core.http import CurrentActor, DbSession, attachment, require
from crownjewels.core.permissions import Permission as P

router = APIRouter(prefix="/access", tags=["access lifecycle"])
Manager = Annotated[Actor, Depends(require(P.GRANTS_MANAGE))]
Decider = Annotated[Actor, Depends(require(P.GRANTS_DECIDE))]
GrantReader = Annotated[Actor, Depends(require(P.GRANTS_READ))]


class OffboardStart(BaseModel):
    """Whom to offboard: a person or an organisation."""

    person: str | None = Field(default=None, max_length=320)
    organisation: str | None = Field(default=None, max_length=200)


class Acknowledgement(BaseModel):
    """Whose exit acknowledgement (an organisation's offboarding names the person)."""

    person: str | None = Field(default=None, max_length=320)


class Certificate(BaseModel):
    """The signed return-or-destruction statement (a file goes through the CLI or the page)."""

    statement: str = Field(min_length=20, max_length=20_000)


@router.post(
    "/offboardings",
    response_model=schemas.OffboardingRead,
    status_code=status.HTTP_201_CREATED,
    summary="Offboard a person or organisation",
)
def start_offboarding(
    session: DbSession, actor: Manager, data: OffboardStart
) -> schemas.OffboardingRead:
    """Revoke every live grant of the person or organisation and open the record."""
    return offboarding.offboard(
        session, actor=actor, person=data.person, organisation=data.organisation
    )


@router.get(
    "/offboardings", response_model=list[schemas.OffboardingRead], summary="List offboardings"
)
def list_offboardings(session: DbSession, actor: GrantReader) -> list[schemas.OffboardingRead]:
    """Every offboarding, newest first."""
    return offboarding.list_offboardings(session, actor=actor)


@router.get(
    "/offboardings/{ref}", response_model=schemas.OffboardingRead, summary="One offboarding"
)
def show_offboarding(session: DbSession, actor: GrantReader, ref: str) -> schemas.OffboardingRead:
    """The record."""
    return offboarding.get(session, actor=actor, ref=ref)


@router.post(
    "/offboardings/{ref}/acknowledgement",
    response_model=schemas.OffboardingRead,
    summary="Record the exit acknowledgement",
)
def acknowledge(
    session: DbSession, actor: CurrentActor, ref: str, data: Acknowledgement
) -> schemas.OffboardingRead:
    """The person themselves, or a grants:manage holder recording a signed copy."""
    return offboarding.acknowledge_exit(session, actor=actor, ref=ref, person=data.person)


@router.post(
    "/offboardings/{ref}/certificate",
    response_model=schemas.OffboardingRead,
    summary="Collect the return-or-destruction statement",
)
def certify(
    session: DbSession, actor: Manager, ref: str, data: Certificate
) -> schemas.OffboardingRead:
    """The signed statement is kept with its SHA-256."""
    return offboarding.certify(session, actor=actor, ref=ref, statement=data.statement)


@router.get("/offboardings/{ref}/report", summary="What they accessed")
def report(
    session: DbSession,
    actor: GrantReader,
    ref: str,
    days: Annotated[int, Query(ge=1, le=3650)] = access_report.REPORT_DAYS,
    format_: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> Response:
    """Copies issued, documents read and denials of the last `days`, as JSON or CSV."""
    found = offboarding.report(session, actor=actor, ref=ref, days=days)
    if format_ == "csv":
        return Response(
            access_report.to_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": attachment(f"{ref}-report.csv")},
        )
    return Response(found.model_dump_json(), media_type="application/json")
