"""Clause analysis: for each requirement of the profile, find the sentences that address it,
decide satisfied / contradicted / not mentioned, and explain the decision in plain words.

The decision is made per sentence by weighted patterns from the catalogue (data), then checked
on purpose for contradictions and carve-outs: a requirement's own contradicting patterns, a
generic negated obligation ("shall not be required to", "no obligation to", "nothing ... shall
require"), and qualifiers ("except", "provided that", "notwithstanding", "may retain") that are
reported in the explanation. When a trained sentence model is shipped (`model.py`), its scores
are combined with the pattern scores to rank evidence and to decide the status. With the
optional `nlp` extra (`embedding.py`) and `embeddings=True` (the agreements service passes the
setting `analysis_embeddings`), a sentence-embedding evidence model is blended into the
evidence ranking as well; the status decision does not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crownjewels.agreements.analysis import model as trained
from crownjewels.agreements.analysis.requirements import (
    Profile,
    Requirement,
    catalogue,
    profile_for,
)
from crownjewels.agreements.analysis.segment import Segment, split
from crownjewels.agreements.analysis.types import (
    STATUSES,
    Analysis,
    Evidence,
    Finding,
    Status,
    Strictness,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from crownjewels.agreements.analysis.embedding import EvidenceModel


MAX_EVIDENCE = 3
# an explicit contradicting pattern (or negated obligation, or a carve-out that rescues a
# prohibition) in the cited sentences decides the status even when the trained model reads the
# document otherwise
OVERRIDE_ON_EXPLICIT_CONTRADICTION = True
# the trained document model may find a requirement satisfied or contradicted only when some
# sentence is at least this likely to be evidence (or the patterns found one)
EVIDENCE_FLOOR = 0.2
# below this probability of its best status the trained model is unsure, and the patterns decide
# when they found evidence (few training documents mention some requirements: nda-18 has 11)
CONFIDENT = 0.55
PATTERN_BLEND = 0.1
NEGATIONS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"(?:shall|will|is|are|be|has|have)\s+not\s+(?:be\s+)?(?:required|obliged|obligated|bound)\s+to",
        r"\bno\s+(?:obligation|duty|requirement)\s+to\b",
        r"\bneed\s+not\b",
        r"\bnot\s+(?:be\s+)?(?:under\s+)?any\s+obligation",
        r"\bnothing\b[^.;]{0,100}(?:shall|will)\s+(?:require|obligate|oblige)",
        r"\bunder\s+no\s+obligation\b",
    )
]
# a sentence that takes information out of the scope (the usual exclusions) is a carve-out of
# scope: a negation inside it ("no obligation with respect to information that ...") is not a
# contradiction of the obligation itself
EXCLUSION = re.compile(
    r"with\s+respect\s+to\s+(?:any\s+)?(?:information|confidential\s+information)\s+(?:that|which)"
    r"|(?:shall|will)\s+not\s+(?:apply|include)|does\s+not\s+include|(?:is|was|becomes?)\s+"
    r"(?:or\s+becomes\s+)?(?:publicly|generally)\s+(?:known|available)|already\s+(?:known|in)"
    r"|(?:received|obtained|disclosed|made\s+available)[^.;]{0,80}(?:from|by)\s+(?:a|any)\s+third"
    r"|third\s+(?:party|person)\s+(?:who|which|that|having)|independently\s+developed",
    re.IGNORECASE,
)
# what follows a negation when it is about the deal, not the recipient's duty ("the Discloser is
# under no obligation to disclose any information", "no obligation to effect a transaction")
DEAL = re.compile(
    r"\s*(?:\w+\s+){0,2}(?:disclose|provide|furnish|deliver|enter|effect|proceed|negotiate|"
    r"consummate|continue\s+discussions|purchase|sell)",
    re.IGNORECASE,
)
QUALIFIERS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bexcept\b(?:\s+(?:as|that|for|to\s+the\s+extent))?",
        r"\bprovided\s*(?:,\s*however,?\s*)?that\b",
        r"\bunless\b",
        r"\bnotwithstanding\b",
        r"\bsubject\s+to\b",
        r"\bother\s+than\b",
        r"\bmay\s+retain\b",
        r"\bnothing\b[^.;]{0,80}(?:shall|will)\s+(?:prevent|restrict|prohibit|limit)",
    )
]


@dataclass(frozen=True)
class _Judged:
    """One candidate sentence: its score and what it says about the requirement."""

    segment: Segment
    score: float
    status: Status
    reason: str


def _quote(text: str, limit: int = 90) -> str:
    """A short quotation of a matched phrase."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _pattern_score(req: Requirement, sentence: str) -> float:
    """The sum of the weights of the requirement's cues that the sentence matches; a sentence
    that matches one of its contradicting patterns is relevant whatever its cues (those
    patterns are specific: "no information shall be deemed confidential")."""
    score = sum(c.weight for c in req.cues if c.pattern.search(sentence))
    if any(p.search(sentence) for p in req.contra):
        score = max(score, req.threshold)
    return score


