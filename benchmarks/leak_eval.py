"""Leak detection quality on any labelled collection: ours next to copydetect and Dolos.

    python benchmarks/leak_eval.py --originals DIR --suspects DIR --labels labels.csv [--json]

- `--originals`: the files that would be indexed (every file under the folder, recursively);
- `--suspects`: the files to attribute;
- `labels.csv`: columns `suspect,original`, paths relative to the two folders; `original`
  empty when the suspect derives from none of them. Only the suspects listed are evaluated.

For each detector, every suspect gets a score against every original (ours: the product's
match strength, 1 where a scan reports a match, see benchmarks/leak_data.py `score`; copydetect:
the larger of its two overlap shares; Dolos: its pair similarity), and a suspect's score is its
best. Figures:
- ROC AUC of the suspects' scores, derived against underived (ties counted half);
- recall at 1 % and 5 % false positives: the threshold is the lowest score that at most that
  share of the underived suspects reach; a derived suspect counts when its score for its TRUE
  original reaches it;
- top-1 attribution: share of derived suspects whose best-scoring original is theirs;
- ours also at the product's own decision (`is_match` at its default parameters, no threshold
  picked here): recall, and the share of underived suspects it reports (`product_recall`,
  `product_fpr`).

Peers run on the same files when installed and are skipped with a line saying so otherwise:
copydetect (PyPI, k = 25, window 6: its defaults) and Dolos (`@dodona/dolos` run with node:
`dolos` on the PATH, or `npx --no-install dolos`).

With --json the last line is one JSON object: `auc`, `recall_at_fpr_1`, `recall_at_fpr_5`,
`attribution` (ours, with thresholds and counts) and one object per peer under its name
(`copydetect`, `dolos`), null when the peer was skipped.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from leak_data import PRODUCT_THRESHOLD, figures, product_figures, score_matrix

KEYS = ("auc", "recall_at_fpr_1", "recall_at_fpr_5", "attribution")


class LabelError(ValueError):
    """The labels file does not match the folders."""


def read_labels(
    originals: Path, suspects: Path, labels: Path
) -> tuple[list[str], list[str], list[str | None]]:
    """(original paths, suspect paths, each suspect's original or None), checked."""
    keys = sorted(
        p.relative_to(originals).as_posix()
        for p in originals.rglob("*")
        if p.is_file() and not p.name.startswith(".")
    )
    known = set(keys)
    names: list[str] = []
    truth: list[str | None] = []
    with labels.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"suspect", "original"} <= set(reader.fieldnames):
            raise LabelError(f"{labels} needs the columns suspect,original")
        for line, row in enumerate(reader, start=2):
            suspect = (row["suspect"] or "").strip()
            original = (row["original"] or "").strip() or None
            if not suspect:
                raise LabelError(f"{labels} line {line}: the suspect is empty")
            if not (suspects / suspect).is_file():
                raise LabelError(f"{labels} line {line}: {suspects / suspect} is not a file")
            if original is not None and original not in known:
                raise LabelError(
                    f"{labels} line {line}: the original {original!r} is not a file under "
                    f"{originals}"
                )
            names.append(suspect)
            truth.append(original)
    if not names:
        raise LabelError(f"{labels} lists no suspect")
    if not keys:
        raise LabelError(f"{originals} holds no file")
    return keys, names, truth


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8", errors="replace")


def ours(
    originals: Path,
    keys: list[str],
    suspects: Path,
    names: list[str],
    decisions: list[set[str]] | None = None,
) -> tuple[np.ndarray, float]:
    """Our scores (and, into `decisions`, what the product itself reports for each suspect)."""
    texts = {key: _read(originals / key) for key in keys}
    started = time.perf_counter()
    columns, matrix, _ = score_matrix(
        texts, [(n, _read(suspects / n)) for n in names], decisions=decisions
    )
    assert columns == keys
    return matrix, time.perf_counter() - started


def copydetect_scores(
    originals: Path, keys: list[str], suspects: Path, names: list[str]
) -> tuple[np.ndarray, float] | str:
    """copydetect's scores, or why it was skipped."""
    try:
        import copydetect
    except ImportError:
        return "copydetect SKIPPED: not installed (pip install copydetect)"
    started = time.perf_counter()

    def prints(path: Path) -> Any:
        return copydetect.CodeFingerprint(str(path), 25, 6)

    refs = [prints(originals / key) for key in keys]
    matrix = np.zeros((len(names), len(keys)))
    for row, name in enumerate(names):
        test = prints(suspects / name)
        for col, ref in enumerate(refs):
            _, (share_test, share_ref), _ = copydetect.compare_files(test, ref)
            matrix[row, col] = max(share_test, share_ref)
    return matrix, time.perf_counter() - started


