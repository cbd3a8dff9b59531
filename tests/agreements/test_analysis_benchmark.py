"""`benchmarks/nda_eval.py --quick --json` runs on the shared ContractNLI fixture and ends with
one JSON line holding the five metrics (no number is asserted: this is a smoke test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
KEYS = {"accuracy", "f1_entailment", "f1_contradiction", "evidence_map", "precision_at_80_recall"}


@pytest.mark.slow
def test_nda_eval_quick_json() -> None:
    fixture = SHARED / "data" / "contract-nli" / "train_small.json"
    if not fixture.exists():
        pytest.skip(f"{fixture} is absent: the shared ContractNLI data is not checked out here")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "nda_eval.py"), "--quick", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    metrics = json.loads(last)
    assert set(metrics) == KEYS
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert "Span NLI BERT" in proc.stdout and "majority label per hypothesis" in proc.stdout


def test_nda_eval_rejects_a_missing_file(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "nda_eval.py"), str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert proc.returncode == 2
    assert "no such file" in proc.stderr


def test_metric_definitions_on_a_hand_computed_ranking() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from nda_eval import average_precision, classification, precision_at_recall
    finally:
        sys.path.pop(0)
    # ranking: 1 0 1 0 0 -> AP = (1/2)*1 + (1/2)*(2/3)
    y_true = [1, 0, 1, 0, 0]
    y_score = [0.9, 0.8, 0.7, 0.2, 0.1]
    assert average_precision(y_true, y_score) == pytest.approx(0.5 + 1 / 3)
    # 80 % recall needs both positives: threshold 0.7, precision 2/3
    assert precision_at_recall(y_true, y_score, 0.8) == pytest.approx(2 / 3)
    assert average_precision([0, 0], [0.1, 0.2]) is None
    gold = ["Entailment", "Contradiction", "NotMentioned", "Entailment"]
    pred = ["Entailment", "Entailment", "NotMentioned", "Contradiction"]
    m = classification(gold, pred)
    assert m["accuracy"] == pytest.approx(0.5)
    assert m["f1_entailment"] == pytest.approx(0.5)
    assert m["f1_contradiction"] == pytest.approx(0.0)


def test_documents_the_model_was_trained_on_are_recognised() -> None:
    from hashlib import sha256

    from crownjewels.agreements.analysis import model as trained
    from crownjewels.agreements.analysis.contractnli import Document

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from nda_eval import _overlaps_training
    finally:
        sys.path.pop(0)
    seen = Document("1", "An NDA we trained on.", [], {}, {})
    new = Document("2", "An NDA never seen.", [], {}, {})
    fingerprint = sha256(seen.text.encode()).hexdigest()[:16]
    model = trained.Model(requirements={}, meta={"document_hashes": [fingerprint]})
    assert _overlaps_training([seen, new], model) == 1
    assert _overlaps_training([new], model) == 0
    shipped = trained.load()
    assert shipped is not None and shipped.meta["documents"] >= 1
    assert "ContractNLI" in shipped.meta["licence"]
