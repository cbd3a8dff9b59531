"""`benchmarks/nda_eval.py --quick --json --predictions OUT` runs on the shared ContractNLI fixture,
ends with one JSON line holding every official aggregation, and writes predictions in the
official results format that score to the same figures (no figure is asserted: this is a smoke
test; tests/agreements/test_analysis_metrics.py checks the definitions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
ANCHORED = {
    "micro_label_micro_doc/class/accuracy",
    "micro_label_micro_doc/class/f1_entailment",
    "micro_label_micro_doc/class/f1_contradiction",
    "macro_label_micro_doc/class/f1_entailment",
    "macro_label_micro_doc/class/f1_contradiction",
    "micro_label_micro_doc/span/map",
    "micro_label_micro_doc/span/precision@recall80",
    "macro_label_macro_doc/span/map",
    "macro_label_macro_doc/span/precision@recall80",
}


def _benchmarks() -> Any:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import contractnli_metrics
        import nda_eval
    finally:
        sys.path.pop(0)
    return nda_eval, contractnli_metrics


@pytest.mark.slow
def test_nda_eval_quick_json(tmp_path: Path) -> None:
    fixture = SHARED / "data" / "contract-nli" / "train_small.json"
    if not fixture.exists():
        pytest.skip(f"{fixture} is absent: the shared ContractNLI data is not checked out here")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = tmp_path / "predictions.json"
    script = str(ROOT / "benchmarks" / "nda_eval.py")
    proc = subprocess.run(
        [sys.executable, script, "--quick", "--json", "--predictions", str(out)],
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
    assert set(metrics) >= ANCHORED
    assert "macro_label_macro_doc/span/map" in proc.stdout and "Span NLI BERT" in proc.stdout
    # the written predictions are in the official results format and score to the same figures
    _, official = _benchmarks()
    dataset = json.loads(fixture.read_text(encoding="utf-8"))
    results = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in results] == sorted(d["id"] for d in dataset["documents"])
    gold = sorted(dataset["documents"], key=lambda d: d["id"])
    for result, doc in zip(results, gold, strict=True):
        annotations = result["annotation_sets"][0]["annotations"]
        assert sorted(annotations) == sorted(dataset["labels"])
        for pred in annotations.values():
            assert set(pred["class_probs"]) == {"NotMentioned", "Entailment", "Contradiction"}
            assert pred["choice"] == max(pred["class_probs"], key=pred["class_probs"].get)
            assert len(pred["span_probs"]) == len(doc["spans"])
    rescored = official.evaluate(dataset, results)
    for key, value in metrics.items():
        if value is not None:
            assert rescored[key] == pytest.approx(value, abs=1e-4), key


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
