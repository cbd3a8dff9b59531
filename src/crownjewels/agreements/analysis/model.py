"""The optional trained layer: per-requirement logistic models, shipped as JSON
(`data/model.json`, made offline by `benchmarks/train_nda_model.py` from the ContractNLI dev
split). Pure Python at run time: no numpy, no download. Two models per requirement:

* a sentence model: the probability that a sentence is evidence for the requirement, from its
  words and bigrams and from the catalogue's own pattern and carve-out signals;
* a document model: satisfied / contradicted / not mentioned, from the best sentences'
  probabilities, their carve-out signals and words, and the pattern-only verdict.

Without the file the analyser uses its patterns alone."""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from crownjewels.agreements.analysis.requirements import Requirement

MODEL_FILE = Path(__file__).parent / "data" / "model.json"
TOKEN = re.compile(r"[a-z][a-z\-']*[a-z]|[a-z]|\d+")
NEGATION = re.compile(
    r"(?:shall|will|is|are|be|has|have)\s+not\s+(?:be\s+)?(?:required|obliged|obligated|bound)\s+to"
    r"|\bno\s+(?:obligation|duty|requirement)\s+to\b|\bneed\s+not\b|\bnot\s+(?:be\s+)?(?:under\s+)?"
    r"any\s+obligation|\bnothing\b[^.;]{0,100}(?:shall|will)\s+(?:require|obligate|oblige)"
    r"|\bunder\s+no\s+obligation\b",
    re.IGNORECASE,
)
QUALIFIER = re.compile(
    r"\bexcept\b|\bprovided\s*(?:,\s*however,?\s*)?that\b|\bunless\b|\bnotwithstanding\b"
    r"|\bsubject\s+to\b|\bother\s+than\b|\bmay\s+retain\b"
    r"|\bnothing\b[^.;]{0,80}(?:shall|will)\s+(?:prevent|restrict|prohibit|limit)",
    re.IGNORECASE,
)
NOT = re.compile(r"\b(?:not|no|never|nor|without|neither)\b|n't\b", re.IGNORECASE)
STATUS_ORDER = ("satisfied", "contradicted", "not_mentioned")


def tokens(text: str) -> list[str]:
    """Lower-case word tokens of a sentence (numbers folded to one token)."""
    return ["0" if t.isdigit() else t for t in TOKEN.findall(text.lower())]


def signals(req: Requirement, text: str) -> dict[str, float]:
    """The catalogue's own signals for one sentence: cues matched, contra, rescue, negation."""
    out: dict[str, float] = {}
    total = 0.0
    for i, cue in enumerate(req.cues):
        if cue.pattern.search(text):
            out[f"cue:{i}"] = 1.0
            total += cue.weight
    out["cue_ratio"] = min(total / max(req.threshold, 1.0), 3.0)
    if any(p.search(text) for p in req.contra):
        out["contra"] = 1.0
    if any(p.search(text) for p in req.rescue):
        out["rescue"] = 1.0
    if NEGATION.search(text):
        out["negation"] = 1.0
    if QUALIFIER.search(text):
        out["qualifier"] = 1.0
    if NOT.search(text):
        out["not"] = 1.0
    return out


def _own(req: Requirement, text: str) -> dict[str, float]:
    """A sentence's own words, bigrams and catalogue signals."""
    words = tokens(text)
    feats: dict[str, float] = {f"w:{w}": 1.0 for w in words}
    for a, b in itertools.pairwise(words):
        feats[f"b:{a} {b}"] = 1.0
    for k, v in signals(req, text).items():
        feats[f"s:{k}"] = v
    feats["len"] = min(len(words) / 50.0, 3.0)
    return feats


LEAD_IN_REACH = 6  # how many sentences back a list item looks for its lead-in


def span_features(req: Requirement, texts: list[str], i: int) -> dict[str, float]:
    """The sentence model's input for sentence `i`: its words, bigrams and catalogue signals,
    its place in the document (a tenth: definitions come early, survival and return late) and
    the words of the lead-in it continues (the nearest earlier sentence ending in a colon within
    six: "Confidential Information shall not include information that:" makes its items
    carve-outs). The plain neighbours' words were tried and lowered cross-validated evidence
    mAP; the lead-in and the place raised it (docs/clause-analysis.md)."""
    feats = _own(req, texts[i])
    feats[f"pos:{min(10 * i // max(len(texts), 1), 9)}"] = 1.0
    for j in range(i - 1, max(i - 1 - LEAD_IN_REACH, -1), -1):
        if texts[j].rstrip().endswith(":"):
            for w in set(tokens(texts[j])):
                feats[f"l:{w}"] = 1.0
            break
    return feats