def _judge(req: Requirement, seg: Segment, score: float) -> _Judged:
    """Whether one evidence sentence satisfies or contradicts the requirement, and why."""
    text = seg.text
    for pattern in req.contra:
        m = pattern.search(text)
        if m is None:
            continue
        rescue = next((r.search(text) for r in req.rescue if r.search(text)), None)
        if rescue is not None:
            return _Judged(
                seg,
                score,
                "satisfied",
                f"restricts this ({_quote(m.group(0))}) but allows it with a carve-out "
                f"({_quote(rescue.group(0))})",
            )
        return _Judged(seg, score, "contradicted", f"says {_quote(m.group(0))}")
    if req.negatable:
        for pattern in NEGATIONS:
            m = pattern.search(text)
            if m is not None and DEAL.match(text, m.end()):
                continue  # "no obligation to disclose / to enter into a transaction": the deal
            if m is not None and EXCLUSION.search(text):
                return _Judged(
                    seg,
                    score,
                    "satisfied",
                    "takes some information out of scope "
                    f"({_quote(m.group(0))}), a usual carve-out",
                )
            if m is not None:
                return _Judged(
                    seg,
                    score,
                    "contradicted",
                    f"negates the obligation: {_quote(m.group(0))}",
                )
    return _Judged(seg, score, "satisfied", "")


def _qualifiers(segments: list[Segment]) -> list[str]:
    """Carve-out words found in the evidence ("except", "provided that", ...), quoted once each."""
    found: list[str] = []
    for seg in segments:
        for q in QUALIFIERS:
            m = q.search(seg.text)
            if m is not None:
                word = _quote(m.group(0), 40)
                if word not in found:
                    found.append(word)
    return found


def _decide(
    req: Requirement, candidates: list[tuple[Segment, float]]
) -> tuple[Status, list[_Judged], str]:
    """The status of a requirement from its candidate sentences, the cited ones, and why."""
    judged = [_judge(req, seg, score) for seg, score in candidates[: MAX_EVIDENCE * 2]]
    if not judged:
        return "not_mentioned", [], ""
    contra = [j for j in judged if j.status == "contradicted"]
    sat = [j for j in judged if j.status == "satisfied"]
    if contra and (req.precedence == "contradicted" or not sat):
        return "contradicted", contra[:MAX_EVIDENCE], contra[0].reason
    cited = sat[:MAX_EVIDENCE]
    if req.needs and not any(p.search(j.segment.text) for j in cited for p in req.needs):
        return "not_mentioned", cited, "needs"
    return "satisfied", cited, next((j.reason for j in cited if j.reason), "")


def _explain(
    req: Requirement,
    status: Status,
    reason: str,
    cited: list[_Judged],
    strictness: Strictness,
    profile: Profile,
) -> str:
    """The finding in plain words: what was found, why, carve-outs, and the profile's note."""
    parts: list[str] = []
    if status == "satisfied":
        parts.append(f"Satisfied: {req.statement}")
        if reason:
            parts.append(f"The cited sentence {reason}.")
        quals = _qualifiers([j.segment for j in cited])
        if quals:
            parts.append(f"Check the carve-outs: the evidence is qualified by {', '.join(quals)}.")
    elif status == "contradicted":
        parts.append(f"Contradicted: the agreement goes against the requirement ({req.statement})")
        if reason:
            parts.append(f"The cited sentence {reason}.")
    elif reason == "needs":
        parts.append(
            f"Not met: the agreement touches on this ({req.title.lower()}) but not fully: "
            f"{req.statement}"
        )
    else:
        parts.append(f"Not mentioned: no sentence addresses this. {req.statement}")
    if strictness == "required" and status != "satisfied":
        parts.append(f"The {profile.name} profile requires it.")
    elif strictness == "flag":
        parts.append("Flagged for legal review: enforceability varies by jurisdiction.")
    note = profile.notes.get(req.key)
    if note:
        parts.append(note)
    return " ".join(parts)


def rule_status(req: Requirement, segments: list[Segment]) -> Status:
    """The status the patterns alone give (the trained document model takes it as input)."""
    scored = ((seg, _pattern_score(req, seg.text)) for seg in segments)
    candidates = sorted(((s, sc) for s, sc in scored if sc >= req.threshold), key=lambda p: -p[1])
    return _decide(req, candidates)[0]


