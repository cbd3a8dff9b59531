"""The import page every list shares: upload a spreadsheet, see the dry run's verdict on every
row, then "Import N rows", which sends the same file back and checks it all again before it
writes (nothing checked earlier is trusted).

The file travels back in the confirm form, compressed, so no upload is kept on the server
between the two steps. A capability's pages.py gives the columns and the service call.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from crownjewels.core.errors import Invalid
from crownjewels.core.forms import discard, flash, redirect, render, text
from crownjewels.core.tables import MAX_BYTES, ImportReport, TableError

#: a form field larger than this is refused by the form parser: the confirm form's copy of
#: the file must fit (CSV compresses far below it; an XLSX is small already)
_MAX_CARRIED = 1000 * 1024

#: runs the capability's import: (file bytes, file name, dry run) -> report
Runner = Callable[[bytes, str, bool], ImportReport]


@dataclass(frozen=True)
class ImportPage:
    """What a list's import page says: its title, where it goes back to, the columns."""

    title: str
    back: str
    back_label: str
    action: str
    columns: Sequence[str]
    required: Sequence[str]


def _carry(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def _uncarry(value: str) -> bytes:
    try:
        return zlib.decompress(base64.b64decode(value, validate=True), bufsize=MAX_BYTES + 1)
    except (binascii.Error, zlib.error, ValueError):
        raise Invalid("the checked file did not come back whole; upload it again") from None


def read_upload(form: FormData) -> tuple[str, bytes] | Invalid:
    """The posted spreadsheet (a new upload, or the file the confirm form carries back), or
    what is wrong with it. The form parser spooled the upload already: a sync read."""
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        upload.file.seek(0)
        return upload.filename, upload.file.read(MAX_BYTES + 1)
    carried, name = text(form, "content"), text(form, "filename")
    if carried and name:
        try:
            return name, _uncarry(carried)
        except Invalid as exc:
            return exc
    return Invalid("choose a .csv or .xlsx file to import", field="file")


def form_page(request: Request, page: ImportPage, *, status: int = 200, **ctx: object) -> Response:
    """The upload form (and, after a check, its verdict)."""
    return render(request, "import.html", {"page": page, **ctx}, status=status)


def run_page(
    request: Request,
    session: Session,
    page: ImportPage,
    upload: tuple[str, bytes] | Invalid,
    run: Runner,
    *,
    confirm: bool,
) -> Response:
    """Check the upload (a dry run), or on confirm import it; a refusal shows every bad row."""
    if isinstance(upload, Invalid):
        return form_page(request, page, status=422, error=upload.message)
    name, data = upload
    try:
        report = run(data, name, not confirm)
    except TableError as exc:
        discard(session)
        return form_page(request, page, status=422, error=exc.message)
    if report.written:
        span = report.created[0] + (f" to {report.created[-1]}" if report.rows > 1 else "")
        rows = f"{report.rows} row" + ("s" if report.rows != 1 else "")
        flash(request, f"Imported {rows} from {name} ({span}).")
        return redirect(page.back)
    carried = _carry(data) if not report.problems else ""
    too_big = len(carried) > _MAX_CARRIED
    return form_page(
        request,
        page,
        status=422 if report.problems else 200,
        report=report,
        filename=name,
        carried="" if too_big else carried,
        too_big=too_big,
    )
