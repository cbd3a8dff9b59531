"""The public clause-analysis API the agreements service codes against."""

from __future__ import annotations

from crownjewels.agreements.analysis.analyser import analyse
from crownjewels.agreements.analysis.types import STATUSES

NDA = (
    '1. "Confidential Information" means all information disclosed by the Discloser, '
    "whether in writing, orally or visually.\n"
    "2. The Recipient shall use the Confidential Information solely for the Purpose.\n"
    "3. This Agreement shall be governed by the laws of the State of New York."
)


def test_analyse_returns_one_finding_per_requirement_with_offsets() -> None:
    result = analyse(NDA, kind="nda", jurisdiction="US")
    keys = [f.requirement for f in result.findings]
    assert len(keys) == len(set(keys)) > 10
    for finding in result.findings:
        assert finding.status in STATUSES
        assert finding.explanation
        for ev in finding.evidence:
            assert NDA[ev.start : ev.end] == ev.text
    assert result.finding("limited_use").status == "satisfied"
    assert result.finding("governing_law").status == "satisfied"
    assert result.finding("audit_right").status == "not_mentioned"


def test_json_form_has_findings_with_evidence_offsets() -> None:
    import json

    data = json.loads(json.dumps(analyse(NDA).to_dict()))
    assert next(iter(data)) == "findings"
    limited = next(f for f in data["findings"] if f["requirement"] == "limited_use")
    assert set(limited) >= {"requirement", "status", "evidence", "explanation", "strictness"}
    ev = limited["evidence"][0]
    assert NDA[ev["start"] : ev["end"]] == ev["text"]


def test_patterns_alone_still_work_without_the_model() -> None:
    from crownjewels.agreements.analysis.analyser import assess

    result = assess(NDA, model=None)
    assert result.analysis.finding("limited_use").status == "satisfied"
    assert result.analysis.finding("audit_right").status == "not_mentioned"
    assert len(result.span_scores["limited_use"]) == len(result.segments)
