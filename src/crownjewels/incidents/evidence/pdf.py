"""The chain-of-custody form of one evidence item as a PDF: the case and the item (description,
kind, SHA-256, size, collected by, when and where, where it is kept, who holds it), the table
of hand-overs with a signature line for each person who released or received it, and a footer
naming the custody events that record each row, so a reader can check them against the custody
log (`crownjewels custody show SEQ`). Every time is in UTC with its offset shown."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crownjewels.incidents.evidence.schemas import EvidenceRead

# reportlab is imported where the PDF is made: the API and every command never load it
if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

TITLE = "Chain of custody"
SIGN = "Signature: ____________________________"


def moment(value: datetime) -> str:
    """A time as the form prints it: UTC, to the second, with its offset."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") + " UTC (+00:00)"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _size(size: int | None) -> str:
    if size is None:
        return "not given"
    if size < 1024:
        return f"{size:,} bytes"
    value, shown = float(size), "bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB", "PiB"):
        value, shown = value / 1024, unit
        if value < 1024:
            break
    return f"{size:,} bytes ({value:.1f} {shown})"


def record_lines(item: EvidenceRead) -> list[str]:
    """Which custody event records each row of the form (the footer's words)."""
    first = "registered" if item.kind == "external" else "preserved"
    lines = [f"{first}: #{item.custody_seq}" if item.custody_seq else f"{first}: not found"]
    for h in item.handovers:
        seq = f"#{h.custody_seq}" if h.custody_seq else "not found"
        lines.append(f"hand-over {h.number}: {seq}")
    return lines


def _facts(item: EvidenceRead, style: Any) -> list[list[Paragraph]]:
    from reportlab.platypus import Paragraph

    rows = [
        ("Case", f"{item.case_ref} {item.case_title}"),
        ("Item", item.ref),
        ("Description", item.description),
        ("Kind", item.kind_words),
        ("SHA-256", item.sha256),
        ("Size", _size(item.size)),
        ("Collected by", item.collected_by),
        ("Collected at", moment(item.collected_at)),
        ("Collected where", item.collected_where or "not given"),
        ("First kept at", item.first_stored_at),
        ("Kept at now", item.stored_at),
        ("Held by now", item.custodian),
        ("Recorded by", f"{item.recorded_by}, {moment(item.created_at)}"),
    ]
    if item.document_id:
        hold = "under legal hold" if item.legal_hold else "NOT under legal hold"
        rows.append(("Vault document", f"{item.document_id}, {hold}"))
    return [
        [Paragraph(f"<b>{k}</b>", style), Paragraph(_escape(v).replace("\n", "<br/>"), style)]
        for k, v in rows
    ]


def _signed(role: str, name: str, at: datetime, style: Any) -> Paragraph:
    from reportlab.platypus import Paragraph

    return Paragraph(f"{role}: <b>{_escape(name)}</b><br/>{moment(at)}<br/><br/>{SIGN}", style)


def _handovers(item: EvidenceRead, style: Any) -> list[list[Any]]:
    from reportlab.platypus import Paragraph

    head = ["#", "Released by (from)", "Received by (to)", "When", "Purpose", "Stored at"]
    data: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", style) for h in head]]
    for h in item.handovers:
        data.append(
            [
                Paragraph(str(h.number), style),
                _signed("Released by", h.from_custodian, h.handed_at, style),
                _signed("Received by", h.to_custodian, h.handed_at, style),
                Paragraph(moment(h.handed_at), style),
                Paragraph(_escape(h.purpose or "not given"), style),
                Paragraph(_escape(h.stored_at), style),
            ]
        )
    return data


def _custody_table(item: EvidenceRead, style: Any) -> list[list[Any]]:
    from reportlab.platypus import Paragraph

    first = "Registration" if item.kind == "external" else "Preservation"
    rows = [(first, item.custody_seq, item.custody_hash)]
    rows += [(f"Hand-over {h.number}", h.custody_seq, h.custody_hash) for h in item.handovers]
    data: list[list[Any]] = [
        [Paragraph(f"<b>{h}</b>", style) for h in ("Row", "Custody event", "Event hash")]
    ]
    for row, seq, digest in rows:
        data.append(
            [
                Paragraph(row, style),
                Paragraph(f"#{seq}" if seq else "not found", style),
                Paragraph(digest or "", style),
            ]
        )
    return data


def _footer(item: EvidenceRead, generated: str) -> Any:
    def draw(canvas: Canvas, doc: Any) -> None:
        from reportlab.lib.units import mm

        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        words = f"{item.ref} of {item.case_ref}. Custody events: " + "; ".join(record_lines(item))
        lines = [words[i : i + 150] for i in range(0, len(words), 150)][:3]
        y = 14 * mm
        for line in lines:
            canvas.drawString(12 * mm, y, line)
            y -= 3.2 * mm
        canvas.drawRightString(doc.pagesize[0] - 12 * mm, 6 * mm, f"{generated}; page {doc.page}")
        canvas.restoreState()

    return draw


def render(item: EvidenceRead, generated_by: str, generated_at: datetime) -> bytes:
    """The form of one item as an A4 landscape PDF."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10, wordWrap="CJK")
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
    facts = Table(_facts(item, small), colWidths=[38 * mm, 225 * mm])
    facts.setStyle(grid)
    story: list[Any] = [
        Paragraph(f"{TITLE}: {item.ref}", styles["Title"]),
        Paragraph(_escape(f"Incident case {item.case_ref} {item.case_title}"), styles["Heading3"]),
        facts,
        Spacer(1, 5 * mm),
        Paragraph("Hand-overs", styles["Heading2"]),
    ]
    if item.handovers:
        table = Table(
            _handovers(item, small),
            repeatRows=1,
            colWidths=[10 * mm, 62 * mm, 62 * mm, 36 * mm, 48 * mm, 45 * mm],
        )
        table.setStyle(grid)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8"))]))
        story.append(table)
    else:
        story.append(Paragraph(f"None yet: {_escape(item.custodian)} holds it.", small))
    custody = Table(_custody_table(item, small), colWidths=[32 * mm, 28 * mm, 203 * mm])
    custody.setStyle(grid)
    story += [
        Spacer(1, 5 * mm),
        Paragraph("Custody record", styles["Heading2"]),
        Paragraph(
            "Each row above is recorded by a custody event; check each against the custody "
            "log (`crownjewels custody show SEQ`) or an evidence bundle.",
            small,
        ),
        custody,
    ]
    generated = f"Generated {moment(generated_at)} by {generated_by}"
    draw = _footer(item, generated)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        bottomMargin=22 * mm,
        title=f"{TITLE} {item.ref}",
    )
    doc.build(story, onFirstPage=draw, onLaterPages=draw)
    return buf.getvalue()
