"""Clause analyser on ContractNLI, scored by every aggregation of the official evaluation, each
figure next to Span NLI BERT's figure of the same definition.

    python benchmarks/nda_eval.py DATASET.json [--json] [--folds K] [--rules-only] [--quick]
                                               [--embeddings] [--predictions OUT.json]

Each of the 17 hypotheses is mapped onto a requirement of our catalogue with a polarity
(crownjewels.agreements.analysis.contractnli.HYPOTHESES; see docs/clause-analysis.md). For every
document the analyser (`analyser.assess`, kind nda, generic profile) runs on the document's
text with the document's own spans as its sentences (the task gives the spans), and we read,
per hypothesis, the status probabilities (mapped through the polarity onto Entailment /
Contradiction / NotMentioned; the finding's status is the most probable) and the score of every
span. These are the predictions in stanfordnlp/contract-nli-bert's results format;
`--predictions OUT.json` writes them, so that anyone can score them with that project's
`evaluate.py identification_classification DATASET.json OUT.json METRICS.json`.

The metrics are computed from the same predictions by `contractnli_metrics.py` (the official
definitions of `contract_nli/evaluation.py`: micro_label_micro_doc, macro_label_micro_doc,
micro_label_macro_doc, and for spans macro_label_macro_doc; class, class_binary and span), and
printed as one table: aggregation, our figure, the anchor of the same definition, the ratio.

Models: by default the shipped `model.json`. If any document of DATASET was used to train it,
the script switches to K-fold cross-validation over documents (K=5 unless --folds is given):
it trains on K-1 folds (benchmarks/train_nda_model.py, needs scikit-learn) and scores the
held-out fold, so no document is scored by a model that saw it. --rules-only scores the
catalogue's patterns alone. --embeddings adds the optional sentence-embedding evidence layer
(the `nlp` extra; benchmarks/train_nda_embeddings.py), cross-validated in the same folds (or
the shipped `embedding_model.json` when no document of DATASET trained it). --quick runs on
../shared/data/contract-nli/train_small.json.
With --json the last line is one JSON object: every aggregation's figure, keyed
`aggregation/task/metric`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from contractnli_metrics import CLASS_NAMES, SPAN_NLI_BERT, evaluate, label_wise
from crownjewels.agreements.analysis import embedding
from crownjewels.agreements.analysis import model as trained
from crownjewels.agreements.analysis.analyser import assess
from crownjewels.agreements.analysis.contractnli import HYPOTHESES, Document, class_probs, read

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "contract-nli"
ANCHOR = "Span NLI BERT (dev)"


class Run:
    """Predictions collected over documents, in the official results format's annotations."""

    def __init__(self) -> None:
        self.annotations: dict[str, dict[str, dict[str, Any]]] = {}

    def add(
        self,
        doc: Document,
        model: trained.Model | None,
        evidence: embedding.EvidenceModel | None = None,
        vectors: Any = None,
    ) -> None:
        """Analyse one document and record, per hypothesis, its class and span probabilities."""
        result = assess(
            doc.text,
            kind="nda",
            segments=doc.segments,
            model=model,
            embeddings=evidence if evidence is not None else False,
            vectors=vectors,
        )
        out: dict[str, dict[str, Any]] = {}
        for hyp, (key, polarity) in HYPOTHESES.items():
            probs = class_probs(result.status_probabilities[key], polarity)
            spans = [round(float(p), 6) for p in result.span_scores[key]]
            out[hyp] = {
                "choice": max(CLASS_NAMES, key=lambda n: probs[n]),
                "class_probs": {n: round(probs[n], 6) for n in CLASS_NAMES},
                "spans": [i for i, p in enumerate(spans) if p > 0.5],
                "span_probs": spans,
            }
        self.annotations[doc.id] = out

    def results(self, dataset: dict[str, Any]) -> list[dict[str, Any]]:
        """The predictions in the official results format (documents sorted by id)."""
        out = []
        for d in dataset["documents"]:
            out.append(
                {
                    "id": d["id"],
                    "file_name": d.get("file_name", ""),
                    "text": d["text"],
                    "spans": d["spans"],
                    "annotation_sets": [
                        {
                            "user": "prediction",
                            "mturk": False,
                            "annotations": self.annotations[str(d["id"])],
                        }
                    ],
                }
            )
        return sorted(out, key=lambda r: r["id"])


def majority(dataset: dict[str, Any]) -> list[dict[str, Any]]:
    """Class predictions of the baseline that gives each hypothesis its most frequent label."""
    docs = dataset["documents"]
    top = {
        h: Counter(d["annotation_sets"][0]["annotations"][h]["choice"] for d in docs).most_common(
            1
        )[0][0]
        for h in dataset["labels"]
    }
    one_hot = {h: {n: float(n == top[h]) for n in CLASS_NAMES} for h in dataset["labels"]}
    return [
        {"id": d["id"], "annotation_sets": [{"annotations": {h: {"class_probs": one_hot[h]}
                                                             for h in dataset["labels"]}}]}
        for d in docs
    ]  # fmt: skip


