"""Clause analyser on ContractNLI: NLI accuracy, F1 (Entailment, Contradiction), evidence mAP
and precision at 80 % recall, next to the published and measured anchors.

    python benchmarks/nda_eval.py DATASET.json [--json] [--folds K] [--rules-only] [--quick]
                                               [--embeddings]

Each of the 17 hypotheses is mapped onto a requirement of our catalogue with a polarity
(crownjewels.agreements.analysis.contractnli.HYPOTHESES; see docs/clause-analysis.md). For every
document the analyser (`analyser.assess`, kind nda, generic profile) runs on the document's
text with the document's own spans as its sentences (the task gives the spans), and we read,
per hypothesis, the finding's status (mapped back to Entailment / Contradiction /
NotMentioned) and the score of every span.

Metrics follow stanfordnlp/contract-nli-bert `contract_nli/evaluation.py`:
* accuracy, F1 Entailment, F1 Contradiction: over all (document, hypothesis) pairs, 3 classes;
* evidence mAP: for each hypothesis, the average precision (sklearn's definition: sum over
  score thresholds of (R_n - R_n-1) * P_n) of the span ranking pooled over the documents whose
  gold label is Entailment or Contradiction; then the mean over hypotheses (macro over labels,
  micro over documents);
* precision at 80 % recall: likewise, the precision at the highest threshold reaching 80 %
  recall, macro over hypotheses.

Models: by default the shipped `model.json`. If any document of DATASET was used to train it,
the script switches to K-fold cross-validation over documents (K=5 unless --folds is given):
it trains on K-1 folds (benchmarks/train_nda_model.py, needs scikit-learn) and scores the
held-out fold, so no document is scored by a model that saw it. --rules-only scores the
catalogue's patterns alone. --embeddings adds the optional sentence-embedding evidence layer
(the `nlp` extra; benchmarks/train_nda_embeddings.py), cross-validated in the same folds (or
the shipped `embedding_model.json` when no document of DATASET trained it). --quick runs on
../shared/data/contract-nli/train_small.json.
With --json the last line is one JSON object with the five metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from crownjewels.agreements.analysis import embedding
from crownjewels.agreements.analysis import model as trained
from crownjewels.agreements.analysis.analyser import assess
from crownjewels.agreements.analysis.contractnli import HYPOTHESES, LABELS, Document, read, to_label

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "contract-nli"
ANCHORS: dict[str, dict[str, float | None]] = {
    "Span NLI BERT (paper, re-run on dev)": {
        "accuracy": 0.845,
        "f1_entailment": 0.741,
        "f1_contradiction": 0.357,
        "evidence_map": 0.869,
        "precision_at_80_recall": None,
    },
    "majority label per hypothesis (issue's figure)": {
        "accuracy": 0.674,
        "f1_entailment": None,
        "f1_contradiction": None,
        "evidence_map": None,
        "precision_at_80_recall": None,
    },
    "MiniLM + logistic (measured)": {
        "accuracy": 0.730,
        "f1_entailment": None,
        "f1_contradiction": 0.242,
        "evidence_map": 0.758,
        "precision_at_80_recall": None,
    },
}
METRICS = (
    "accuracy",
    "f1_entailment",
    "f1_contradiction",
    "evidence_map",
    "precision_at_80_recall",
)


# ---- metrics (the official definitions, in plain Python) ---------------------------------


def average_precision(y_true: list[int], y_score: list[float]) -> float | None:
    """sklearn's average_precision_score: sum over thresholds of (R_n - R_n-1) * P_n."""
    positives = sum(y_true)
    if positives == 0:
        return None
    pairs = sorted(zip(y_score, y_true, strict=True), key=lambda p: -p[0])
    ap = tp = fp = 0.0
    prev_recall = 0.0
    i = 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            tp += pairs[j][1]
            fp += 1 - pairs[j][1]
            j += 1
        recall = tp / positives
        ap += (recall - prev_recall) * (tp / (tp + fp))
        prev_recall = recall
        i = j
    return ap


def precision_at_recall(y_true: list[int], y_score: list[float], recall: float) -> float | None:
    """contract-nli-bert's precision_at_recall: precision at the highest threshold reaching it."""
    positives = sum(y_true)
    if positives == 0:
        return None
    for thresh in sorted(set(y_score), reverse=True):
        predicted = [t for s, t in zip(y_score, y_true, strict=True) if s >= thresh]
        if sum(predicted) / positives >= recall:
            return sum(predicted) / len(predicted)
    return None  # pragma: no cover - the lowest threshold always reaches recall 1


