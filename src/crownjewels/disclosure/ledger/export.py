"""The ledger as files: CSV (one row per entry, the columns of `COLUMNS`) and a PDF report
(title, filters, generated time, a table of the entries, and each entry's custody seq/hash)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from crownjewels.core import clock, exports
from crownjewels.core.actor import Actor
from crownjewels.custody import labels
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import EntryRead, LedgerFilter

# reportlab is imported where a PDF is made: the CSV, the API and every command never load it
if TYPE_CHECKING:
    from reportlab.platypus import Paragraph

#: the CSV columns, in order; lists (grants, approvers) are joined with "; ". People are named
#: ("Dana Whitfield (dana@example.com)"); the `_ref` columns keep the exact actor refs.
COLUMNS = (
    "id",
    "disclosed_at",
    "secret_id",
    "secret_ref",
    "secret_name",
    "document_id",
    "document_version",
    "document_sha256",
    "recipient_person_id",
    "recipient_name",
    "recipient_organisation_id",
    "recipient_organisation_name",
    "channel",
    "agreement_id",
    "agreement_ref",
    "agreement_version",
    "grant_refs",
    "approved_by",
    "copy_id",
    "purpose",
    "description",
    "recorded_by",
    "custody_seq",
    "custody_hash",
    "approved_by_ref",
    "recorded_by_ref",
    "copy_compromised_at",
    "copy_compromised_reason",
)
TITLE = "Disclosure ledger"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _named(entry: EntryRead, names: Mapping[str, str]) -> dict[str, object]:
    """The entry's fields, people by name and their refs in the `_ref` columns."""
    fields: dict[str, object] = entry.model_dump()
    fields["approved_by"] = [names.get(r, r) for r in entry.approved_by]
    fields["recorded_by"] = names.get(entry.recorded_by, entry.recorded_by)
    fields["approved_by_ref"] = entry.approved_by
    fields["recorded_by_ref"] = entry.recorded_by
    return fields


def to_csv(entries: Sequence[EntryRead], names: Mapping[str, str] | None = None) -> str:
    """The entries as CSV text with a header row; `names`: actor ref -> name (people_of)."""
    rows = (_named(entry, names or {}) for entry in entries)
    return exports.to_csv(
        COLUMNS, ([_cell(row[c]) for c in COLUMNS] for row in rows), lineterminator="\n"
    )


def people_of(session: Session, entries: Sequence[EntryRead]) -> dict[str, str]:
    """The people who approved or recorded the entries, by actor ref (one lookup for all)."""
    return labels.actor_texts(
        session, {r for e in entries for r in (*e.approved_by, e.recorded_by)}
    )


def _row(entry: EntryRead, style: object, names: Mapping[str, str]) -> list[Paragraph]:
    from reportlab.platypus import Paragraph

    what = entry.secret_ref or entry.secret_id
    if entry.document_id:
        what += f" doc {entry.document_id} v{entry.document_version}"
        what += f"<br/>sha256 {entry.document_sha256}"
    recipient = f"{_escape(entry.recipient_name)}<br/>{_escape(entry.recipient_organisation_name)}"
    agreement = (
        f"{entry.agreement_ref} v{entry.agreement_version}" if entry.agreement_ref else "none"
    )
    cells = [
        f"{entry.disclosed_at:%Y-%m-%d %H:%M} UTC",
        what,
        recipient,
        entry.channel.value
        + (f"<br/>copy {entry.copy_id}" if entry.copy_id else "")
        + (
            f"<br/><b>compromised</b> {entry.copy_compromised_at:%Y-%m-%d}"
            if entry.copy_compromised_at
            else ""
        ),
        agreement,
        _escape(", ".join(names.get(r, r) for r in entry.approved_by)) or "-",
        _escape(entry.purpose),
        f"#{entry.custody_seq}<br/>{entry.custody_hash}",
    ]
    return [Paragraph(c, style) for c in cells]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_pdf(
    entries: Sequence[EntryRead],
    filters: LedgerFilter,
    generated_by: str,
    names: Mapping[str, str] | None = None,
) -> bytes:
    """The entries as a landscape A4 report; `generated_by` and `names` (actor ref -> name)
    name people as a reader knows them."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=7, leading=8.5, wordWrap="CJK")
    head = ["Disclosed", "Secret / version", "Recipient", "Channel", "Agreement",
            "Approved by", "Purpose", "Custody seq / hash"]  # fmt: skip
    data: list[list[object]] = [[Paragraph(f"<b>{h}</b>", small) for h in head]]
    data += [_row(e, small, names or {}) for e in entries]
    table = Table(
        data,
        repeatRows=1,
        colWidths=[24 * mm, 46 * mm, 36 * mm, 26 * mm, 24 * mm, 28 * mm, 40 * mm, 53 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, title=TITLE
    )
    story: list[object] = [
        Paragraph(TITLE, styles["Title"]),
        Paragraph(f"Filters: {_escape(filters.describe())}", styles["BodyText"]),
        Paragraph(
            f"Generated {clock.now():%Y-%m-%d %H:%M:%S} UTC by {_escape(generated_by)}; "
            f"{len(entries)} entr{'y' if len(entries) == 1 else 'ies'}",
            styles["BodyText"],
        ),
        Spacer(1, 4 * mm),
        table if entries else Paragraph("No disclosure matches the filters.", styles["BodyText"]),
    ]
    doc.build(story)
    return buf.getvalue()


def ledger_csv(session: Session, *, actor: Actor, filters: LedgerFilter) -> str:
    """The ledger the actor may read, filtered, as CSV."""
    entries = ledger.list_entries(session, actor=actor, filters=filters)
    return to_csv(entries, people_of(session, entries))


def ledger_pdf(session: Session, *, actor: Actor, filters: LedgerFilter) -> bytes:
    """The ledger the actor may read, filtered, as a PDF report."""
    entries = ledger.list_entries(session, actor=actor, filters=filters)
    who = labels.actor_text(session, actor.ref)
    return to_pdf(entries, filters, who, people_of(session, entries))