def _dolos_command() -> list[str] | None:
    if shutil.which("dolos"):
        return ["dolos"]
    if shutil.which("npx"):
        try:
            probe = subprocess.run(
                ["npx", "--no-install", "dolos", "--version"],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        if probe.returncode == 0:
            return ["npx", "--no-install", "dolos"]
    return None


def dolos_scores(
    originals: Path, keys: list[str], suspects: Path, names: list[str]
) -> tuple[np.ndarray, float] | str:
    """Dolos's pair similarities (its CSV report), or why it was skipped."""
    command = _dolos_command()
    if command is None:
        return (
            "Dolos SKIPPED: @dodona/dolos is not installed (npm install -g @dodona/dolos; "
            "it is not on this machine's npm registry)"
        )
    left = {str((originals / key).resolve()): col for col, key in enumerate(keys)}
    right = {str((suspects / name).resolve()): row for row, name in enumerate(names)}
    matrix = np.zeros((len(names), len(keys)))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run(
            [*command, "run", "-f", "csv", "-o", out, *left, *right],
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        pairs = Path(out) / "pairs.csv"
        if proc.returncode != 0 or not pairs.exists():
            return f"Dolos FAILED (exit {proc.returncode}): {proc.stderr.strip()[:300]}"
        with pairs.open(newline="") as handle:
            for pair in csv.DictReader(handle):
                a = str(Path(pair["leftFilePath"]).resolve())
                b = str(Path(pair["rightFilePath"]).resolve())
                if a in right:
                    a, b = b, a
                if a in left and b in right:
                    matrix[right[b], left[a]] = float(pair["similarity"])
    return matrix, time.perf_counter() - started


def evaluate(originals: Path, suspects: Path, labels: Path) -> dict[str, Any]:
    keys, names, truth = read_labels(originals, suspects, labels)
    decisions: list[set[str]] = []
    matrix, seconds = ours(originals, keys, suspects, names, decisions)
    result: dict[str, Any] = {
        "originals": len(keys),
        "suspects": len(names),
        **figures(matrix, keys, truth),
        **product_figures(decisions, truth),
        "seconds": seconds,
        "skipped": [],
    }
    for peer, run in (("copydetect", copydetect_scores), ("dolos", dolos_scores)):
        outcome = run(originals, keys, suspects, names)
        if isinstance(outcome, str):
            result[peer] = None
            result["skipped"].append(outcome)
        else:
            result[peer] = {**figures(outcome[0], keys, truth), "seconds": outcome[1]}
    return result


def report(result: dict[str, Any]) -> list[str]:
    lines = [
        f"{result['suspects']} suspects ({result['positives']} derived, "
        f"{result['negatives']} not) against {result['originals']} originals",
        f"   {'detector':<12}{'ROC AUC':>9}{'recall@1%FP':>13}{'recall@5%FP':>13}"
        f"{'top-1 attr.':>13}{'seconds':>9}",
    ]
    for name, figs in (
        ("ours", result),
        ("copydetect", result["copydetect"]),
        ("Dolos", result["dolos"]),
    ):
        if figs is None:
            continue
        lines.append(
            f"   {name:<12}{figs['auc']:>9.4f}{_pct(figs['recall_at_fpr_1']):>13}"
            f"{_pct(figs['recall_at_fpr_5']):>13}{_pct(figs['attribution']):>13}"
            f"{figs['seconds']:>9.2f}"
        )
    lines.append(
        f"   our thresholds picked on these negatives: {result['threshold_at_fpr_1']:.4f} at "
        f"1 % FP, {result['threshold_at_fpr_5']:.4f} at 5 % FP (the product reports a match "
        f"at {PRODUCT_THRESHOLD:g})"
    )
    lines.append(
        f"   ours at the product's own decision (is_match, its defaults): recall "
        f"{_pct(result['product_recall'])}, false positives {_pct(result['product_fpr'])}"
    )
    lines += [f"   {reason}" for reason in result["skipped"]]
    return lines


def _pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--originals", type=Path, required=True)
    parser.add_argument("--suspects", type=Path, required=True)
    parser.add_argument("--labels", type=Path, required=True)
    parser.add_argument("--json", action="store_true", help="end with one JSON line of figures")
    args = parser.parse_args(argv)
    for folder in (args.originals, args.suspects):
        if not folder.is_dir():
            parser.error(f"{folder} is not a folder")
    if not args.labels.is_file():
        parser.error(f"{args.labels} is not a file")
    try:
        result = evaluate(args.originals, args.suspects, args.labels)
    except LabelError as error:
        print(f"cannot evaluate: {error}", file=sys.stderr)
        return 2
    except RuntimeError as error:
        print(f"ours SKIPPED: {error}")
        return 0
    print("\n".join(report(result)))
    if args.json:
        print(json.dumps(result, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
