"""`make bench` keeps working: each benchmark's short run ends well and prints the lines that
compare it with its peer or target (no timing is asserted: machines are noisy)."""

from __future__ import annotations

import json
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


SCENARIOS = {
    "departure-offhours-exfiltration",
    "vendor-bulk-download",
    "shared-credential-new-country",
    "slow-exfiltration",
    "admin-browsing",
}


def _generate(out: Path, *args: str) -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "insider_data.py"), str(out), *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_insider_evaluation_on_a_tiny_generated_organisation(tmp_path: Path) -> None:
    tiny = ("--people", "60", "--days", "75", "--per-scenario", "1", "--seed", "3")
    _generate(tmp_path / "a", *tiny)
    _generate(tmp_path / "b", *tiny)
    for name in ("people.csv", "events.jsonl", "resources.csv", "labels.csv", "profiles.csv"):
        same = (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert same, f"{name} differs between two runs of the same seed"
    folder = tmp_path / "a"
    out, _ = run_quick(
        "insiders.py",
        *("--people", str(folder / "people.csv"), "--events", str(folder / "events.jsonl")),
        *("--labels", str(folder / "labels.csv"), "--json"),
    )
    result = json.loads(out.splitlines()[-1])
    events = (folder / "events.jsonl").read_text().count("\n")
    assert result["events"] == events and result["people"] == 60
    assert result["insiders"] == 5
    forest = result["forest_at_target_fp"]
    assert set(forest["per_scenario"]) == SCENARIOS
    assert forest["fp_rate"] <= 0.05 and 0 <= forest["recall"] <= 1
    assert forest["innocent_person_days"] < result["active_person_days"]
    if result["detector"] is None:
        assert "detector SKIPPED" in out and "quality ratios SKIPPED" in out
    else:
        detector = result["detector"]
        assert set(detector["per_scenario"]) == SCENARIOS
        assert 0 <= detector["fp_rate"] <= 1 and 0 <= detector["recall"] <= 1
        ratios = [line for line in out.splitlines() if RATIO.search(line)]
        _has_all(
            ratios,
            [
                "insiders caught (recall)",
                "false-positive person-days",
                "recall vs isolation forest",
            ],
            out,
        )


@pytest.mark.slow
def test_insider_evaluation_reads_files_of_its_format_from_anywhere(tmp_path: Path) -> None:
    """Not the generator's files: a glob and a prefix, a datetime label, an unknown actor."""
    (tmp_path / "people.csv").write_text(
        "email,name,organisation,role,country,timezone,notice_date,last_day\n"
        "ana@own.example,Ana Cruz,Own,engineer,PH,Asia/Manila,,\n"
        "bo@own.example,Bo Lee,Own,engineer,US,America/New_York,2026-11-02,2026-11-20\n"
        "cy@vendor.example,Cy Park,Vendor,vendor-analyst,KR,Asia/Seoul,,\n"
    )
    (tmp_path / "resources.csv").write_text(
        "pattern,secret_ref\nhttps://git.own.example/rd/a/,TS-0001\n/srv/sftp/*/b/*,TS-0002\n"
    )
    (tmp_path / "labels.csv").write_text(
        "email,start,end,scenario\nbo@own.example,2026-11-03T00:00:00Z,2026-11-04,taking-it\n"
    )
    lines = []
    for day in range(1, 6):
        for who, resource in (
            ("ana@own.example", "https://git.own.example/rd/a/x.py"),
            ("BO@own.example", "/srv/sftp/drop/b/file.zip"),
            ("cy@vendor.example", "https://intranet.own.example/"),
            ("ci-bot", "https://git.own.example/rd/a/"),
        ):
            stamp = f"2026-11-0{day}T15:00:00Z"
            lines.append(
                json.dumps(
                    {
                        "time": stamp,
                        "actor": who,
                        "action": "download",
                        "resource": resource,
                        "bytes": 1000 * day,
                    }
                )
            )
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n")
    out, _ = run_quick(
        "insiders.py",
        *("--people", str(tmp_path / "people.csv"), "--events", str(tmp_path / "events.jsonl")),
        *("--labels", str(tmp_path / "labels.csv"), "--json"),
    )
    result = json.loads(out.splitlines()[-1])
    # 20 events; 15 of known people (the bot is an unknown actor) on 15 person-days, two of
    # them (Bo on the 3rd and 4th) inside the window
    assert result["events"] == 20 and result["people"] == 3 and result["insiders"] == 1
    assert result["active_person_days"] == 15
    forest = result["forest_at_target_fp"]
    assert forest["innocent_person_days"] == 13
    assert set(forest["per_scenario"]) == {"taking-it"}


@pytest.mark.slow
def test_monitoring_benchmark() -> None:
    out, ratios = run_quick("monitoring.py", "--quick", "--people", "40", "--events", "5000")
    assert "river" in out and "HalfSpaceTrees" in out and "isolation forest" in out
    names = []
    if "detector SKIPPED" not in out:
        names += [
            "scoring throughput (one process)",
            "detector vs river HalfSpaceTrees",
            "insiders caught (recall)",
            "false-positive person-days",
            "recall vs isolation forest",
        ]
    if "ingestion and latency SKIPPED" not in out:
        names += ["ingestion to stored alert, p99"]
    _has_all(ratios, names, out)


@pytest.mark.slow
def test_leaks_benchmark() -> None:
    out, ratios = run_quick("leaks.py", "--quick", "--skip", "attribution")
    assert "Summary (ratio = measured / target" in out
    names = ["scan throughput (MB/s)"]
    if "copydetect: SKIPPED" not in out:
        names.append("index+all-pairs vs copydetect (x faster)")
    _has_all(ratios, names, out)
    assert "Dolos: SKIPPED" in out or "ours vs Dolos" in out
    assert "FAILED" not in out and "planted excerpts found" in out
