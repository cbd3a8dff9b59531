"""Evidence bundles through the real CLI: `custody checkpoint|prove|consistency|export|
verify-bundle`. A bundle verifies offline; an edited event, a deleted event, a cut-off tail and
a forked history are each detected, and a bundle from another installation is refused."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from crownjewels.custody import bundle, keys, merkle
from tests.cli_helpers import Cli, assert_user_error
from tests.conftest import PgServer
from tests.custody.helpers import rewrite_from


def _seed(cli: Cli) -> None:
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    owner = ("--email", "elena@northwind.example", "--org", "Northwind", "--country", "US")
    cli.ok("people", "add", "Elena Vasquez", *owner)
    cli.ok("custody", "checkpoint")
    cli.ok(
        "secrets", "add", "Formula", "--description", "d", "--category", "formula",
        "--tier", "sensitive", "--owner", "elena@northwind.example",
    )  # fmt: skip
    cli.ok("secrets", "review", "TS-0001", "--outcome", "confirmed")
    cli.ok("custody", "checkpoint")
    cli.ok("secrets", "review", "TS-0001", "--outcome", "confirmed", "--notes", "again")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(tmp_path_factory.mktemp("bundle-template"))
    _seed(cli)
    return cli


def _copy(template: Cli, home: Path) -> Cli:
    cli = template.copy_to(home)
    for name in (keys.PRIVATE_FILE, keys.PUBLIC_FILE):
        shutil.copy2(template.home / name, home / name)
    return cli


@pytest.fixture
def cli(template: Cli, tmp_path: Path) -> Cli:
    return _copy(template, tmp_path / "home")


@pytest.fixture
def pg_cli(pg_server: PgServer, tmp_path: Path) -> Iterator[Cli]:
    url = pg_server.create()
    cli = Cli(tmp_path / "home", url)
    _seed(cli)
    yield cli
    pg_server.drop(url)


def _export(cli: Cli, out: Path) -> Path:
    cli.ok("custody", "export", "--subject", "TS-0001", "--out", str(out))
    return out


def _pub(cli: Cli) -> str:
    return str(cli.home / keys.PUBLIC_FILE)


def _edit(path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    """Rewrite the bundle's JSON files through `change` (what someone holding it could do)."""
    with zipfile.ZipFile(path) as archive:
        files = {n: archive.read(n) for n in archive.namelist()}
    data = {n[:-5]: json.loads(files[n]) for n in files if n.endswith(".json")}
    change(data)
    for name, value in data.items():
        files[f"{name}.json"] = json.dumps(value).encode()
    out = path.with_name("edited.zip")
    with zipfile.ZipFile(out, "w") as archive:
        for name, blob in files.items():
            archive.writestr(name, blob)
    return out


def _broken(cli: Cli, path: Path, *needles: str) -> None:
    run = cli("custody", "verify-bundle", str(path), "--public-key", _pub(cli))
    assert run.code == 1, run.out + run.err
    for needle in needles:
        assert needle in run.err, run.err


def _check_green(cli: Cli, tmp_path: Path) -> None:
    path = _export(cli, tmp_path / "bundle.zip")
    run = cli.ok("custody", "verify-bundle", str(path), "--public-key", _pub(cli))
    assert run.out.startswith("bundle verified: TS-0001 ")  # the secret's ref and name
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "README.txt",
            "checkpoints.json",
            "events.json",
            "manifest.json",
            "public_key.pem",
        ]
        events = json.loads(archive.read("events.json"))
        assert "Steps" in archive.read("README.txt").decode()
    assert [e["event_type"] for e in events] == [
        "SECRET_REGISTERED",
        "SECRET_REVIEWED",
        "SECRET_REVIEWED",
        "CUSTODY_EXPORTED",
    ]
    assert cli.ok("custody", "verify").out.startswith("chain intact")