def _overlaps_training(
    docs: list[Document], model: trained.Model | embedding.EvidenceModel | None
) -> int:
    if model is None:
        return 0
    from hashlib import sha256

    seen = set(model.meta.get("document_hashes", []))
    return sum(1 for d in docs if sha256(d.text.encode("utf-8")).hexdigest()[:16] in seen)


def evaluate_run(
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


def report(
    dataset: dict[str, Any], results: list[dict[str, Any]], how: str, path: Path
) -> dict[str, float | None]:
    """Print the per-hypothesis table and every aggregation beside its anchor and the ratio."""
    ours = evaluate(dataset, results)
    maj = evaluate(dataset, majority(dataset), spans=False)
    pairs = len(dataset["documents"]) * len(dataset["labels"])
    print(f"\nContractNLI clause analysis on {path.name}: {len(dataset['documents'])} documents, "
          f"{pairs} pairs; {how}")  # fmt: skip
    print(f"\n{'hypothesis':<10} {'requirement':<34} {'acc':>6} {'F1 E':>6} {'F1 C':>6} "
          f"{'AP':>6}  gold E/C/N   pred E/C/N")  # fmt: skip
    per = label_wise(dataset, results)
    by_id = {r["id"]: r["annotation_sets"][0]["annotations"] for r in results}
    for hyp in sorted(dataset["labels"], key=lambda h: int(h.split("-")[1])):
        key, pol = HYPOTHESES[hyp]
        m = per[hyp]
        g = Counter(d["annotation_sets"][0]["annotations"][hyp]["choice"]
                    for d in dataset["documents"])  # fmt: skip
        p = Counter(by_id[d["id"]][hyp]["choice"] for d in dataset["documents"])
        order = ("Entailment", "Contradiction", "NotMentioned")
        gs = "/".join(str(g[lab]) for lab in order)
        ps = "/".join(str(p[lab]) for lab in order)
        sign = "+" if pol > 0 else "-"
        print(f"{hyp:<10} {sign}{key:<33} {_fmt(m['accuracy'])} {_fmt(m['f1_entailment'])} "
              f"{_fmt(m['f1_contradiction'])} {_fmt(m['map'])}  {gs:<11} {ps}")  # fmt: skip
    print(f"\n{'aggregation / task / metric':<52} {'ours':>6} {ANCHOR:>20} {'ratio':>6} "
          f"{'majority':>9}")  # fmt: skip
    for name, value in ours.items():
        anchor = SPAN_NLI_BERT.get(name)
        ratio = "   -  " if anchor is None or value is None else f"{value / anchor:6.2f}"
        print(f"{name:<52} {_fmt(value)} {_fmt(anchor):>20} {ratio:>6} "
              f"{_fmt(maj.get(name)):>9}")  # fmt: skip
    short = [k for k, a in SPAN_NLI_BERT.items() if (ours.get(k) or 0.0) < a]
    print(f"\nlike for like: {len(SPAN_NLI_BERT) - len(short)} of {len(SPAN_NLI_BERT)} figures "
          f"at or above {ANCHOR}" + (f"; below: {', '.join(short)}" if short else ""))  # fmt: skip
    return ours


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, evaluate, print (and write the predictions)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, help="a ContractNLI JSON file")
    parser.add_argument("--json", action="store_true", help="end with one JSON line of metrics")
    parser.add_argument("--folds", type=int, help="K-fold cross-validation over documents")
    parser.add_argument("--rules-only", action="store_true", help="patterns only, no model")
    parser.add_argument("--quick", action="store_true", help="run on train_small.json")
    parser.add_argument(
        "--embeddings", action="store_true", help="add the sentence-embedding layer (nlp extra)"
    )
    parser.add_argument(
        "--predictions",
        type=Path,
        metavar="OUT.json",
        help="write the predictions in contract-nli-bert's results format",
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
    raw = json.loads(dataset.read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    run, how = evaluate_run(
        docs, folds=args.folds, rules_only=args.rules_only, embeddings=args.embeddings
    )
    results = run.results(raw)
    ours = report(raw, results, how, dataset)
    print(f"\n{time.perf_counter() - t0:.1f} s on the CPU")
    if args.predictions is not None:
        args.predictions.write_text(json.dumps(results) + "\n", encoding="utf-8")
        print(f"wrote the predictions to {args.predictions} (contract-nli-bert results format)")
    if args.json:
        print(json.dumps({k: (None if v is None else round(v, 4)) for k, v in ours.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