def doc_features(
    req: Requirement, texts: list[str], probs: list[float], rule_status: str
) -> dict[str, float]:
    """The document model's input: the best sentences' probabilities, signals and words."""
    order = sorted(range(len(probs)), key=lambda i: -probs[i])
    top = [probs[i] for i in order[:3]] + [0.0] * 3
    feats: dict[str, float] = {
        "p1": top[0],
        "p2": top[1],
        "p3": top[2],
        "n50": sum(1 for p in probs if p >= 0.5) / 3.0,
        f"rule={rule_status}": 1.0,
    }
    for rank, i in enumerate(order[:3]):
        weight = probs[i]
        for k, v in signals(req, texts[i]).items():
            if k.startswith("cue:"):
                continue
            key = f"top:{k}"
            feats[key] = max(feats.get(key, 0.0), v * weight)
            if rank == 0:
                feats[f"top1:{k}"] = v
        if rank < 2:
            for w in set(tokens(texts[i])):
                key = f"t:{w}"
                feats[key] = max(feats.get(key, 0.0), weight)
            for a, b in itertools.pairwise(tokens(texts[i])):
                key = f"tb:{a} {b}"
                feats[key] = max(feats.get(key, 0.0), weight)
    return feats


def sigmoid(x: float) -> float:
    """The logistic function, safe for large inputs."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _dot(weights: dict[str, float], feats: dict[str, float]) -> float:
    return sum(weights.get(k, 0.0) * v for k, v in feats.items())


@dataclass(frozen=True)
class RequirementModel:
    """The two trained models of one requirement."""

    span_weights: dict[str, float]
    span_bias: float
    classes: tuple[str, ...]
    doc_weights: tuple[dict[str, float], ...]
    doc_bias: tuple[float, ...]

    def span_probabilities(self, req: Requirement, texts: list[str]) -> list[float]:
        """The evidence probability of each sentence."""
        return [
            sigmoid(self.span_bias + _dot(self.span_weights, span_features(req, texts, i)))
            for i in range(len(texts))
        ]

    def status_probabilities(
        self, req: Requirement, texts: list[str], probs: list[float], rule_status: str
    ) -> dict[str, float]:
        """Satisfied / contradicted / not mentioned probabilities for the document."""
        feats = doc_features(req, texts, probs, rule_status)
        if len(self.classes) == 1:
            return {c: (1.0 if c == self.classes[0] else 0.0) for c in STATUS_ORDER}
        if len(self.classes) == 2 and len(self.doc_weights) == 1:
            p = sigmoid(self.doc_bias[0] + _dot(self.doc_weights[0], feats))
            got = {self.classes[0]: 1.0 - p, self.classes[1]: p}
        else:
            logits = [
                b + _dot(w, feats) for w, b in zip(self.doc_weights, self.doc_bias, strict=True)
            ]
            top = max(logits)
            exps = [math.exp(x - top) for x in logits]
            total = sum(exps)
            got = {c: e / total for c, e in zip(self.classes, exps, strict=True)}
        return {c: got.get(c, 0.0) for c in STATUS_ORDER}


@dataclass(frozen=True)
class Model:
    """Trained models by requirement key, with a description of how they were made."""

    requirements: dict[str, RequirementModel]
    meta: dict[str, Any]

    def get(self, key: str) -> RequirementModel | None:
        """The models of one requirement, or None when it was not trained."""
        return self.requirements.get(key)


def from_data(data: dict[str, Any]) -> Model:
    """A model from its JSON form (as written by the training script)."""
    reqs: dict[str, RequirementModel] = {}
    for key, r in data["requirements"].items():
        reqs[key] = RequirementModel(
            span_weights=dict(r["span"]["weights"]),
            span_bias=float(r["span"]["bias"]),
            classes=tuple(r["doc"]["classes"]),
            doc_weights=tuple(dict(w) for w in r["doc"]["weights"]),
            doc_bias=tuple(float(b) for b in r["doc"]["bias"]),
        )
    return Model(requirements=reqs, meta=dict(data.get("meta", {})))


@lru_cache(maxsize=1)
def load(path: Path = MODEL_FILE) -> Model | None:
    """The shipped model, or None when there is none."""
    if not path.exists():
        return None
    return from_data(json.loads(path.read_text(encoding="utf-8")))