def test_export_and_verify_offline(cli: Cli, tmp_path: Path) -> None:
    _check_green(cli, tmp_path)
    path = tmp_path / "bundle.zip"
    # no database, no settings: the module alone, and the installed command in an empty home
    report = bundle.verify(path, trusted_key=(cli.home / keys.PUBLIC_FILE).read_bytes())
    assert report.ok, report.problems
    elsewhere = Cli(tmp_path / "nowhere", "postgresql://nobody@127.0.0.1:1/none")
    run = elsewhere.binary("custody", "verify-bundle", str(path), "--public-key", _pub(cli))
    assert run.code == 0, run.err
    alone = elsewhere("custody", "verify-bundle", str(path), "--json").json()
    assert alone["ok"] and "no --public-key" in alone["facts"][-1]


@pytest.mark.postgres
def test_export_and_verify_on_postgresql(pg_cli: Cli, tmp_path: Path) -> None:
    _check_green(pg_cli, tmp_path)


def test_edited_event_in_the_bundle(cli: Cli, tmp_path: Path) -> None:
    path = _export(cli, tmp_path / "bundle.zip")

    def edit(data: dict[str, Any]) -> None:
        data["events"][1]["details"] = '{"outcome":"retire"}'

    _broken(cli, _edit(path, edit), "was altered", "is not in signed checkpoint")


def test_edited_event_with_recomputed_hash(cli: Cli, tmp_path: Path) -> None:
    path = _export(cli, tmp_path / "bundle.zip")

    def edit(data: dict[str, Any]) -> None:
        event = data["events"][0]
        event["actor"] = "user:innocent"
        event["hash"] = hashlib.sha256(bundle.encode(event)).hexdigest()

    _broken(cli, _edit(path, edit), "is not in signed checkpoint")


def test_deleted_event_in_the_bundle(cli: Cli, tmp_path: Path) -> None:
    path = _export(cli, tmp_path / "bundle.zip")
    _broken(cli, _edit(path, lambda d: d["events"].pop(1)), "events are missing")


def test_truncated_tail_of_the_bundle(cli: Cli, tmp_path: Path) -> None:
    path = _export(cli, tmp_path / "bundle.zip")

    def cut(data: dict[str, Any]) -> None:
        del data["events"][2:]

    _broken(cli, _edit(path, cut), "lacks its CUSTODY_EXPORTED record")


def test_forked_checkpoint_in_the_bundle(cli: Cli, tmp_path: Path) -> None:
    """A checkpoint of another history, validly signed (the key was stolen): the consistency
    proof from the earlier checkpoint fails."""
    path = _export(cli, tmp_path / "bundle.zip")
    cli.ok("orgs", "add", "Forgery", "--kind", "vendor", "--country", "IN")
    fork = _export(cli, tmp_path / "fork.zip")  # same key, a longer log: reuse its machinery

    def swap(data: dict[str, Any]) -> None:
        with zipfile.ZipFile(fork) as archive:
            later = json.loads(archive.read("checkpoints.json"))
        first = data["checkpoints"][0]
        wrong = merkle.node_hash(bytes(32), bytes(32)).hex()
        first["consistency_proof"] = [*later[1]["consistency_proof"][:1], wrong]

    _broken(cli, _edit(path, swap), "forked history")


def test_database_tampering_shows_in_the_bundle(cli: Cli, tmp_path: Path) -> None:
    """An event edited in the database before the export: the bundle says so."""
    cli.sql("DROP TRIGGER custody_event_no_update")
    seq = cli.sql("SELECT min(seq) FROM custody_event WHERE event_type = 'SECRET_REVIEWED'")
    cli.sql("UPDATE custody_event SET details = '{}' WHERE seq = :s", s=seq[0][0])
    _broken(cli, _export(cli, tmp_path / "bundle.zip"), f"event #{seq[0][0]} was altered")


def test_database_fork_shows_in_verify_and_in_the_bundle(cli: Cli, tmp_path: Path) -> None:
    cli.sql("DROP TRIGGER custody_event_no_update")
    engine = create_engine(cli.url)
    with engine.begin() as conn:
        rewrite_from(conn, 3)
    engine.dispose()
    run = cli("custody", "verify")
    assert run.code == 1 and "forked history" in run.err
    _broken(cli, _export(cli, tmp_path / "bundle.zip"), "is not in signed checkpoint")


