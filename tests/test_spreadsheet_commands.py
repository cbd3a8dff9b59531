"""`secrets|people|vendors import FILE [--dry-run]` and the exports through the real CLI: every
bad row on stderr as FILE:LINE, exit 2 and nothing written; a good file written whole; an
exported register imports again into another installation."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.cli_helpers import Cli

PEOPLE = (
    "Name,Email,Organisation,Kind,Country,Title\r\n"
    "Dana Whitfield,dana@northwind.example,Northwind,employee,US,CTO\r\n"
    "Ravi Menon,ravi@northwind.example,northwind,Contractor,IN,\r\n"
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("spreadsheet-template"))
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    return template.copy_to(tmp_path / "home")


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_people_import_checks_then_writes_every_row_or_none(cli: Cli, tmp_path: Path) -> None:
    good = _write(tmp_path / "people.csv", PEOPLE)
    before = (cli.count("person"), cli.count("custody_event"))
    dry = cli.ok("people", "import", good, "--dry-run")
    assert "all 2 row(s) are good" in dry.out
    assert (cli.count("person"), cli.count("custody_event")) == before
    bad = _write(
        tmp_path / "bad.csv",
        PEOPLE
        + "Ann Other,not-an-email,Northwind,employee,US,\r\nBo,bo@x.example,Nowhere,,US,\r\n",
    )
    run = cli("people", "import", bad)
    assert run.code == 2
    assert run.err_lines[0].startswith("bad.csv:4: Email: ")
    assert run.err_lines[1].startswith("bad.csv:5: the organisation 'Nowhere' is not recorded")
    assert "nothing was imported" in run.err_lines[-1]
    assert cli.count("person") == before[0]
    done = cli.ok("people", "import", good)
    assert "imported 2 row(s): dana@northwind.example, ravi@northwind.example" in done.out
    assert cli.count("person") == before[0] + 2


def test_an_exported_register_imports_into_another_installation(
    template: Cli, cli: Cli, tmp_path: Path
) -> None:
    other = template.copy_to(tmp_path / "other")
    for home in (cli, other):
        home.ok("people", "import", _write(tmp_path / "people.csv", PEOPLE))
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Description", "Category", "Tier", "Owner", "Allowed regions"])
    sheet.append(["Brine", "Salt by weight", "Formula", "highly sensitive", "Dana Whitfield", "DE"])
    sheet.append(["Oven", "Curve", "process", "sensitive", "ravi@northwind.example", None])
    buffer = io.BytesIO()
    book.save(buffer)
    (tmp_path / "register.xlsx").write_bytes(buffer.getvalue())
    cli.ok("secrets", "import", str(tmp_path / "register.xlsx"))
    assert cli.count("trade_secret") == 2
    out = tmp_path / "export.xlsx"
    cli.ok("secrets", "export", "--format", "xlsx", "--out", str(out))
    again = cli("secrets", "import", str(out), "--dry-run")
    assert again.code == 2 and "already registered" in again.err  # same names, same register
    assert "all 2 row(s) are good" in other.ok("secrets", "import", str(out), "--dry-run").out
    csv_text = cli.ok("secrets", "export").out
    assert csv_text.startswith("Ref,Name,Description") and "Dana Whitfield" in csv_text


def test_vendors_import_records_the_organisation_and_the_grants_export(
    cli: Cli, tmp_path: Path
) -> None:
    vendors = _write(
        tmp_path / "vendors.csv",
        "Name,Home country,Services,Criticality,Countries\r\n"
        "Lotus Process,IN,Formulation trials,high,IN; SG\r\n",
    )
    cli.ok("vendors", "import", vendors)
    listed = cli.ok("vendors", "export").out
    assert 'VN-0001,Lotus Process,IN,Formulation trials,high,prospect,"IN, SG"' in listed
    assert cli.ok("access", "grants", "--format", "csv").out.startswith("Ref,Person,")
    wrong = cli("secrets", "import", _write(tmp_path / "x.txt", "\x00\x01"))
    assert wrong.code == 2 and "not a CSV text file" in wrong.err
