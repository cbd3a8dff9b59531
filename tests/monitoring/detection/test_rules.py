"""The rules file: the defaults load, every problem is named with its file and line, an
organisation's file overrides by id field by field, and thresholds differ per tier."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.monitoring.detection import rules
from crownjewels.monitoring.detection.rules import RulesError, load_rules, parse
from crownjewels.monitoring.schemas import Severity
from crownjewels.settings import Settings


def test_the_default_rules_cover_every_kind() -> None:
    ruleset = load_rules()
    assert ruleset.version == "2026.12.1"
    assert {r.kind for r in ruleset.rules} == set(rules.KINDS)
    assert len({r.id for r in ruleset.rules}) == len(ruleset.rules)
    assert all(r.origin.startswith(str(rules.DEFAULT_RULES)) for r in ruleset.rules)


def test_thresholds_and_severities_per_tier() -> None:
    bulk = load_rules().get("bulk-secret")
    assert rules.tiered(bulk.spec.documents, "highly-sensitive") == 15
    assert rules.tiered(bulk.spec.documents, "confidential") == 40
    assert rules.tiered(bulk.spec.documents, None) == 60
    assert bulk.spec.bytes["highly-sensitive"] == 500_000_000
    assert bulk.spec.window == 3600
    assert bulk.severity("confidential") is Severity.MEDIUM
    assert bulk.severity("confidential", heightened=True) is Severity.HIGH
    assert bulk.severity("highly-sensitive", heightened=True) is Severity.CRITICAL


BAD = """\
version: 2026.12.1
rules:
  - id: bulk-secret
    kind: bulk
    title: Bulk
    window: 1x
    severity: {high: low}
  - id: odd
    kind: nope
    title: Odd one
    severity: low
  - title: no id
    kind: region
    severity: low
  - id: bulk-secret
    kind: bulk
    title: again
    severity: low
"""


def test_every_problem_is_named_with_its_file_and_line() -> None:
    with pytest.raises(RulesError) as caught:
        parse([("org.yaml", BAD)])
    problems = caught.value.problems
    assert "org.yaml:6: rule bulk-secret: window: '1x' is not a duration" in "\n".join(problems)
    assert any(
        p.startswith("org.yaml:7: rule bulk-secret: severity:") and "not a tier" in p
        for p in problems
    )
    assert any(
        p.startswith("org.yaml:9: rule odd: kind: 'nope' is not a kind of rule") for p in problems
    )
    assert any(p.startswith("org.yaml:12: every rule needs an `id`") for p in problems)
    assert any(p.startswith("org.yaml:15: rule id 'bulk-secret' is used twice") for p in problems)
    assert len(problems) == 5


def test_syntax_errors_and_a_missing_version_are_named() -> None:
    with pytest.raises(RulesError) as caught:
        parse([("a.yaml", "version: 2026.12.1\nrules: [\n")])
    assert caught.value.problems[0].startswith("a.yaml:")
    assert "not valid YAML" in caught.value.problems[0]
    with pytest.raises(RulesError) as caught:
        parse([("b.yaml", "rules: []\n")])
    assert caught.value.problems == ["b.yaml:1: version: this field is required"]


def test_an_organisations_file_overrides_disables_and_adds(tmp_path: Path) -> None:
    own = tmp_path / "ours.yaml"
    own.write_text(
        "version: 2026.12.7\n"
        "rules:\n"
        "  - id: bulk-secret\n"
        "    documents: {default: 5}\n"
        "  - id: new-device\n"
        "    enabled: false\n"
        "  - id: night-owls\n"
        "    kind: off-hours\n"
        "    title: Night work on anything\n"
        "    start: '06:00'\n"
        "    end: '22:00'\n"
        "    severity: medium\n",
        encoding="utf-8",
    )
    ruleset = load_rules(extra=own)
    bulk = ruleset.get("bulk-secret")
    assert rules.tiered(bulk.spec.documents, "highly-sensitive") == 5
    assert bulk.spec.window == 3600  # kept from the defaults
    assert bulk.version == "2026.12.7"
    assert ruleset.get("sustained").version == "2026.12.1"
    assert "new-device" not in {r.id for r in ruleset.enabled}
    night = ruleset.get("night-owls")
    assert (night.spec.start, night.spec.end) == (360, 1320)
    assert ruleset.version == "2026.12.1+2026.12.7"


def test_an_override_names_its_own_file_and_line(tmp_path: Path) -> None:
    own = tmp_path / "ours.yaml"
    own.write_text(
        "version: 2026.12.7\nrules:\n  - id: bulk-secret\n    window: soon\n"
        "  - id: region\n    kind: bulk\n",
        encoding="utf-8",
    )
    with pytest.raises(RulesError) as caught:
        load_rules(extra=own)
    assert caught.value.problems[0].startswith(f"{own}:6: rule region is a region rule")
    assert caught.value.problems[1].startswith(f"{own}:4: rule bulk-secret: window: 'soon'")


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("15m", 900), ("1h", 3600), ("7d", 604800), ("30", 30)]
)
def test_durations(text: str, seconds: int) -> None:
    assert rules._duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "size"), [("500MB", 500_000_000), ("2gb", 2_000_000_000), ("10kb", 10_000), ("7", 7)]
)
def test_sizes(text: str, size: int) -> None:
    assert rules._size(text) == size


def test_an_installations_rules_come_from_its_setting(tmp_path: Path) -> None:
    own = tmp_path / "ours.yaml"
    own.write_text("version: 2026.12.9\nrules:\n  - id: region\n    enabled: false\n")
    ruleset = rules.rules_for(Settings(monitoring_rules=own))
    assert "region" not in {r.id for r in ruleset.enabled}
    assert rules.rules_for(Settings()) is load_rules()  # the defaults, read once
