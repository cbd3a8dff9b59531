"""The ContractNLI metrics (benchmarks/contractnli_metrics.py) agree with the official
definitions of stanfordnlp/contract-nli-bert `contract_nli/evaluation.py` on a fixture whose
every figure was computed by hand (the working is in the comments)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytest.importorskip("sklearn", reason="the metrics count with scikit-learn (the dev extra)")


@pytest.fixture(scope="module")
def metrics() -> Any:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import contractnli_metrics
    finally:
        sys.path.pop(0)
    return contractnli_metrics


def _doc(doc_id: int, n: int, gold: dict[str, tuple[str, list[int]]]) -> dict[str, Any]:
    return {
        "id": doc_id,
        "spans": [[i, i + 1] for i in range(n)],
        "annotation_sets": [
            {"annotations": {h: {"choice": c, "spans": s} for h, (c, s) in gold.items()}}
        ],
    }


def _pred(doc_id: int, preds: dict[str, tuple[tuple[float, float, float], list[float]]]) -> Any:
    """class_probs given as (NotMentioned, Entailment, Contradiction)."""
    return {
        "id": doc_id,
        "annotation_sets": [
            {
                "annotations": {
                    h: {
                        "class_probs": dict(
                            zip(("NotMentioned", "Entailment", "Contradiction"), cp, strict=True)
                        ),
                        "span_probs": sp,
                    }
                    for h, (cp, sp) in preds.items()
                }
            }
        ],
    }


# Gold: hypothesis a: d1 E (evidence 0, 2), d2 C (1), d3 C (0);
#       hypothesis b: d1 C (3), d2 NotMentioned, d3 C (1).
DATASET = {
    "labels": {"a": {}, "b": {}},
    "documents": [
        _doc(1, 4, {"a": ("Entailment", [0, 2]), "b": ("Contradiction", [3])}),
        _doc(2, 3, {"a": ("Contradiction", [1]), "b": ("NotMentioned", [])}),
        _doc(3, 2, {"a": ("Contradiction", [0]), "b": ("Contradiction", [1])}),
    ],
}
# Predicted (argmax, NotMentioned first on a tie): a: E, NM, C; b: E, NM, C.
RESULTS = [
    _pred(1, {"a": ((0.1, 0.7, 0.2), [0.9, 0.8, 0.7, 0.1]),
              "b": ((0.2, 0.5, 0.3), [0.2, 0.1, 0.3, 0.6])}),
    _pred(2, {"a": ((0.5, 0.2, 0.3), [0.5, 0.4, 0.3]), "b": ((0.6, 0.3, 0.1), [0.9, 0.9, 0.9])}),
    _pred(3, {"a": ((0.1, 0.1, 0.8), [0.4, 0.6]), "b": ((0.1, 0.2, 0.7), [0.5, 0.5])}),
]  # fmt: skip

HAND = {
    # 6 pairs, 4 right; E: tp 1 (a1) fp 1 (b1) -> 2/3; C: gold a2 a3 b1 b3, tp 2 fn 2 -> 2/3
    "micro_label_micro_doc/class/accuracy": 4 / 6,
    "micro_label_micro_doc/class/f1_entailment": 2 / 3,
    "micro_label_micro_doc/class/f1_contradiction": 2 / 3,
    # a: acc 2/3, F1 E 1, F1 C 2/3; b: acc 2/3, F1 E undefined (no gold E), F1 C 2/3
    "macro_label_micro_doc/class/accuracy": 2 / 3,
    "macro_label_micro_doc/class/f1_entailment": 1.0,
    "macro_label_micro_doc/class/f1_contradiction": 2 / 3,
    # d1: acc 1/2, F1 E 2/3, F1 C 0; d2: acc 1/2, F1 C 0; d3: acc 1, F1 C 1
    "micro_label_macro_doc/class/accuracy": 2 / 3,
    "micro_label_macro_doc/class/f1_entailment": 2 / 3,
    "micro_label_macro_doc/class/f1_contradiction": 1 / 3,
    # only a has both E and C; without NotMentioned a2 becomes C (0.3 > 0.2): all right
    "micro_label_micro_doc/class_binary/accuracy": 1.0,
    "micro_label_micro_doc/class_binary/f1_entailment": 1.0,
    "micro_label_micro_doc/class_binary/f1_contradiction": 1.0,
    "macro_label_micro_doc/class_binary/accuracy": 1.0,
    "macro_label_micro_doc/class_binary/f1_entailment": 1.0,
    "macro_label_micro_doc/class_binary/f1_contradiction": 1.0,
    # per pair (b2 is NotMentioned: left out): AP a1 5/6, a2 1/2, a3 1/2, b1 1, b3 1/2 (a tie);
    # P@R80 a1 2/3, a2 1/2, a3 1/2, b1 1, b3 1/2
    "macro_label_macro_doc/span/map": ((5 / 6 + 1 / 2 + 1 / 2) / 3 + (1 + 1 / 2) / 2) / 2,
    "macro_label_macro_doc/span/precision@recall80": ((2 / 3 + 1 / 2 + 1 / 2) / 3 + 3 / 4) / 2,
    "micro_label_macro_doc/span/map": 2 / 3,
    "micro_label_macro_doc/span/precision@recall80": 19 / 30,
    # a pooled: 1 0 1 0 0 (1 1 tied at 0.4) 0 0: AP 1/4 + 1/4*2/3 + 1/2*4/7 = 59/84, P@R80 4/7;
    # b pooled: 1 (0 1 tied at 0.5) 0 0 0: AP 1/2 + 1/2*2/3 = 5/6, P@R80 2/3
    "macro_label_micro_doc/span/map": (59 / 84 + 5 / 6) / 2,
    "macro_label_micro_doc/span/precision@recall80": (4 / 7 + 2 / 3) / 2,
    # all pooled, 6 positives; recall steps at 0.9, 0.7, 0.6, 0.5, 0.4 with precision
    # 1, 2/3, 3/5, 1/2, 6/10: AP = (1 + 2/3 + 3/5 + 1/2 + 2 * 3/5) / 6 = 119/180
    "micro_label_micro_doc/span/map": 119 / 180,
    "micro_label_micro_doc/span/precision@recall80": 6 / 10,
}


def test_every_aggregation_matches_the_hand_computed_figure(metrics: Any) -> None:
    got = metrics.evaluate(DATASET, RESULTS)
    assert set(got) == set(HAND)
    for key, value in HAND.items():
        assert got[key] == pytest.approx(value), key


def test_an_f1_of_an_absent_class_is_undefined_not_zero(metrics: Any) -> None:
    label_wise = metrics.label_wise(DATASET, RESULTS)
    assert label_wise["b"]["f1_entailment"] is None
    assert label_wise["b"]["f1_contradiction"] == pytest.approx(2 / 3)
    assert label_wise["a"]["map"] == pytest.approx(59 / 84)


def test_class_predictions_alone_have_no_span_figures(metrics: Any) -> None:
    got = metrics.evaluate(DATASET, RESULTS, spans=False)
    assert not any("/span/" in key for key in got)
    assert got["micro_label_micro_doc/class/accuracy"] == pytest.approx(4 / 6)


def test_every_anchor_names_an_aggregation_we_compute(metrics: Any) -> None:
    assert set(metrics.SPAN_NLI_BERT) <= set(HAND)


def test_the_scored_class_is_the_findings_status() -> None:
    """The predictions scored (and written) are the analyser's own decisions: for every
    requirement the finding's status is the most probable, also where a guard overrode the
    trained model, and the polarity maps it onto the hypothesis's label."""
    from crownjewels.agreements.analysis.analyser import assess
    from crownjewels.agreements.analysis.contractnli import HYPOTHESES, class_probs, to_label

    text = (
        "1. Confidential Information includes all information disclosed orally or in writing, "
        "whether or not marked as confidential. 2. The Recipient shall use it solely for the "
        "Purpose and shall not reverse engineer any prototype. 3. The Recipient shall not be "
        "required to return or destroy Confidential Information. 4. Nothing in this Agreement "
        "grants any licence. 5. The Recipient may disclose it to its employees who need to know."
    )
    result = assess(text, kind="nda")
    for hyp, (key, polarity) in HYPOTHESES.items():
        status = result.analysis.finding(key).status
        probs = result.status_probabilities[key]
        assert max(probs, key=lambda s: probs[s]) == status, key
        assert sum(probs.values()) == pytest.approx(1.0)
        labels = class_probs(probs, polarity)
        assert max(labels, key=lambda n: labels[n]) == to_label(status, polarity), hyp
