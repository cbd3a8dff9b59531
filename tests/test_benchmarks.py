"""`make bench` keeps working: each benchmark's short run ends well and prints the lines that
compare it with its peer or target (no timing is asserted: machines are noisy)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RATIO = re.compile(r"ratio\s+\d+\.\d\d\s+(meets|BELOW) target")


def run_quick(script: str, *args: str) -> tuple[str, list[str]]:
    """Run benchmarks/<script> with the given arguments; its output and its ratio lines."""
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout, [line for line in proc.stdout.splitlines() if RATIO.search(line)]


def _has_all(lines: list[str], names: list[str], out: str) -> None:
    for name in names:
        assert any(name in line for line in lines), f"no line for {name}:\n{out}"


@pytest.mark.slow
def test_custody_append_benchmark() -> None:
    out, ratios = run_quick("custody_append.py", "--quick", "--events", "5000")
    assert "Summary (ratio = measured / target" in out
    names = ["sqlite grouped appends (sync=NORMAL)", "verify sqlite vs raw sha256"]
    if "PostgreSQL parts SKIPPED" not in out:
        names += ["postgresql 8 writers", "verify postgresql vs raw sha256"]
    _has_all(ratios, names, out)
    assert "verify/raw" in out and "x Tessera" in out and "x Rekor" in out
    assert "FAILED" not in out


@pytest.mark.slow
def test_custody_proofs_benchmark() -> None:
    out, _ = run_quick("custody_proofs.py", "--sizes", "2000", "--samples", "50")
    rows = [line for line in out.splitlines() if re.search(r"proof, (generate|verify)\s+\d", line)]
    _has_all(rows, ["inclusion proof, generate", "consistency proof, verify"], out)
    assert "target < 1.0 ms" in out


@pytest.mark.slow
def test_vault_crypto_benchmark() -> None:
    out, ratios = run_quick("vault_crypto.py", "--quick")
    assert "Summary (ratio = measured / target" in out
    names = ["encrypt peak memory, big / small stream"]
    if shutil.which("openssl"):
        names += [
            "encrypt_stream vs openssl aes-256-gcm",
            "encrypt_stream vs openssl aes-gcm+sha256",
            "encrypt_stream AEAD only vs openssl aes-256-gcm",
            "decrypt_stream vs openssl aes-256-gcm",
        ]
    else:
        assert "comparisons are SKIPPED" in out
    _has_all(ratios, names, out)
    assert "tracemalloc peak" in out and "ru_maxrss" in out


@pytest.mark.slow
def test_watermark_benchmark() -> None:
    out, ratios = run_quick("watermark.py", "--quick")
    assert "Summary (ratio = target / measured" in out
    assert "pikepdf open + save (floor)" in out and "x the floor" in out
    _has_all(
        ratios, ["mark 100-page PDF vs target", "mark 50-paragraph DOCX vs its floor x 3"], out
    )


@pytest.mark.slow
def test_authz_benchmark() -> None:
    out, ratios = run_quick("authz.py", "--quick", "--samples", "100", "--checks", "50")
    assert "Summary (ratio = target / measured" in out
    assert "DISAGREE" not in out and out.count("agreement on") == 2
    assert "casbin / ours" in out
    names = [
        "ours p50 at 10 grants",
        "ours p99 at 1,000 grants",
        "ours flat: p50 largest / smallest",
    ]
    if "real path SKIPPED" not in out:
        names += ["real path p50 (PostgreSQL)", "real path p99 (PostgreSQL)"]
        assert "SQL statements per check" in out and "in-memory at 1,000 grants" in out
    _has_all(ratios, names, out)