def test_truncated_tail_in_the_database(cli: Cli, tmp_path: Path) -> None:
    size = cli.ok("custody", "checkpoints", "--json").json()["items"][0]["tree_size"]
    cli.sql("DROP TRIGGER custody_event_no_delete")
    cli.sql("DELETE FROM custody_event WHERE seq >= :s", s=size - 1)
    run = cli("custody", "verify")
    assert run.code == 1 and f"chain BROKEN at event #{size - 1}: events #{size - 1}-#" in run.err
    assert "are in the Merkle tree but missing from the log" in run.err
    assert f"checkpoint {size} signed" in run.err
    assert_user_error(cli("custody", "checkpoint"), "are missing")


def test_bundle_from_another_installation_is_refused(cli: Cli, tmp_path: Path) -> None:
    path = _export(cli, tmp_path / "bundle.zip")
    other = tmp_path / "other"
    keys.ensure_signing_key(other)
    run = cli("custody", "verify-bundle", str(path), "--public-key", str(other / keys.PUBLIC_FILE))
    assert run.code == 1
    assert "bundle signed by another installation (key " in run.err


def test_bad_input(cli: Cli, tmp_path: Path) -> None:
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip")
    assert_user_error(
        cli("custody", "verify-bundle", str(junk)), "not a Crown Jewels evidence bundle"
    )
    assert_user_error(cli("custody", "verify-bundle", str(tmp_path / "none.zip")), "none.zip")
    assert_user_error(
        cli("custody", "export", "--subject", "secret:nope", "--out", str(tmp_path / "b.zip")),
        "no custody events about secret:nope",
    )
    assert_user_error(
        cli("custody", "export", "--subject", "TS-9999", "--out", "x"),
        "No secret, agreement or vendor is called TS-9999",
    )
    assert_user_error(cli("custody", "prove", "99"), "is not in the tree")
    assert_user_error(cli("custody", "consistency", "5", "2"), "sizes must grow")
    (cli.home / keys.PRIVATE_FILE).unlink()
    assert_user_error(cli("custody", "checkpoint"), "crownjewels init")


def test_prove_and_consistency_commands(cli: Cli) -> None:
    listed = cli.ok("custody", "checkpoints", "--json").json()
    old, new = sorted(c["tree_size"] for c in listed["items"])
    proof = cli.ok("custody", "prove", "2", "--json").json()
    assert proof["tree_size"] == old and proof["checkpoint"]["tree_size"] == old
    leaf = bytes.fromhex(proof["leaf_hash"])
    path = [bytes.fromhex(p) for p in proof["proof"]]
    assert merkle.verify_inclusion(1, old, leaf, path, bytes.fromhex(proof["root_hash"]))
    cons = cli.ok("custody", "consistency", str(old), str(new), "--json").json()
    assert merkle.verify_consistency(
        old,
        new,
        bytes.fromhex(cons["old_root"]),
        bytes.fromhex(cons["new_root"]),
        [bytes.fromhex(p) for p in cons["proof"]],
    )
    assert "leaf_hash" in cli.ok("custody", "prove", "2", "--size", str(new)).out
    assert "SIZE" in cli.ok("custody", "checkpoints").out


def _bomb(path: Path) -> Path:
    """A bundle whose events.json expands 32 MiB from a few dozen KB (a zip bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("manifest.json", json.dumps({"format": bundle.FORMAT}))
        with archive.open("events.json", "w") as entry:
            for _ in range(32):
                entry.write(b" " * (1 << 20))
    return path


def test_zip_bomb_bundle_is_refused_in_words(cli: Cli, tmp_path: Path) -> None:
    path = _bomb(tmp_path / "bomb.zip")
    with pytest.raises(bundle.BadBundle, match="refused as a zip bomb"):
        bundle.verify(path)
    assert_user_error(cli("custody", "verify-bundle", str(path)), "refused as a zip bomb")


def test_bundle_missing_a_file_names_the_files(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "thin.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": bundle.FORMAT}))
    assert_user_error(cli("custody", "verify-bundle", str(path)), "events.json")
