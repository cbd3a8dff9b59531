"""`crownjewels vault ...` and `keys rotate` through the real CLI: put, list, get, hold,
destroy, rotation, and the clear one-line errors."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, assert_user_error
from tests.vault import samples


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("vault-template"))
    init = cli.ok("init")
    assert "created the vault key local-" in init.out
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("people", "add", "Elena Vasquez", "--email", "elena@nw.example", "--org", "Northwind",
           "--country", "US")  # fmt: skip
    cli.ok("secrets", "add", "Brine", "--description", "d", "--category", "formula",
           "--tier", "sensitive", "--owner", "elena@nw.example")  # fmt: skip
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    copy = template.copy_to(tmp_path / "home")
    for name in ("vault.key", "custody-signing.key", "custody-signing.pub"):
        (copy.home / name).write_bytes((template.home / name).read_bytes())
        (copy.home / name).chmod(0o600)
    return copy


def test_init_makes_an_owner_only_key_and_keeps_it(template: Cli) -> None:
    key = template.home / "vault.key"
    before = key.read_bytes()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    template.ok("init")
    assert key.read_bytes() == before


def test_put_list_get_destroy(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "drawing.png"
    source.write_bytes(samples.png())
    put = cli.ok("vault", "put", str(source), "--secret", "TS-0001", "--title", "Drawing", "--json")
    doc = json.loads(put.out)
    assert doc["versions"][0]["media_type"] == "image/png" and doc["title"] == "Drawing"
    listed = cli.ok("vault", "list", "--secret", "TS-0001").out
    assert doc["id"] in listed and "image/png" in listed
    out = tmp_path / "back.png"
    cli.ok("vault", "export-raw", doc["id"], "--out", str(out))
    assert out.read_bytes() == source.read_bytes()
    cli.ok("vault", "hold", doc["id"], "--reason", "case 12")
    assert_user_error(cli("vault", "destroy", doc["id"], "--reason", "x y z"), "legal hold")
    cli.ok("vault", "release", doc["id"])
    cert = json.loads(cli.ok("vault", "destroy", doc["id"], "--reason", "expired", "--json").out)
    assert cert["versions"][0]["sha256"] == doc["versions"][0]["sha256"]
    assert cert["checkpoint_size"] is not None  # init made a signing key: a fresh checkpoint
    assert cert["inclusion_proof"]["checkpoint"]["tree_size"] == cert["checkpoint_size"]
    assert_user_error(
        cli("vault", "export-raw", doc["id"], "--out", str(tmp_path / "x")), "destroyed"
    )
    assert [p for p in (cli.home / "blobs").rglob("*") if p.is_file()] == []
    assert cli.ok("custody", "verify").code == 0


def test_refusals_are_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "contract.pdf"
    bad.write_bytes(samples.malformed_pdf())
    assert_user_error(cli("vault", "put", str(bad), "--secret", "TS-0001"), "not a valid PDF")
    bomb = tmp_path / "archive.zip"
    bomb.write_bytes(samples.zip_bomb())
    assert_user_error(cli("vault", "put", str(bomb), "--secret", "TS-0001"), "zip bomb")
    big = tmp_path / "big.bin"
    big.write_bytes(bytes(5000))
    run = cli(
        "vault", "put", str(big), "--secret", "TS-0001", CROWNJEWELS_VAULT_MAX_UPLOAD_BYTES="4096"
    )
    assert_user_error(run, "limit")
    assert_user_error(cli("vault", "put", str(big), "--secret", "TS-9999"), "no trade secret")
    assert cli.count("document") == 0


def test_rotate_rewraps_and_the_old_key_is_not_needed(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(samples.text())
    doc = json.loads(cli.ok("vault", "put", str(source), "--secret", "TS-0001", "--json").out)
    blobs = {p: p.read_bytes() for p in (cli.home / "blobs").rglob("*") if p.is_file()}
    old_key = (cli.home / "vault.key").read_bytes()
    run = cli.ok("keys", "rotate", "--purge-old")
    assert "re-wrapped 1 data keys" in run.out
    assert (cli.home / "vault.key").read_bytes() != old_key
    assert not list(cli.home.glob("vault.key.*"))  # purged: nothing keeps the old KEK
    assert {p: p.read_bytes() for p in blobs} == blobs  # content untouched
    out = tmp_path / "back.txt"
    cli.ok("vault", "export-raw", doc["id"], "--out", str(out))
    assert out.read_bytes() == source.read_bytes()
    kept = cli.ok("keys", "rotate")
    assert "kept at" in kept.out and len(list(cli.home.glob("vault.key.retired-*"))) == 1


def test_wrong_key_file_is_named(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"x")
    doc = json.loads(cli.ok("vault", "put", str(source), "--secret", "TS-0001", "--json").out)
    (cli.home / "vault.key").unlink()
    cli.ok("init")  # a new, different KEK
    run = cli("vault", "export-raw", doc["id"], "--out", str(tmp_path / "o"))
    assert_user_error(run, "wrapped by KEK")