@dataclass(frozen=True)
class Assessment:
    """An analysis with what it was computed from: the segments, every sentence score and, per
    requirement, the status probabilities (the finding's status is the most probable)."""

    analysis: Analysis
    segments: list[Segment]
    span_scores: dict[str, list[float]]
    status_probabilities: dict[str, dict[str, float]]


_SHIPPED = object()


def _rule_probability(score: float, threshold: float) -> float:
    """A pattern score as a number in [0, 1): 0.5 at the requirement's threshold."""
    return score / (score + threshold) if score > 0 else 0.0


def _finding(
    req: Requirement,
    segments: list[Segment],
    strictness: Strictness,
    profile: Profile,
    learned: trained.RequirementModel | None,
    embedded: list[float] | None = None,
    blend: float = 0.0,
) -> tuple[Finding, list[float], dict[str, float]]:
    """One requirement's finding, its sentence scores and its status probabilities;
    `embedded` (the embedding layer's evidence probabilities) is blended into the scores."""
    texts = [s.text for s in segments]
    pattern = [_pattern_score(req, t) for t in texts]
    candidates = sorted(
        ((seg, sc) for seg, sc in zip(segments, pattern, strict=True) if sc >= req.threshold),
        key=lambda pair: -pair[1],
    )
    status, cited, reason = _decide(req, candidates)
    if learned is None:
        scores = [_rule_probability(sc, req.threshold) for sc in pattern]
        if embedded is not None:
            scores = [(1 - blend) * s + blend * e for s, e in zip(scores, embedded, strict=True)]
        probs: dict[str, float] = {s: (0.8 if s == status else 0.1) for s in STATUSES}
    else:
        learnt = learned.span_probabilities(req, texts)
        probs = learned.status_probabilities(req, texts, learnt, status)
        # evidence is ranked by the model's probability nudged by the pattern score (breaks
        # the model's near-ties in favour of sentences the catalogue recognises)
        scores = [
            (p + PATTERN_BLEND * _rule_probability(sc, req.threshold)) / (1 + PATTERN_BLEND)
            for p, sc in zip(learnt, pattern, strict=True)
        ]
        if embedded is not None:
            scores = [(1 - blend) * s + blend * e for s, e in zip(scores, embedded, strict=True)]
        model_status: Status = max(STATUSES, key=lambda s: probs[s])
        if status == "not_mentioned" and max(learnt, default=0.0) < EVIDENCE_FLOOR:
            model_status = "not_mentioned"  # no sentence to cite: never decide on priors alone
        # the patterns decide when they found an explicit reason: a contradicting pattern or
        # negated obligation, or a prohibition turned into a carve-out by its rescue pattern
        explicit = status != "not_mentioned" and bool(reason)
        unsure = probs[model_status] < CONFIDENT and status != "not_mentioned"
        # both say not mentioned, but the patterns know why (a sentence lacks what the
        # requirement needs: a deadline, a notice, the end of the agreement): keep their account
        incomplete = reason == "needs" and model_status == "not_mentioned"
        decided = (explicit and OVERRIDE_ON_EXPLICIT_CONTRADICTION) or unsure or incomplete
        if not decided:
            order = sorted(range(len(texts)), key=lambda i: -scores[i])
            chosen = [i for i in order[:MAX_EVIDENCE] if scores[i] >= 0.5] or order[:1]
            if model_status == "not_mentioned":
                chosen = []
            judged = [_judge(req, segments[i], scores[i]) for i in chosen]
            if model_status == "contradicted":
                against = [j for j in judged if j.status == "contradicted"]
                reason = (
                    against[0].reason
                    if against
                    else "is read by the trained model as going against it (no contradicting "
                    "wording of the catalogue matched: check it)"
                )
                judged = against + [j for j in judged if j.status != "contradicted"]
            elif model_status == "satisfied":
                reason = next(
                    (j.reason for j in judged if j.status == "satisfied" and j.reason), ""
                )
            else:
                reason = ""
            status, cited = model_status, judged
    flagged = ""
    if status == "satisfied" and req.key in profile.expect:
        exp = profile.expect[req.key]
        if not any(exp.pattern.search(j.segment.text) for j in cited):
            if exp.outcome == "flag":
                flagged = exp.message
            else:
                status, reason = "contradicted", ""
    risky = profile.caution.get(req.key)
    if (
        status == "satisfied"
        and risky is not None
        and any(risky.pattern.search(j.segment.text) for j in cited)
    ):
        flagged = risky.message
    explanation = _explain(req, status, reason, cited, strictness, profile)
    if flagged:
        # the jurisdiction asks a human to look at what was found: flagged, with why
        strictness = "flag"
        explanation = f"{explanation} Flagged for legal review: {flagged}"
    if status == "satisfied" and req.key in profile.contradict_when_present:
        status = "contradicted"
        explanation = f"Contradicted: {profile.contradict_when_present[req.key]}"
    elif status == "contradicted" and req.key in profile.expect and not reason:
        explanation = f"Contradicted: {profile.expect[req.key].message}"
    evidence = [Evidence(j.segment.text, j.segment.start, j.segment.end) for j in cited]
    top = max(scores) if scores else 0.0
    probs = _coherent(probs, status)
    finding = Finding(
        requirement=req.key,
        title=req.title,
        status=status,
        evidence=evidence,
        explanation=explanation,
        strictness=strictness,
        score=top,
    )
    return finding, scores, probs