def f1(gold: list[str], pred: list[str], label: str) -> float | None:
    """F1 of one class (None when the class never occurs in gold, as the official script)."""
    tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
    fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
    fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
    if tp + fn == 0:
        return None
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def _mean(values: list[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def classification(gold: list[str], pred: list[str]) -> dict[str, float | None]:
    """Accuracy and per-class F1 over (document, hypothesis) pairs."""
    n = len(gold)
    return {
        "accuracy": sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / n if n else None,
        "f1_entailment": f1(gold, pred, "Entailment"),
        "f1_contradiction": f1(gold, pred, "Contradiction"),
    }


# ---- running the analyser -----------------------------------------------------------------


class Run:
    """Predictions collected over documents: labels per pair and span scores per hypothesis."""

    def __init__(self) -> None:
        self.gold: list[str] = []
        self.pred: list[str] = []
        self.by_hyp: dict[str, list[tuple[str, str]]] = {h: [] for h in HYPOTHESES}
        self.span_true: dict[str, list[int]] = {h: [] for h in HYPOTHESES}
        self.span_score: dict[str, list[float]] = {h: [] for h in HYPOTHESES}

    def add(
        self,
        doc: Document,
        model: trained.Model | None,
        evidence: embedding.EvidenceModel | None = None,
        vectors: Any = None,
    ) -> None:
        """Analyse one document and record its predictions."""
        result = assess(
            doc.text,
            kind="nda",
            segments=doc.segments,
            model=model,
            embeddings=evidence if evidence is not None else False,
            vectors=vectors,
        )
        for hyp, (key, polarity) in HYPOTHESES.items():
            if hyp not in doc.labels:
                continue
            gold = doc.labels[hyp]
            pred = to_label(result.analysis.finding(key).status, polarity)
            self.gold.append(gold)
            self.pred.append(pred)
            self.by_hyp[hyp].append((gold, pred))
            if gold != "NotMentioned":
                evidence = set(doc.evidence.get(hyp, []))
                self.span_true[hyp].extend(
                    1 if i in evidence else 0 for i in range(len(doc.segments))
                )
                self.span_score[hyp].extend(result.span_scores[key])

    def metrics(self) -> dict[str, float | None]:
        """The five metrics of this run."""
        out = classification(self.gold, self.pred)
        out["evidence_map"] = _mean(
            [average_precision(self.span_true[h], self.span_score[h]) for h in HYPOTHESES]
        )
        out["precision_at_80_recall"] = _mean(
            [precision_at_recall(self.span_true[h], self.span_score[h], 0.8) for h in HYPOTHESES]
        )
        return out


def majority(docs: list[Document]) -> dict[str, float | None]:
    """Predict, for each hypothesis, its most frequent label in the same file."""
    gold: list[str] = []
    pred: list[str] = []
    for hyp in HYPOTHESES:
        labels = [d.labels[hyp] for d in docs if hyp in d.labels]
        if not labels:
            continue
        top = Counter(labels).most_common(1)[0][0]
        gold.extend(labels)
        pred.extend([top] * len(labels))
    return classification(gold, pred)


def _overlaps_training(
    docs: list[Document], model: trained.Model | embedding.EvidenceModel | None
) -> int:
    if model is None:
        return 0
    from hashlib import sha256

    seen = set(model.meta.get("document_hashes", []))
    return sum(1 for d in docs if sha256(d.text.encode("utf-8")).hexdigest()[:16] in seen)


def evaluate(
    docs: list[Document],
    *,
    folds: int | None,
    rules_only: bool,
    embeddings: bool = False,
    log: Any = print,
) -> tuple[Run, str]:
    """Run the analyser over `docs` (shipped model, rules only, or K-fold); the run and a note."""
    run = Run()
    vectors: dict[str, Any] = {}
    shipped_evidence: embedding.EvidenceModel | None = None
    if embeddings:
        if not embedding.available():
            raise SystemExit(f"--embeddings needs the nlp layer: {embedding.INSTALL_HINT}")
        from train_nda_embeddings import embed_documents

        t0 = time.perf_counter()
        vectors = embed_documents(docs)
        log(f"  embedded {sum(len(d.segments) for d in docs)} spans "
            f"({time.perf_counter() - t0:.0f} s)")  # fmt: skip
        if embedding.EVIDENCE_FILE.exists():
            shipped_evidence = embedding.load_evidence()
        if folds is None and (
            shipped_evidence is None or _overlaps_training(docs, shipped_evidence)
        ):
            folds = 5
            log("note: no shipped embedding model, or documents of this file trained it; "
                f"switching to {folds}-fold cross-validation over documents")  # fmt: skip
    if rules_only and not embeddings:
        for d in docs:
            run.add(d, None)
        return run, "patterns only (no trained model)"
    shipped = None if rules_only else trained.load()
    overlap = _overlaps_training(docs, shipped)
    if folds is None and overlap:
        folds = 5
        log(f"note: {overlap} of {len(docs)} documents were used to train the shipped model; "
            f"switching to {folds}-fold cross-validation over documents")  # fmt: skip
    if folds is None:
        for d in docs:
            run.add(d, shipped, shipped_evidence, vectors.get(d.id))
        how = "shipped model" if shipped is not None else "patterns only (no model.json shipped)"
        return run, how + (" + shipped embedding layer" if embeddings else "")
    try:
        from train_nda_model import train  # needs scikit-learn (dev dependency)

        if embeddings:
            from train_nda_embeddings import train as train_embeddings
    except ImportError as exc:
        raise SystemExit(
            f"cross-validation needs scikit-learn ({exc}); install it with "
            "`pip install -e '.[dev]'`, or pass --rules-only"
        ) from exc

    for k in range(folds):
        held = docs[k::folds]
        rest = [d for i, d in enumerate(docs) if i % folds != k]
        t0 = time.perf_counter()
        source = f"fold {k + 1}/{folds}"
        model = None if rules_only else trained.from_data(train(rest, source=source))
        evidence = None
        if embeddings:
            evidence = embedding.evidence_from_data(train_embeddings(rest, vectors, source=source))
        for d in held:
            run.add(d, model, evidence, vectors.get(d.id))
        log(f"  fold {k + 1}/{folds}: trained on {len(rest)} documents, scored {len(held)} "
            f"held-out ({time.perf_counter() - t0:.0f} s)")  # fmt: skip
    how = f"{folds}-fold cross-validation over documents (trained on the other folds)"
    if rules_only:
        how = "patterns only + " + how
    return run, how + (" + embedding layer" if embeddings else "")


def _fmt(v: float | None) -> str:
    return "   -  " if v is None else f"{v:6.3f}"


def report(docs: list[Document], run: Run, how: str, dataset: Path) -> dict[str, float | None]:
    """Print the per-hypothesis table, the metrics, the anchors and the ratios."""
    ours = run.metrics()
    maj = majority(docs)
    print(f"\nContractNLI clause analysis on {dataset.name}: {len(docs)} documents, "
          f"{len(run.gold)} pairs; {how}")  # fmt: skip
    print(f"\n{'hypothesis':<8} {'requirement':<34} {'acc':>6} {'AP':>6}  gold E/C/N   pred E/C/N")
    for hyp, (key, pol) in HYPOTHESES.items():
        pairs = run.by_hyp[hyp]
        if not pairs:
            continue
        acc = sum(1 for g, p in pairs if g == p) / len(pairs)
        ap = average_precision(run.span_true[hyp], run.span_score[hyp])
        g = Counter(g for g, _ in pairs)
        p = Counter(p for _, p in pairs)
        gs = "/".join(str(g[lab]) for lab in LABELS)
        ps = "/".join(str(p[lab]) for lab in LABELS)
        sign = "+" if pol > 0 else "-"
        print(f"{hyp:<8} {sign}{key:<33} {acc:6.3f} {_fmt(ap)}  {gs:<11} {ps}")
    rows: dict[str, dict[str, float | None]] = {"ours (clause analyser)": ours}
    rows.update(ANCHORS)
    rows["majority label per hypothesis (this run)"] = {
        **maj,
        "evidence_map": None,
        "precision_at_80_recall": None,
    }
    print(f"\n{'system':<46}" + "".join(f"{m:>23}" for m in METRICS))
    for name, vals in rows.items():
        print(f"{name:<46}" + "".join(f"{_fmt(vals.get(m)):>23}" for m in METRICS))
    print("\nratio ours / anchor (> 1.00 is better than the anchor)")
    for name, vals in list(rows.items())[1:]:
        cells = []
        for m in METRICS:
            a, o = vals.get(m), ours.get(m)
            cells.append("   -  " if a is None or o is None or a == 0 else f"{o / a:6.2f}")
        print(f"{name:<46}" + "".join(f"{c:>23}" for c in cells))
    return ours


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, evaluate, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, help="a ContractNLI JSON file")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of metrics")
    parser.add_argument("--folds", type=int, help="K-fold cross-validation over documents")
    parser.add_argument("--rules-only", action="store_true", help="patterns only, no model")
    parser.add_argument("--quick", action="store_true", help="run on train_small.json")
    parser.add_argument(
        "--embeddings", action="store_true", help="add the sentence-embedding layer (nlp extra)"
    )
    args = parser.parse_args(argv)
    dataset = args.dataset or (SHARED / ("train_small.json" if args.quick else "dev.json"))
    if not dataset.exists():
        print(f"{dataset}: no such file; pass a ContractNLI JSON file", file=sys.stderr)
        return 2
    if args.folds is not None and args.folds < 2:
        print("--folds must be at least 2", file=sys.stderr)
        return 2
    docs, _ = read(dataset)
    t0 = time.perf_counter()
    run, how = evaluate(
        docs, folds=args.folds, rules_only=args.rules_only, embeddings=args.embeddings
    )
    ours = report(docs, run, how, dataset)
    print(f"\n{time.perf_counter() - t0:.1f} s on the CPU")
    if args.json:
        print(
            json.dumps(
                {m: (None if ours[m] is None else round(ours[m] or 0.0, 4)) for m in METRICS}
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
