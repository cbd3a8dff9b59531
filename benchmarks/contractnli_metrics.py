"""ContractNLI metrics by the official definitions, and the published anchors beside them.

The definitions are those of stanfordnlp/contract-nli-bert `contract_nli/evaluation.py`
(`evaluate_all`, task `identification_classification`), computed from the same two inputs: the
gold dataset (the ContractNLI JSON) and the predictions in that project's results format (a
list of documents, each with `annotation_sets[0].annotations[hypothesis]` holding `class_probs`
over NotMentioned / Entailment / Contradiction and `span_probs`, one per span). The same
scikit-learn functions do the counting.

* **class** (3 classes): the predicted label is the argmax of `class_probs` in the order
  NotMentioned, Entailment, Contradiction (a tie goes to the earlier one); accuracy, and F1 of
  Entailment and of Contradiction, each one-vs-rest. An F1 is undefined (left out of any mean)
  when its class never occurs in the gold labels of the group.
* **class_binary**: only pairs whose gold label is not NotMentioned, only hypotheses that have
  both Entailment and Contradiction in gold; NotMentioned's probability is dropped and the other
  two renormalised (0.5 / 0.5 when both are 0).
* **span** (evidence): only pairs whose gold label is not NotMentioned (the official script's
  "optimistic" choice); y_true = the span is gold evidence, y_score = `span_probs`; `map` =
  sklearn's average precision, `precision@recall80` = the precision at the highest score
  threshold whose recall reaches 0.8.
* **Aggregations.** `micro_label_micro_doc`: every pair (span: every span of every pair) pooled;
  `macro_label_micro_doc`: per hypothesis pooled over documents, then the mean over hypotheses;
  `macro_label_macro_doc` (span): per hypothesis and document, mean over documents, then over
  hypotheses; `micro_label_macro_doc`: per document over all hypotheses (span: per pair), then
  the mean over documents. Means skip undefined values, as `_macro_average` does.

As every hypothesis is labelled in every document, accuracy is the same micro and macro over
labels (equal group sizes). The official script also computes ROC AUC and precision / recall @k,
which no anchor uses; they are left out here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import accuracy_score, average_precision_score, f1_score, precision_score

#: the official label order (contract_nli.dataset.loader.NLILabel values 0, 1, 2)
CLASS_NAMES = ("NotMentioned", "Entailment", "Contradiction")
NOT_MENTIONED, ENTAILMENT, CONTRADICTION = 0, 1, 2
CLASS_METRICS = ("accuracy", "f1_entailment", "f1_contradiction")
SPAN_METRICS = ("map", "precision@recall80")

Metrics = dict[str, float | None]

#: Span NLI BERT as reproduced on the ContractNLI dev split (the paper's test table could not be
#: retrieved), keyed like `evaluate`'s output; accuracy is the same micro and macro over labels
SPAN_NLI_BERT: dict[str, float] = {
    "micro_label_micro_doc/class/accuracy": 0.845,
    "micro_label_micro_doc/class/f1_entailment": 0.875,
    "micro_label_micro_doc/class/f1_contradiction": 0.657,
    "macro_label_micro_doc/class/accuracy": 0.845,
    "macro_label_micro_doc/class/f1_entailment": 0.741,
    "macro_label_micro_doc/class/f1_contradiction": 0.357,
    "micro_label_micro_doc/span/map": 0.773,
    "micro_label_micro_doc/span/precision@recall80": 0.605,
    "macro_label_macro_doc/span/map": 0.869,
    "macro_label_macro_doc/span/precision@recall80": 0.821,
}


def macro_average(groups: Iterable[Metrics]) -> Metrics:
    """The mean of each metric over the groups where it is defined (official `_macro_average`)."""
    rows = list(groups)
    out: Metrics = {}
    for key in rows[0] if rows else ():
        vals = [v for r in rows if (v := r[key]) is not None and not np.isnan(v)]
        out[key] = sum(vals) / len(vals) if vals else None
    return out


def precision_at_recall(y_true: NDArray[Any], y_prob: NDArray[Any], recall: float) -> float | None:
    """Precision at the highest score threshold whose recall reaches `recall` (official)."""
    if len(y_true) == 0 or y_true.sum() == 0:
        return None
    thresholds = np.sort(np.unique(y_prob))[::-1]
    predicted = y_prob[None, :] >= thresholds[:, None]
    recalls = np.logical_and(y_true[None, :] > 0, predicted).sum(axis=1) / y_true.sum()
    thresh = thresholds[np.nonzero(recalls >= recall)[0][0]]
    return float(precision_score(y_true, y_prob >= thresh, zero_division=0.0))


def span_metrics(y_true: NDArray[Any], y_prob: NDArray[Any]) -> Metrics:
    """Average precision and precision at 80 % recall of one span ranking (official
    `evaluate_spans`; undefined when no span is gold evidence)."""
    if y_true.sum() == 0:
        return {"map": None, "precision@recall80": None}
    return {
        "map": float(average_precision_score(y_true, y_prob)),
        "precision@recall80": precision_at_recall(y_true, y_prob, 0.8),
    }


def class_metrics(y_true: NDArray[Any], y_prob: NDArray[Any]) -> Metrics:
    """Accuracy and the F1 of Entailment and of Contradiction (official `evaluate_class`)."""
    y_pred = np.argmax(y_prob, axis=1)
    out: Metrics = {"accuracy": float(accuracy_score(y_true, y_pred))}
    for name, label in (("entailment", ENTAILMENT), ("contradiction", CONTRADICTION)):
        gold, pred = y_true == label, y_pred == label
        out[f"f1_{name}"] = float(f1_score(gold, pred, zero_division=0)) if gold.sum() > 0 else None
    return out


def remove_not_mentioned(y_prob: NDArray[Any]) -> NDArray[Any]:
    """NotMentioned's probability dropped, Entailment / Contradiction renormalised (official)."""
    pair = y_prob[:, [CONTRADICTION, ENTAILMENT]]
    total = pair.sum(axis=1, keepdims=True)
    safe = np.where(total == 0, 1.0, total)
    pair = np.where(total == 0, 0.5, pair / safe)
    out = np.zeros_like(y_prob, dtype=float)
    out[:, [CONTRADICTION, ENTAILMENT]] = pair
    return out


