"""ContractNLI (Koreeda and Manning, 2021; CC BY 4.0) seen through our requirement catalogue:
the map from its 17 hypotheses to (requirement, polarity), and a reader for its JSON format.

Polarity +1: the hypothesis says what the requirement says (Entailment = satisfied,
Contradiction = contradicted). Polarity -1: the hypothesis states the opposite of a good NDA
term (nda-1 "all CI shall be expressly identified" is the opposite of `ci_unmarked`; nda-2 "CI
shall only include technical information" the opposite of `ci_business_info`), so Entailment =
contradicted and Contradiction = satisfied. Where a hypothesis is finer than a top-level
requirement it maps onto a sub-requirement of the catalogue (e.g. nda-11 onto
`no_reverse_engineering` under `limited_use`; nda-16 asks for return *upon termination*, so it
maps onto `return_on_termination`, not onto `return_destruction`, which a return on request
also satisfies)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crownjewels.agreements.analysis.segment import Segment
from crownjewels.agreements.analysis.types import Status

#: hypothesis key -> (requirement key, polarity)
HYPOTHESES: dict[str, tuple[str, int]] = {
    "nda-1": ("ci_unmarked", -1),
    "nda-2": ("ci_business_info", -1),
    "nda-3": ("ci_oral_visual", 1),
    "nda-4": ("limited_use", 1),
    "nda-5": ("recipients_employees", 1),
    "nda-7": ("recipients_third_parties", 1),
    "nda-8": ("compelled_disclosure", 1),
    "nda-10": ("agreement_confidential", 1),
    "nda-11": ("no_reverse_engineering", 1),
    "nda-12": ("carveout_independent_development", 1),
    "nda-13": ("carveout_third_party", 1),
    "nda-15": ("no_licence", 1),
    "nda-16": ("return_on_termination", 1),
    "nda-17": ("copies_permitted", 1),
    "nda-18": ("non_solicitation", 1),
    "nda-19": ("duration_survival", 1),
    "nda-20": ("retention_permitted", 1),
}
LABELS = ("Entailment", "Contradiction", "NotMentioned")


def to_status(label: str, polarity: int) -> Status:
    """A ContractNLI label as the status of the mapped requirement."""
    if label == "NotMentioned":
        return "not_mentioned"
    positive = (label == "Entailment") == (polarity > 0)
    return "satisfied" if positive else "contradicted"


def to_label(status: str, polarity: int) -> str:
    """A requirement status as the ContractNLI label of the mapped hypothesis."""
    if status == "not_mentioned":
        return "NotMentioned"
    positive = status == "satisfied"
    return "Entailment" if positive == (polarity > 0) else "Contradiction"


def class_probs(status_probs: Mapping[str, float], polarity: int) -> dict[str, float]:
    """Status probabilities as the hypothesis's class probabilities (its three labels)."""
    positive, negative = status_probs["satisfied"], status_probs["contradicted"]
    entail, contra = (positive, negative) if polarity > 0 else (negative, positive)
    return {
        "NotMentioned": status_probs["not_mentioned"],
        "Entailment": entail,
        "Contradiction": contra,
    }


@dataclass(frozen=True)
class Document:
    """One ContractNLI document: its text, its spans as segments, and its gold annotations."""

    id: str
    text: str
    segments: list[Segment]
    labels: dict[str, str]
    evidence: dict[str, list[int]]


def read(path: Path) -> tuple[list[Document], dict[str, Any]]:
    """The documents and the hypothesis descriptions of a ContractNLI JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    docs: list[Document] = []
    for d in data["documents"]:
        text = d["text"]
        segments = [Segment(text[a:b], a, b) for a, b in d["spans"]]
        annotations = d["annotation_sets"][0]["annotations"]
        docs.append(
            Document(
                id=str(d["id"]),
                text=text,
                segments=segments,
                labels={k: v["choice"] for k, v in annotations.items()},
                evidence={k: list(v["spans"]) for k, v in annotations.items()},
            )
        )
    return docs, dict(data.get("labels", {}))