def _coherent(probs: dict[str, float], status: Status) -> dict[str, float]:
    """The status probabilities with the decided status the most probable: when a guard (the
    patterns, the evidence floor, the profile) overrode the document model, the decided status
    takes the top probability and gives its own to the status the model preferred."""
    top = max(STATUSES, key=lambda s: probs[s])
    out = dict(probs)
    if top != status:
        out[status], out[top] = probs[top], probs[status]
    if sum(1 for s in STATUSES if out[s] >= out[status]) > 1:  # a tie: make the status win it
        out[status] += 1e-3
        total = sum(out.values())
        out = {s: v / total for s, v in out.items()}
    return out


def assess(
    text: str,
    *,
    kind: str = "nda",
    jurisdiction: str | None = None,
    segments: list[Segment] | None = None,
    model: trained.Model | object | None = _SHIPPED,
    embeddings: bool | EvidenceModel | None = None,
    vectors: NDArray[np.float32] | None = None,
) -> Assessment:
    """The analysis with its sentence scores; `segments` and `model` may be given (evaluation).

    `embeddings`: None or False: off (callers pass the setting `analysis_embeddings`);
    True uses the shipped embedding evidence model (EmbeddingsUnavailable, naming the fix, when
    the `nlp` extra is missing), False never does; an EvidenceModel is used as given.
    `vectors` are the segments' embeddings when already computed (evaluation)."""
    profile = profile_for(kind, jurisdiction)
    cat = catalogue()
    segs = split(text) if segments is None else segments
    chosen = trained.load() if model is _SHIPPED else model
    active = chosen if isinstance(chosen, trained.Model) else None
    evidence_model = _evidence_model(embeddings)
    if evidence_model is not None and vectors is None:
        from crownjewels.agreements.analysis import embedding

        vectors = embedding.encode([s.text for s in segs])
    findings: list[Finding] = []
    span_scores: dict[str, list[float]] = {}
    status_probs: dict[str, dict[str, float]] = {}
    for key, strictness in profile.for_text(text).items():
        req = cat.requirements[key]
        learned = active.get(key) if active is not None else None
        embedded = None
        if evidence_model is not None and vectors is not None and evidence_model.covers(key):
            embedded = evidence_model.probabilities(key, vectors)
        blend = evidence_model.blend if evidence_model is not None else 0.0
        finding, scores, probs = _finding(req, segs, strictness, profile, learned, embedded, blend)
        findings.append(finding)
        span_scores[key] = scores
        status_probs[key] = probs
    analysis = Analysis(
        kind=kind,
        jurisdiction=profile.jurisdiction,
        profile=profile.name,
        findings=findings,
        notes=tuple(f"source: {s}" for s in profile.sources),
        fallback=profile.fallback,
    )
    return Assessment(analysis, segs, span_scores, status_probs)


def _evidence_model(embeddings: bool | EvidenceModel | None) -> EvidenceModel | None:
    """The embedding evidence model to use, from the argument or the setting."""
    if embeddings is None or embeddings is False:
        return None
    if embeddings is True:
        from crownjewels.agreements.analysis import embedding

        embedding.model_dir()  # EmbeddingsUnavailable, naming the fix, without the extra
        return embedding.load_evidence()
    return embeddings


def analyse(
    text: str,
    *,
    kind: str = "nda",
    jurisdiction: str | None = None,
    embeddings: bool | None = None,
) -> Analysis:
    """Findings for every requirement that applies to `kind` in `jurisdiction`, with evidence
    (`embeddings`: see `assess`)."""
    return assess(text, kind=kind, jurisdiction=jurisdiction, embeddings=embeddings).analysis
