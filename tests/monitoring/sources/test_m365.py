"""Microsoft 365 audit log exports in the event format: both export layouts, every mapped
operation, and rows that cannot be read named by their line."""

from __future__ import annotations

import csv
import io
import json

import pytest

from crownjewels.monitoring.sources import m365
from tests.monitoring.sources.fixtures import fixture

#: ObjectId writes "Shared Documents" raw; the event has it as a browser shows it
SITE = "https://northwind.sharepoint.com/sites/Formulas/Shared%20Documents/Brine"


def test_the_portal_export_maps_files_sharing_and_sign_ins() -> None:
    result = m365.read(fixture("m365-audit.csv"))
    got = [(e.action.value, e.actor, e.resource) for e in result.events]
    assert got == [
        ("download", "ravi@acme.example", f"{SITE}/process-v3.pdf"),
        ("view", "ravi@acme.example", f"{SITE}/yields.xlsx"),
        ("upload", "elena@nw.example", f"{SITE}/process-v4.pdf"),
        ("copy", "ravi@acme.example", f"{SITE}/process-v3.pdf"),  # what was copied
        ("delete", "elena@nw.example", f"{SITE}/old.pdf"),
        ("share", "ravi@acme.example", f"{SITE}/process-v3.pdf"),
        ("login", "ravi@acme.example", "m365:AzureActiveDirectory"),
        ("failed-login", "ravi@acme.example", "m365:AzureActiveDirectory"),
    ]
    first = json.loads(next(result.lines()))
    assert first == {
        "time": "2026-12-01T02:10:04Z",
        "actor": "ravi@acme.example",
        "action": "download",
        "resource": f"{SITE}/process-v3.pdf",
        "ip": "203.0.113.5",
        "device": "c0ffee00-1111-4222-8333-444455556666",
        "source": "m365",
    }
    assert result.events[4].ip == "198.51.100.23"  # [::ffff:198.51.100.23]:50312
    assert result.events[6].device == "7d1f3a52-9b8e-4c1d-a2f0-5e6d7c8b9a01"
    assert result.origins == [2, 3, 4, 5, 6, 7, 8, 9]  # file lines: the header is line 1
    assert result.skipped == {"MailItemsAccessed": 1}
    assert [p.line for p in result.problems] == [11]
    assert "AuditData column is not complete JSON" in result.problems[0].reason


def test_the_older_export_with_its_type_line_reads_the_same() -> None:
    result = m365.read(fixture("m365-audit-legacy.csv"))
    assert [e.action.value for e in result.events] == ["download", "view"]
    assert result.origins == [3, 4]
    assert not result.problems


def _export(*rows: tuple[str, str, str, object]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["CreationDate", "UserIds", "Operations", "AuditData"])
    for date, user, operation, audit in rows:
        writer.writerow(
            [date, user, operation, audit if isinstance(audit, str) else json.dumps(audit)]
        )
    return out.getvalue().encode()


@pytest.mark.parametrize(
    ("operation", "action"),
    [(op, action) for op, action in m365.OPERATIONS.items()],
)
def test_each_operation_maps_to_its_action(operation: str, action: str) -> None:
    audit = {"CreationTime": "2026-12-02T10:00:00", "Operation": operation,
             "UserId": "ana@nw.example", "ObjectId": "https://x.example/a.docx"}  # fmt: skip
    result = m365.read(
        _export(("2026-12-02T10:00:00.0000000Z", "ana@nw.example", operation, audit))
    )
    assert [e.action.value for e in result.events] == [action]


def test_the_row_columns_fill_in_what_audit_data_lacks() -> None:
    result = m365.read(_export(("12/2/2026 3:04:05 PM", "ana@nw.example", "FileDownloaded",
                                {"ObjectId": "https://x.example/a.docx"})))  # fmt: skip
    (event,) = result.events
    assert event.actor == "ana@nw.example"
    assert event.time.isoformat() == "2026-12-02T15:04:05+00:00"


def test_bad_rows_are_named_and_the_good_ones_kept() -> None:
    result = m365.read(
        _export(
            ("2026-12-02T10:00:00Z", "a@x.example", "FileDownloaded", "[1, 2]"),
            ("someday", "a@x.example", "FileDownloaded", {"ObjectId": "https://x.example/b"}),
            (
                "2026-12-02T10:00:00Z",
                "a@x.example",
                "FileDownloaded",
                {"ObjectId": "https://x.example/c"},
            ),
        )
    )
    assert [e.resource for e in result.events] == ["https://x.example/c"]
    assert [(p.line, p.reason) for p in result.problems] == [
        (2, "the AuditData column must be a JSON object"),
        (3, "no readable time (CreationDate 'someday')"),
    ]


def test_a_file_that_is_not_an_export_says_what_it_needs() -> None:
    result = m365.read(b"Date,User,What\n1,2,3\n")
    assert "needs CreationDate, UserIds (or UserId), Operations" in result.problems[0].reason
    assert "empty" in m365.read(b"").problems[0].reason


def test_urls_are_written_as_a_browser_shows_them() -> None:
    assert (
        m365.as_url("https://x.example/a b/ü%20c.pdf") == "https://x.example/a%20b/%C3%BC%20c.pdf"
    )
    assert m365.as_url("OneDrive file.docx") == "OneDrive file.docx"