def _label(choice: str) -> int:
    return CLASS_NAMES.index(choice)


def evaluate(
    dataset: Mapping[str, Any], results: list[Mapping[str, Any]], *, spans: bool = True
) -> Metrics:
    """Every aggregation of the official evaluation, as `aggregation/task/metric` -> value
    (None when undefined). `spans=False` scores the class predictions only."""
    by_id = {r["id"]: r["annotation_sets"][0]["annotations"] for r in results}
    hyps = sorted(dataset["labels"])
    labels: dict[str, list[int]] = defaultdict(list)
    probs: dict[str, list[NDArray[Any]]] = defaultdict(list)
    span_true: dict[str, list[NDArray[Any]]] = defaultdict(list)
    span_prob: dict[str, list[NDArray[Any]]] = defaultdict(list)
    for doc in dataset["documents"]:
        pred = by_id[doc["id"]]
        gold = doc["annotation_sets"][0]["annotations"]
        for h in hyps:
            label = _label(gold[h]["choice"])
            labels[h].append(label)
            probs[h].append(np.array([pred[h]["class_probs"][n] for n in CLASS_NAMES]))
            if spans and label != NOT_MENTIONED:
                truth = np.zeros(len(doc["spans"]))
                truth[list(gold[h]["spans"])] = 1
                span_true[h].append(truth)
                span_prob[h].append(np.asarray(pred[h]["span_probs"], dtype=float))
    y = {h: np.array(labels[h]) for h in hyps}
    p = {h: np.stack(probs[h]) for h in hyps}
    binary = [h for h in hyps if ENTAILMENT in labels[h] and CONTRADICTION in labels[h]]
    mentioned = {h: y[h] != NOT_MENTIONED for h in hyps}
    parts: dict[str, Metrics] = {
        "micro_label_micro_doc/class": class_metrics(
            np.concatenate([y[h] for h in hyps]), np.vstack([p[h] for h in hyps])
        ),
        "macro_label_micro_doc/class": macro_average(class_metrics(y[h], p[h]) for h in hyps),
        "micro_label_macro_doc/class": macro_average(
            class_metrics(np.array([y[h][i] for h in hyps]), np.stack([p[h][i] for h in hyps]))
            for i in range(len(dataset["documents"]))
        ),
    }
    if binary:
        parts["micro_label_micro_doc/class_binary"] = class_metrics(
            np.concatenate([y[h][mentioned[h]] for h in binary]),
            remove_not_mentioned(np.vstack([p[h][mentioned[h]] for h in binary])),
        )
        parts["macro_label_micro_doc/class_binary"] = macro_average(
            class_metrics(y[h][mentioned[h]], remove_not_mentioned(p[h][mentioned[h]]))
            for h in binary
        )
    if spans:
        with_spans = [h for h in hyps if span_true[h]]
        parts["micro_label_micro_doc/span"] = span_metrics(
            np.concatenate([t for h in with_spans for t in span_true[h]]),
            np.concatenate([s for h in with_spans for s in span_prob[h]]),
        )
        parts["macro_label_micro_doc/span"] = macro_average(
            span_metrics(np.concatenate(span_true[h]), np.concatenate(span_prob[h]))
            for h in with_spans
        )
        parts["macro_label_macro_doc/span"] = macro_average(
            macro_average(
                span_metrics(t, s) for t, s in zip(span_true[h], span_prob[h], strict=True)
            )
            for h in with_spans
        )
        parts["micro_label_macro_doc/span"] = macro_average(
            span_metrics(t, s)
            for h in with_spans
            for t, s in zip(span_true[h], span_prob[h], strict=True)
        )
    return {f"{part}/{k}": v for part, metrics in parts.items() for k, v in metrics.items()}


def label_wise(dataset: Mapping[str, Any], results: list[Mapping[str, Any]]) -> dict[str, Metrics]:
    """Per hypothesis, over documents: the class metrics and the pooled span metrics."""
    by_id = {r["id"]: r["annotation_sets"][0]["annotations"] for r in results}
    out: dict[str, Metrics] = {}
    for h in sorted(dataset["labels"]):
        y: list[int] = []
        p: list[list[float]] = []
        t: list[NDArray[Any]] = []
        s: list[NDArray[Any]] = []
        for doc in dataset["documents"]:
            gold = doc["annotation_sets"][0]["annotations"][h]
            pred = by_id[doc["id"]][h]
            y.append(_label(gold["choice"]))
            p.append([pred["class_probs"][n] for n in CLASS_NAMES])
            if gold["choice"] != "NotMentioned":
                truth = np.zeros(len(doc["spans"]))
                truth[list(gold["spans"])] = 1
                t.append(truth)
                s.append(np.asarray(pred["span_probs"], dtype=float))
        metrics = class_metrics(np.array(y), np.array(p))
        spans_of = (
            span_metrics(np.concatenate(t), np.concatenate(s)) if t else dict.fromkeys(SPAN_METRICS)
        )
        out[h] = {**metrics, **spans_of}
    return out
