"""The chain-of-custody form: a PDF that opens, whose text names the case, the item, its hash,
every custodian with a signature line and a time in UTC with its offset, and the custody event
that records each row."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pikepdf
from pypdf import PdfReader

from crownjewels.incidents.evidence import pdf
from crownjewels.incidents.evidence.schemas import EvidenceKind, EvidenceRead, HandoverRead

SHA = "3a7bd3e2360a3d29eea436fcfb7e44c735d117c42d1c1835420b6b9942dd4f1b"
AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


def _item(handovers: int = 2) -> EvidenceRead:
    people = ["Kim Lee, Acme Forensics", "Dana Whitfield", "Hale & Co LLP <counsel>"]
    return EvidenceRead(
        ref="EV-0003",
        case_ref="IN-0007",
        case_title="Pigment ingest code posted in a public repository",
        kind=EvidenceKind.EXTERNAL,
        kind_words="collected outside the system",
        description="Forensic image of Alice's laptop (Dell XPS 13, serial 7Q2K)",
        sha256=SHA,
        size=256_060_514_304,
        document_id=None,
        legal_hold=False,
        collected_by=people[0],
        collected_at=AT,
        collected_where="Berlin office, room 4.12",
        stored_at="Hale & Co strong room",
        first_stored_at="Evidence safe 2, shelf B",
        custodian=people[handovers],
        recorded_by="Sam Security (sam@example.com)",
        created_at=AT + timedelta(hours=1),
        custody_seq=412,
        custody_hash="ab" * 32,
        handovers=[
            HandoverRead(
                number=n,
                from_custodian=people[n - 1],
                to_custodian=people[n],
                handed_at=AT + timedelta(days=n),
                purpose=["analysis of the image", "for the TRO application"][n - 1],
                stored_at=["Forensics lab, locker 3", "Hale & Co strong room"][n - 1],
                recorded_by="Sam Security (sam@example.com)",
                created_at=AT + timedelta(days=n, minutes=5),
                custody_seq=412 + 7 * n,
                custody_hash=f"{n}c" * 32,
            )
            for n in range(1, handovers + 1)
        ],
    )


def _text(data: bytes) -> str:
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        )
        return done.stdout.decode()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_form_names_every_custodian_hash_time_and_custody_event() -> None:
    made = pdf.render(_item(), "Lee Legal (lee@example.com)", AT + timedelta(days=3))
    with pikepdf.open(io.BytesIO(made)) as opened:  # a well-formed PDF
        assert len(opened.pages) >= 1
        assert str(opened.docinfo["/Title"]) == "Chain of custody EV-0003"
    text = " ".join(_text(made).split())
    for expected in (
        "Chain of custody: EV-0003",
        "IN-0007 Pigment ingest code posted",
        SHA,
        "256,060,514,304 bytes (238.5 GiB)",
        "Collected by Kim Lee, Acme Forensics",
        "2026-11-30 09:15:00 UTC (+00:00)",
        "Released by: Dana Whitfield",
        "Received by: Hale & Co LLP <counsel>",
        "2026-12-02 09:15:00 UTC (+00:00)",
        "Signature: ____",
        "for the TRO application",
        "First kept at Evidence safe 2, shelf B",
        "Custody events: registered: #412; hand-over 1: #419; hand-over 2: #426",
        "Hand-over 2 #426 " + "2c" * 32,
        "Generated 2026-12-03 09:15:00 UTC (+00:00) by Lee Legal (lee@example.com)",
    ):
        assert expected in text, expected
    assert text.count("Signature: ____") == 4  # who released and who received, each hand-over


def test_an_item_not_yet_handed_over_says_who_holds_it() -> None:
    item = _item(handovers=0).model_copy(
        update={"kind": EvidenceKind.BUNDLE, "document_id": "01JDOC", "legal_hold": True}
    )
    text = " ".join(_text(pdf.render(item, "Sam", AT)).split())
    assert "None yet: Kim Lee, Acme Forensics holds it." in text
    assert "preserved: #412" in text and "01JDOC, under legal hold" in text
    assert pdf.record_lines(item) == ["preserved: #412"]
