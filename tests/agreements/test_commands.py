"""`crownjewels agreements ...` through the real CLI: `analyse FILE` on a file alone (no
installation, no database) with --json, its bad-input messages (one line, exit 2), and the
recorded file: add, list, show, upload, analyse --agreement, terminate, renew."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from crownjewels.core import clock
from tests.agreements.samples import NDA_TEXT, corrupt_pdf, nda_docx, nda_pdf, scanned_pdf
from tests.cli_helpers import Cli, assert_user_error

TODAY = clock.today()
STATUSES = {"satisfied", "contradicted", "not_mentioned"}


@pytest.fixture
def bare(tmp_path: Path) -> Cli:
    """A home folder with nothing in it: no `init`, no database."""
    return Cli(tmp_path / "empty-home")


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "nda.txt": NDA_TEXT.encode(),
        "nda.pdf": nda_pdf(),
        "nda.docx": nda_docx(),
        "scan.pdf": scanned_pdf(),
        "broken.pdf": corrupt_pdf(),
        "logo.png": b"\x89PNG\r\n\x1a\n" + bytes(64),
    }
    out = {}
    for name, data in made.items():
        (tmp_path / name).write_bytes(data)
        out[name] = tmp_path / name
    return out


@pytest.mark.parametrize("name", ["nda.txt", "nda.pdf", "nda.docx"])
def test_analyse_a_file_alone_as_json(bare: Cli, files: dict[str, Path], name: str) -> None:
    run = bare.ok("agreements", "analyse", str(files[name]), "--jurisdiction", "US", "--json")
    result = run.json()
    findings = result["findings"]
    assert len(findings) > 10
    for f in findings:
        assert {"requirement", "status", "evidence", "explanation"} <= f.keys()
        assert f["status"] in STATUSES
        for e in f["evidence"]:
            assert {"text", "start", "end"} <= e.keys() and e["end"] > e["start"]
    by_req = {f["requirement"]: f for f in findings}
    assert by_req["limited_use"]["status"] == "satisfied"
    assert by_req["breach_notification"]["status"] == "contradicted"
    assert by_req["audit_right"]["status"] == "not_mentioned"
    assert result["jurisdiction"] == "US"
    if name == "nda.txt":  # offsets index the text itself
        for f in findings:
            for e in f["evidence"]:
                assert NDA_TEXT[e["start"] : e["end"]] == e["text"]
    assert not (bare.home / "crownjewels.db").exists()  # no database was needed or made


def test_analyse_a_file_as_a_table(bare: Cli, files: dict[str, Path]) -> None:
    out = bare.ok("agreements", "analyse", str(files["nda.txt"]), "--kind", "dpa").out
    assert "profile dpa/generic" in out
    assert "[contradicted] breach_notification (required)" in out


@pytest.mark.parametrize(
    ("jurisdiction", "profile", "note"),
    [
        ("IN", "profile nda/IN (kind nda, jurisdiction IN)", None),
        ("uk", "profile nda/GB (kind nda, jurisdiction GB)", None),
        ("ZA", "profile nda/generic", "no requirement profile for jurisdiction ZA (South Africa)"),
    ],
)
def test_analyse_under_a_jurisdiction_says_which_profile_applied(
    bare: Cli, files: dict[str, Path], jurisdiction: str, profile: str, note: str | None
) -> None:
    """A country without a profile is analysed under the fallback, and the output says so
    before anything else (once: refused, and silently generic for a recorded agreement)."""
    out = bare.ok("agreements", "analyse", str(files["nda.txt"]), "--jurisdiction", jurisdiction)
    lines = out.out.splitlines()
    assert lines[0].startswith(profile)
    if note is None:
        assert "no requirement profile" not in out.out
    else:
        assert lines[1].startswith(f"note: {note}") and "the generic profile instead" in lines[1]
    result = bare.ok(
        "agreements", "analyse", str(files["nda.txt"]), "--jurisdiction", jurisdiction, "--json"
    ).json()
    assert (result["fallback"] is None) == (note is None)


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["scan.pdf"], ["scan.pdf", "no text layer: run OCR first"]),
        (["broken.pdf"], ["broken.pdf", "corrupt"]),
        (["logo.png"], ["logo.png", "unsupported file type"]),
        (["missing.pdf"], ["cannot read", "missing.pdf"]),
        (["nda.txt", "--jurisdiction", "ZZ"], ["'ZZ' is not an ISO 3166 country", "omit it"]),
        (["nda.txt", "--kind", "lease"], ["--kind 'lease' is unknown"]),
    ],
    ids=["scanned", "corrupt", "unsupported", "missing", "jurisdiction", "kind"],
)
def test_analyse_bad_input_is_one_line_exit_2(
    bare: Cli, files: dict[str, Path], args: list[str], needles: list[str]
) -> None:
    path = files.get(args[0]) or files["nda.txt"].parent / args[0]
    run = bare("agreements", "analyse", str(path), *args[1:], "--json")
    assert_user_error(run, *needles)
    assert run.out == ""


def test_analyse_needs_a_file_or_an_agreement(bare: Cli) -> None:
    assert_user_error(bare("agreements", "analyse"), "give a FILE to analyse, or --agreement")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("agreements-template"))
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("orgs", "add", "Lotus Process Services", "--kind", "vendor", "--country", "IN")
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    """A copy of the installation, with its vault key (uploads are encrypted with it)."""
    copy = template.copy_to(tmp_path / "home")
    shutil.copy2(template.home / "vault.key", copy.home / "vault.key")
    return copy


def _add(cli: Cli, *extra: str) -> dict[str, object]:
    run = cli.ok(
        "agreements", "add", "Mutual NDA with Lotus",
        "--kind", "nda", "--org", "Lotus Process Services", "--status", "in_force",
        "--effective", str(TODAY - timedelta(days=30)),
        "--expires", str(TODAY + timedelta(days=20)),
        "--governing-law", "US-NY", "--forum", "Courts of New York County",
        "--signatory", f"Priya Shah:COO:{TODAY}:Lotus Process Services",
        "--notice-days", "30", "--json", *extra,
    )  # fmt: skip
    data = run.json()
    assert isinstance(data, dict)
    return data


def test_add_list_show_upload_analyse_renew_terminate(cli: Cli, files: dict[str, Path]) -> None:
    made = _add(cli)
    ref = str(made["ref"])
    assert ref == f"AG-{TODAY.year}-001"
    assert made["governing_law_subdivision"] == "US-NY" and made["renewal_due"] is True

    listed = cli.ok("agreements", "list", "--json").json()
    assert [a["ref"] for a in listed["items"]] == [ref] and listed["total"] == 1
    table = cli.ok("agreements", "list", "--party", "Lotus Process Services").out
    assert ref in table and "RENEWAL DUE" in table
    assert cli.ok("agreements", "list", "--kind", "msa").out.strip() == "no agreements"
    due = cli.ok("agreements", "list", "--renewal-due", "--json").json()["items"]
    assert [a["ref"] for a in due] == [ref]

    stored = cli.ok("agreements", "upload", ref, str(files["nda.pdf"]), "--json").json()
    assert (stored["number"], stored["media_type"]) == (1, "application/pdf")
    analysed = cli.ok("agreements", "analyse", "--agreement", ref, "--json").json()
    assert analysed["version"] == 1
    assert {f["status"] for f in analysed["findings"]} <= STATUSES
    shown = cli.ok("agreements", "show", ref, "--json").json()
    assert shown["findings_version"] == 1 and len(shown["findings"]) == len(analysed["findings"])
    text = cli.ok("agreements", "show", ref).out
    assert "clause findings (version 1)" in text and "Priya Shah" in text

    renewed = cli.ok("agreements", "renew", ref, "--expires", str(TODAY + timedelta(days=400)))
    assert f"{ref} is renewed until {TODAY + timedelta(days=400)} (in_force)" in renewed.out
    ended = cli.ok("agreements", "terminate", ref, "--reason", "vendor offboarded")
    assert f"{ref} is terminated with effect from {TODAY}" in ended.out
    events = cli.sql(
        "SELECT event_type FROM custody_event WHERE subject_type = 'agreement' ORDER BY seq"
    )
    assert [e[0] for e in events] == [
        "AGREEMENT_ADDED",
        "AGREEMENT_VERSION_UPLOADED",
        "AGREEMENT_ANALYSED",
        "AGREEMENT_RENEWED",
        "AGREEMENT_TERMINATED",
    ]


def test_bad_input_of_the_recorded_file(cli: Cli, files: dict[str, Path]) -> None:
    before = cli.count("custody_event")
    assert_user_error(
        cli(
            "agreements", "add", "Backwards",
            "--effective", "2026-02-01", "--expires", "2026-01-01",
        ),
        "before effective_on",
    )  # fmt: skip
    assert_user_error(cli("agreements", "add", "Bad date", "--effective", "1 May"), "YYYY-MM-DD")
    assert_user_error(cli("agreements", "add", "Who", "--org", "Nobody Ltd"), "no organisation")
    assert_user_error(cli("agreements", "show", "AG-1999-001"), "no agreement 'AG-1999-001'")
    assert cli.count("custody_event") == before
    ref = str(_add(cli)["ref"])
    assert_user_error(
        cli("agreements", "analyse", "--agreement", ref), "has no document yet", "upload"
    )
    assert_user_error(
        cli("agreements", "analyse", "--agreement", ref, "--jurisdiction", "CN"),
        "its own governing law",
    )
    cli.ok("agreements", "upload", ref, str(files["scan.pdf"]))
    events = cli.count("custody_event")
    assert_user_error(
        cli("agreements", "analyse", "--agreement", ref), "no text layer: run OCR first"
    )
    assert cli.count("custody_event") == events  # a failed analysis leaves nothing behind
    assert_user_error(cli("agreements", "upload", ref, str(files["logo.png"])), "unsupported")
    assert_user_error(
        cli("agreements", "renew", ref, "--expires", str(TODAY)), "is not after the current one"
    )
    assert cli.count("agreement_version") == 1
