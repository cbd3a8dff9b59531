"""`make bench` keeps working: each benchmark's short run ends well and prints the lines that
compare it with its peer or target (no timing is asserted: machines are noisy)."""

from __future__ import annotations

import ast
import importlib.util
import json
import math
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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
    out, ratios = run_quick(
        "authz.py",
        *("--quick", "--samples", "60", "--checks", "30", "--agree", "60"),
        *("--real-world", "200", "600", "20"),
    )
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


def test_leak_evaluation_on_a_tiny_generated_fixture(tmp_path: Path) -> None:
    """Disguised excerpts of a few standard-library modules, and unrelated ones, are told apart."""
    build = subprocess.run(
        [
            *(sys.executable, str(ROOT / "benchmarks" / "leak_data.py"), "build-fixture"),
            *(str(tmp_path), "--originals", "6", "--per-original", "2", "--negatives", "12"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    rows = (tmp_path / "labels.csv").read_text().splitlines()
    assert rows[0] == "suspect,original" and len(rows) == 1 + 12 + 12
    assert sum(1 for row in rows[1:] if row.endswith(",")) == 12
    out, _ = run_quick(
        "leak_eval.py",
        *("--originals", str(tmp_path / "originals"), "--suspects", str(tmp_path / "suspects")),
        *("--labels", str(tmp_path / "labels.csv"), "--json"),
    )
    result = json.loads(out.splitlines()[-1])
    assert {"auc", "recall_at_fpr_1", "recall_at_fpr_5", "attribution"} <= set(result)
    assert result["positives"] == 12 and result["negatives"] == 12
    assert result["auc"] > 0.9 and result["attribution"] >= 0.9
    assert result["recall_at_fpr_1"] <= result["recall_at_fpr_5"]
    assert "Dolos" in out  # its figures, or the line saying why it was skipped
    assert result["copydetect"] is None or 0 <= result["copydetect"]["auc"] <= 1


def test_leak_evaluation_refuses_labels_that_name_a_missing_original(tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    (tmp_path / "s").mkdir()
    (tmp_path / "o" / "a.py").write_text("x = 1\n")
    (tmp_path / "s" / "b.py").write_text("y = 1\n")
    (tmp_path / "labels.csv").write_text("suspect,original\nb.py,c.py\n")
    proc = subprocess.run(
        [
            *(sys.executable, str(ROOT / "benchmarks" / "leak_eval.py")),
            *("--originals", str(tmp_path / "o"), "--suspects", str(tmp_path / "s")),
            *("--labels", str(tmp_path / "labels.csv")),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 2
    assert "line 2: the original 'c.py' is not a file under" in proc.stderr


def _leak_data() -> Any:
    spec = importlib.util.spec_from_file_location("leak_data", ROOT / "benchmarks" / "leak_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["leak_data"] = module
    spec.loader.exec_module(module)
    return module


ORIGINAL = '''import math


def area_table(sizes, scale=2):
    """Areas of squares and circles, with a running total."""
    # constants first
    unit = 1.0
    offset = 3
    limit = len(sizes)
    rows = []
    running = 0.0
    for position in range(limit):
        side = sizes[position] * scale  # scaled
        square = side * side
        circle = math.pi * side * side / 4
        ratio = round(circle / square, 6) if square else 0.0
        running += square * unit
        rows.append((position + offset, square * unit, round(circle, 3), ratio, running))
    widest = max((row[1] for row in rows), default=0.0)
    narrowest = min((row[1] for row in rows), default=0.0)
    spread = widest - narrowest
    mean = running / limit if limit else 0.0
    above = [row[0] for row in rows if row[1] > mean]
    below = [row[0] for row in rows if row[1] <= mean]
    label = "wide" if spread > 10 else "narrow"
    summary = {
        "count": limit,
        "total": running,
        "mean": mean,
        "spread": spread,
        "label": label,
    }
    summary["above"] = above
    summary["below"] = below
    checks = 0
    for row in rows:
        if row[3] > 0.7:
            checks += 1
    summary["checks"] = checks
    return rows, summary
'''


def test_leak_excerpts_are_disguised_and_still_compute_the_same() -> None:
    leak_data = _leak_data()
    excerpt = leak_data.python_excerpt("area.py", ORIGINAL, random.Random(5))
    assert excerpt is not None and excerpt.first_line in (1, 4) and excerpt.last_line == 40
    text = excerpt.text
    assert "#" not in text and "Areas of squares" not in text
    assert "math.pi" in text  # library names are kept
    for name in ("area_table", "sizes", "running", "widest", "summary", "position"):
        assert re.search(rf"\b{name}\b", text) is None, f"{name} was not renamed"
    assert text != ORIGINAL and excerpt.swaps > 0
    original: dict[str, Any] = {}
    disguised: dict[str, Any] = {"math": math}
    exec(compile(ORIGINAL, "area.py", "exec"), original)
    exec(compile(text, "disguised.py", "exec"), disguised)
    (function,) = [
        v for k, v in disguised.items() if callable(v) and k[:1] != "_" and v is not math
    ]
    for sizes in ([1, 2, 3], [], [4.5, 0, 7, 2]):
        assert function(sizes, 3) == original["area_table"](sizes, 3)


def test_only_independent_statements_trade_places() -> None:
    leak_data = _leak_data()

    def pair(code: str) -> bool:
        first, second = ast.parse(code).body
        return bool(leak_data.independent(first, second))

    assert pair("a = 1\nb = 2")
    assert pair("a = len(x)\nb = y + 1")
    assert pair("import os\nimport sys")
    assert pair("def f():\n    return g()\ndef g():\n    return 1")
    assert not pair("a = 1\nb = a")  # b reads what a wrote
    assert not pair("a = b\nb = 1")  # b is overwritten after being read
    assert not pair("a = 1\na = 2")  # the last write wins
    assert not pair("a = f()\nb = g()")  # calls may have effects in any order
    assert not pair("x.a = 1\nb = 2")  # an attribute store may alias
    assert not pair("@property\ndef f(self):\n    return 1\ndef g(self):\n    return 2")


@pytest.mark.slow
def test_leaks_benchmark() -> None:
    out, ratios = run_quick("leaks.py", "--quick")
    assert "Summary (ratio = measured / target" in out
    names = ["scan throughput (MB/s)", "attribution recall at 1 % FPR"]
    if "copydetect: SKIPPED" not in out:
        names.append("index+all-pairs vs copydetect (x faster)")
    _has_all(ratios, names, out)
    assert "Dolos: SKIPPED" in out or "ours vs Dolos" in out
    assert "FAILED" not in out and "planted excerpts found" in out


def test_leaks_benchmark_attribution_section() -> None:
    """Section 3 indexes section 1's files and reports the product's own decision beside the
    threshold picked on the ROC."""
    out, ratios = run_quick("leaks.py", "--quick", "--skip", "stdlib", "--skip", "scan")
    _has_all(ratios, ["attribution recall at 1 % FPR"], out)
    assert re.search(r"disguised 40-line excerpts of 10 indexed files", out), out
    decision = re.search(
        r"the product's own decision \(is_match at its defaults, code: weight >= [\d.]+ or "
        r"share >= [\d.]+; strength 1\): recall\s+([\d.]+) %, false positives\s+([\d.]+) %",
        out,
    )
    assert decision is not None, out
    assert 0 <= float(decision[2]) <= 100 and float(decision[1]) > 50
