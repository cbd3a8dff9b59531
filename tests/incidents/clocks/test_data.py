"""The clock data file: the shipped one loads and cites every rule; a bad file is refused with
the file, the line and the fix; the stale-data warning."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from crownjewels.core.errors import Invalid
from crownjewels.incidents.clocks import data, rules
from crownjewels.incidents.clocks.data import ClockFileError
from crownjewels.incidents.clocks.schemas import Facts

GOOD = """\
reviewed_at: 2026-12-01
max_age_days: 90
groups:
  NORDIC: [DK, SE, FI]
clocks:
  - key: nordic-notice
    name: Nordic notice
    regime: Test
    recipient: the authority
    citation: Test Act s. 1
    source: "https://example.org/act"
    applies_when: {operates_in: [NORDIC]}
    trigger: awareness
    duration: {business_days: 2, calendar: SE}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ours.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_loads_and_cites_every_rule() -> None:
    table = rules.load_clocks()
    assert table is rules.load_clocks()  # read once
    keys = [c.key for c in table.clocks]
    assert len(keys) == len(set(keys)) >= 40
    for spec in table.clocks:
        assert spec.citation and spec.recipient
        assert spec.per_agreement or (spec.source or "").startswith(("https://", "http://"))
    regimes = {c.regime for c in table.clocks}
    assert {"GDPR", "NIS2", "DORA", "HIPAA", "SEC", "NYDFS", "CERT-In", "DPDP", "CAC", "DTSA"} <= (
        regimes
    )


def test_an_organisations_own_file_is_used(tmp_path: Path) -> None:
    table = rules.load_clocks(_write(tmp_path, GOOD))
    spec = table.get("nordic-notice")
    assert spec is not None and spec.applies_when.operates_in == ("DK", "SE", "FI")
    # from Wednesday 23 December 2026: Thursday 24 counts, Friday 25 (Christmas Day) and the
    # weekend do not, Monday 28 is the second Swedish business day
    facts = Facts(jurisdictions=["SE"], discovered_at=datetime(2026, 12, 23, 10, tzinfo=UTC))
    [clock] = rules.compute(facts, tz="Europe/Stockholm", now=facts.discovered_at, table=table)
    assert clock.due_local is not None and clock.due_local.date() == date(2026, 12, 28)


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("trigger: awareness", "trigger: sunrise"), 13, "use one of awareness, discovery"),
        (("trigger: awareness", "trigger: after:nothing"), 13, "names no clock defined above"),
        (("    duration: {business_days: 2, calendar: SE}\n", ""), 6, "duration: this field is"),
        (("calendar: SE", "calendar: XX"), 14, "is not a holiday calendar"),
        (("calendar: SE}", "calendar: SE, hours: 3}"), 14, "give exactly one of hours"),
        (("[NORDIC]", "[NORDIC, XX]"), 12, "'XX' is neither an ISO 3166 country code"),
        (("NORDIC: [DK", "DE: [DK"), 3, "no country or US state code"),
        (("https://example.org/act", "example.org"), 11, "is not a URL"),
        (("    trigger: awareness\n", "    trigger: awareness\n    timezone: Mars/X\n"), 14,
         "is not a time zone"),
        (("    trigger: awareness\n", "    trigger: awareness\n    colour: red\n"), 14,
         "unknown field"),
        (("key: nordic-notice", "key: Nordic_Notice"), 6, "lower-case words joined by hyphens"),
        (("reviewed_at: 2026-12-01", "reviewed_at: soon"), 1, "valid date"),
        (("max_age_days: 90\n", ""), 1, "max_age_days: this field is required"),
        (("applies_when: {", "applies_when: {sectors: [mining], "), 12, "use one of 'health'"),
    ],
)  # fmt: skip
def test_a_bad_file_names_file_line_and_fix(
    tmp_path: Path, change: tuple[str, str], line: int, words: str
) -> None:
    assert change[0] in GOOD
    path = _write(tmp_path, GOOD.replace(change[0], change[1], 1))
    with pytest.raises(ClockFileError) as caught:
        rules.load_clocks(path)
    assert f"{path}:{line}: " in caught.value.message
    assert words in caught.value.message
    assert isinstance(caught.value, Invalid)


def test_file_level_problems(tmp_path: Path) -> None:
    twice = GOOD + GOOD[GOOD.index("  - key") :]
    with pytest.raises(
        ClockFileError, match=r"ours.yaml:15: nordic-notice appears twice \(first on line 6\)"
    ):
        data.load(_write(tmp_path, twice))
    with pytest.raises(ClockFileError, match=r"ours.yaml:2: not valid YAML"):
        data.load(_write(tmp_path, "reviewed_at: 2026-12-01\nclocks: x: y\n"))
    with pytest.raises(ClockFileError, match="is a mapping with reviewed_at and clocks"):
        data.load(_write(tmp_path, "- a\n- b\n"))
    with pytest.raises(Invalid, match="no such file"):
        data.load(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("today", "stale"),
    [
        (date(2026, 12, 1), False),
        (date(2027, 3, 1), False),  # 90 days
        (date(2027, 3, 2), True),  # 91 days
    ],
)
def test_stale_warning(tmp_path: Path, today: date, stale: bool) -> None:
    table = rules.load_clocks(_write(tmp_path, GOOD))
    warning = rules.stale_warning(today, table=table)
    assert (warning is not None) is stale
    if warning:
        assert "last reviewed on 2026-12-01, 91 days ago (more than 90)" in warning
        assert "ours.yaml" in warning


def test_the_shipped_file_goes_stale_after_its_max_age() -> None:
    table = rules.load_clocks()
    reviewed = table.reviewed_at
    assert rules.stale_warning(reviewed) is None
    assert rules.stale_warning(date.fromordinal(reviewed.toordinal() + table.max_age_days)) is None
    late = date.fromordinal(reviewed.toordinal() + table.max_age_days + 1)
    assert "clocks.yaml" in (rules.stale_warning(late) or "")
