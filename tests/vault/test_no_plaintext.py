"""No plaintext and no key at rest: after uploads through the real CLI, neither the database
file nor the blob folder holds a known plaintext marker, the KEK, or any raw data key."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from crownjewels.vault.keys import WrappedKey, load_key_file
from crownjewels.vault.uploads import version_context
from tests.cli_helpers import Cli
from tests.vault import samples


def _files(cli: Cli) -> list[Path]:
    db = sorted(cli.home.glob("crownjewels.db*"))  # the file, its WAL and shared memory
    blobs = [p for p in (cli.home / "blobs").rglob("*") if p.is_file()]
    assert db and blobs
    return db + blobs


def test_database_and_blobs_hold_no_plaintext_or_key(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    cli.ok("orgs", "add", "Northwind", "--kind", "own", "--country", "US")
    cli.ok("people", "add", "Elena Vasquez", "--email", "elena@nw.example", "--org", "Northwind",
           "--country", "US")  # fmt: skip
    cli.ok("secrets", "add", "Brine", "--description", "d", "--category", "formula",
           "--tier", "sensitive", "--owner", "elena@nw.example")  # fmt: skip
    docs = []
    for name, data in [("a.txt", samples.text()), ("b.pdf", samples.pdf()),
                       ("c.bin", samples.binary())]:  # fmt: skip
        assert samples.MARKER in data  # the marker is there to be found in the plaintext
        path = tmp_path / name
        path.write_bytes(data)
        put = cli.ok("vault", "put", str(path), "--secret", "TS-0001", "--title", "doc", "--json")
        docs.append(json.loads(put.out))
    kek_text = (cli.home / "vault.key").read_text().strip()
    kek = base64.b64decode(kek_text)
    provider = load_key_file(cli.home / "vault.key")
    data_keys = []
    for doc_id, wrapped in cli.sql(
        "SELECT v.document_id, k.wrapped FROM document_version v "
        "JOIN data_key k ON k.id = v.data_key_id"
    ):
        context = version_context(doc_id, 1)
        data_keys.append(provider.unwrap(WrappedKey.from_bytes(bytes(wrapped)), context))
    assert len(data_keys) == 3
    needles = {
        "marker": samples.MARKER,
        "KEK": kek,
        "KEK base64": kek_text.encode(),
        **{f"data key {i}": k for i, k in enumerate(data_keys)},
        **{f"data key {i} base64": base64.b64encode(k) for i, k in enumerate(data_keys)},
    }
    for path in _files(cli):
        content = path.read_bytes()
        for label, needle in needles.items():
            assert needle not in content, f"{label} found in {path}"
