"""The vendor list's import page and its CSV/XLSX download (mounted before the vendor pages,
so `/vendors/import` is not read as a vendor's ref)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from crownjewels.core.actor import Actor
from crownjewels.core.forms import PostedForm, text
from crownjewels.core.http import DbSession, attachment, require
from crownjewels.core.importing import ImportPage, form_page, read_upload, run_page
from crownjewels.core.permissions import Permission as P
from crownjewels.core.tables import ImportReport
from crownjewels.vendors.imports import service as imports
from crownjewels.vendors.schemas import VendorFilter

router = APIRouter(prefix="/vendors", include_in_schema=False)
Reader = Annotated[Actor, Depends(require(P.VENDORS_READ))]
Writer = Annotated[Actor, Depends(require(P.VENDORS_WRITE))]

_FILTERS = ("status", "criticality", "country", "q")
_IMPORT = ImportPage(
    title="Import vendors",
    back="/vendors",
    back_label="Back to vendors",
    action="/vendors/import",
    columns=list(imports.COLUMNS),
    required=[imports.LABELS[f] for f in imports.REQUIRED],
)


@router.get("/export.{fmt}")
def export(
    request: Request, session: DbSession, actor: Reader, fmt: Literal["csv", "xlsx"]
) -> Response:
    """The vendor list under its filters, as CSV or XLSX (the import's columns)."""
    raw = {k: request.query_params.get(k, "").strip() for k in _FILTERS}
    due = request.query_params.get("review_due", "") in ("true", "on", "1")
    flt = VendorFilter.model_validate(
        {**{k: v for k, v in raw.items() if v}, "review_due": due or None}
    )
    content, media_type = imports.export(session, actor=actor, filters=flt, fmt=fmt)
    headers = {"Content-Disposition": attachment(f"vendors.{fmt}")}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/import")
def import_form(request: Request, actor: Writer) -> Response:
    """The import page: upload a spreadsheet of new vendors."""
    return form_page(request, _IMPORT)


@router.post("/import")
def import_file(request: Request, session: DbSession, actor: Writer, form: PostedForm) -> Response:
    """Check an uploaded vendor list (dry run), or import it once confirmed (checked again)."""

    def run(data: bytes, source: str, dry_run: bool) -> ImportReport:
        return imports.import_vendors(
            session, actor=actor, data=data, source=source, dry_run=dry_run
        )

    confirm = text(form, "confirm") == "yes"
    return run_page(request, session, _IMPORT, read_upload(form), run, confirm=confirm)
