"""Train the clause analyser's optional sentence and document models (`model.json`).

Data: a ContractNLI JSON file (by default ../shared/data/contract-nli/dev.json, the official
dev split: 61 NDAs, CC BY 4.0, Koreeda and Manning 2021). Each of the 17 hypotheses is mapped
onto a requirement of our catalogue (crownjewels.agreements.analysis.contractnli.HYPOTHESES);
for each such requirement we fit, with scikit-learn (a dev dependency, never needed at run
time):

1. a sentence model: L2 logistic regression over binary words, bigrams and the catalogue's own
   pattern / carve-out signals; label = the span is gold evidence for the hypothesis;
2. a document model: multinomial logistic regression over the best spans' probabilities,
   signals and words and the pattern-only verdict; label = the requirement status. Its inputs
   are out-of-fold span probabilities (inner cross-fitting), so it learns from the same kind of
   scores it sees on a new document.

The weights are written as JSON that the package reads in pure Python. `benchmarks/nda_eval.py
--folds K` calls `train()` on K-1 folds and scores the held-out fold, so no document is scored
by a model that saw it.

    python benchmarks/train_nda_model.py [DATASET.json] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from crownjewels.agreements.analysis import model as trained
from crownjewels.agreements.analysis.analyser import rule_status
from crownjewels.agreements.analysis.contractnli import HYPOTHESES, Document, read, to_status
from crownjewels.agreements.analysis.requirements import Requirement, catalogue

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "contract-nli" / "dev.json"
SPAN_C = 0.5
DOC_C = 0.5
INNER_FOLDS = 4
PRUNE = 0.05  # weights smaller than this are dropped (keeps model.json under 1 MB)


def doc_hash(text: str) -> str:
    """A short fingerprint of a document's text (to recognise training documents later)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _int32(x: Any) -> Any:
    """liblinear wants 32-bit sparse indices (DictVectorizer may give 64-bit ones)."""
    x.indices = x.indices.astype("int32")
    x.indptr = x.indptr.astype("int32")
    return x


_CACHE: dict[tuple[str, str, int], list[dict[str, float]]] = {}


def _features(req: Requirement, d: Document) -> list[dict[str, float]]:
    """The sentence features of a document (cached: cross-validation refits on the same ones)."""
    key = (req.key, d.id, len(d.text))
    if key not in _CACHE:
        texts = [s.text for s in d.segments]
        _CACHE[key] = [trained.span_features(req, texts, i) for i in range(len(texts))]
    return _CACHE[key]


def _span_fit(req: Requirement, docs: list[Document], hyp: str) -> tuple[dict[str, float], float]:
    """Fit the sentence model of one requirement; its pruned weights and bias."""
    feats: list[dict[str, float]] = []
    ys: list[int] = []
    for d in docs:
        gold = set(d.evidence.get(hyp, [])) if d.labels.get(hyp) != "NotMentioned" else set()
        feats.extend(_features(req, d))
        ys.extend(1 if i in gold else 0 for i in range(len(d.segments)))
    if len(set(ys)) < 2:
        return {}, -6.0 if not any(ys) else 6.0
    vec = DictVectorizer()
    x = _int32(vec.fit_transform(feats))
    clf = LogisticRegression(C=SPAN_C, max_iter=2000, solver="liblinear")
    clf.fit(x, ys)
    names = vec.get_feature_names_out()
    weights = {
        str(n): round(float(w), 3)
        for n, w in zip(names, clf.coef_[0], strict=True)
        if abs(w) > PRUNE
    }
    return weights, round(float(clf.intercept_[0]), 4)


def _span_probs(
    req: Requirement, weights: dict[str, float], bias: float, d: Document
) -> list[float]:
    return [
        trained.sigmoid(bias + sum(weights.get(k, 0.0) * v for k, v in f.items()))
        for f in _features(req, d)
    ]


def _doc_fit(req: Requirement, docs: list[Document], hyp: str, polarity: int) -> dict[str, Any]:
    """Fit the document model on out-of-fold span probabilities (inner cross-fitting)."""
    folds = (
        [docs[i::INNER_FOLDS] for i in range(INNER_FOLDS)] if len(docs) >= INNER_FOLDS else [docs]
    )
    feats: list[dict[str, float]] = []
    ys: list[str] = []
    for k, held in enumerate(folds):
        rest = [d for j, f in enumerate(folds) if j != k for d in f] or held
        w, b = _span_fit(req, rest, hyp)
        for d in held:
            probs = _span_probs(req, w, b, d)
            texts = [s.text for s in d.segments]
            feats.append(trained.doc_features(req, texts, probs, rule_status(req, d.segments)))
            ys.append(to_status(d.labels.get(hyp, "NotMentioned"), polarity))
    classes = sorted(set(ys))
    if len(classes) == 1:
        return {"classes": classes, "weights": [], "bias": []}
    vec = DictVectorizer()
    x = vec.fit_transform(feats)
    clf = LogisticRegression(C=DOC_C, max_iter=4000)
    clf.fit(x, ys)
    names = vec.get_feature_names_out()
    rows = clf.coef_
    weights = [
        {str(n): round(float(w), 3) for n, w in zip(names, row, strict=True) if abs(w) > PRUNE}
        for row in rows
    ]
    return {
        "classes": [str(c) for c in clf.classes_],
        "weights": weights,
        "bias": [round(float(b), 4) for b in clf.intercept_],
    }


def train(docs: list[Document], *, source: str = "") -> dict[str, Any]:
    """The JSON form of a model trained on `docs` (every mapped hypothesis)."""
    cat = catalogue()
    out: dict[str, Any] = {}
    for hyp, (key, polarity) in HYPOTHESES.items():
        req = cat.requirements[key]
        weights, bias = _span_fit(req, docs, hyp)
        out[key] = {
            "hypothesis": hyp,
            "polarity": polarity,
            "span": {"weights": weights, "bias": bias},
            "doc": _doc_fit(req, docs, hyp, polarity),
        }
    return {
        "meta": {
            "trained_on": source,
            "documents": len(docs),
            "document_hashes": sorted(doc_hash(d.text) for d in docs),
            "span_C": SPAN_C,
            "doc_C": DOC_C,
            "inner_folds": INNER_FOLDS,
            "script": "benchmarks/train_nda_model.py",
            "licence": "trained on ContractNLI (CC BY 4.0, Koreeda and Manning 2021)",
            "date": dt.date.today().isoformat(),
        },
        "requirements": out,
    }


def main(argv: list[str] | None = None) -> int:
    """Train on a ContractNLI file and write the model JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=trained.MODEL_FILE)
    args = parser.parse_args(argv)
    if not args.dataset.exists():
        print(f"{args.dataset}: no such file; pass a ContractNLI JSON file", file=sys.stderr)
        return 2
    docs, _ = read(args.dataset)
    data = train(docs, source=args.dataset.name)
    args.out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KiB) from {len(docs)} documents of {args.dataset}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
