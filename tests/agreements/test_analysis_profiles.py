"""The requirement catalogue as data: profiles per jurisdiction and kind, and a broken file's
errors naming the file and the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from crownjewels.agreements.analysis.analyser import analyse
from crownjewels.agreements.analysis.errors import UnknownProfile
from crownjewels.agreements.analysis.requirements import (
    DATA_FILE,
    KINDS,
    CatalogueError,
    catalogue,
    load,
    parse,
    profile_for,
)


@pytest.mark.parametrize(
    ("kind", "jurisdiction", "key", "expected"),
    [
        ("nda", None, "dtsa_notice", None),
        ("nda", "US", "dtsa_notice", None),
        ("employee-confidentiality", "US", "dtsa_notice", "required"),
        ("contractor-confidentiality", "US", "dtsa_notice", "required"),
        ("employee-confidentiality", "US-CA", "dtsa_notice", "required"),
        ("employee-confidentiality", "EU", "dtsa_notice", None),
        ("employee-confidentiality", "CN", "dtsa_notice", None),
        ("nda", None, "non_compete", "flag"),
        ("nda", "CN", "non_compete", "flag"),
        ("nda", None, "return_destruction", "required"),
        ("nda", None, "liquidated_damages", "optional"),
        # China enforces agreed liquidated damages (Civil Code Art. 585): required, not
        # recommended; never from an employee for confidentiality (Labour Contract Law Art. 25)
        ("nda", "CN", "liquidated_damages", "required"),
        ("employee-confidentiality", "CN", "liquidated_damages", "optional"),
        # an NDA with a vendor requires breach notification (was recommended)
        ("nda", None, "breach_notification", "required"),
        ("contractor-confidentiality", None, "breach_notification", "required"),
        ("employee-confidentiality", None, "breach_notification", "recommended"),
        ("nda", None, "security_measures", "required"),
        ("nda", None, "encryption", "recommended"),
        ("nda", None, "residuals", "flag"),
        ("nda", None, "licence_scope", "required"),
        ("msa", None, "termination_for_breach", "required"),
        ("nda", "PL", "liquidated_damages", "recommended"),
        ("nda", "PL", "flow_down", "required"),
        ("nda", "IN", "injunctive_relief", "required"),
        ("nda", "JP", "security_measures", "required"),
        ("nda", "UK", "flow_down", "required"),
        ("nda", "CN", "ci_unmarked", "required"),
        ("nda", None, "flow_down", "recommended"),
        ("nda", "EU", "flow_down", "required"),
        ("nda", "DE", "flow_down", "required"),
        ("dpa", None, "data_protection", "required"),
        ("dpa", None, "audit_right", "required"),
        ("msa", None, "breach_notification", "required"),
        ("sow", None, "ip_ownership", "required"),
        ("nda", None, "ip_ownership", "optional"),
        ("employee-confidentiality", None, "non_solicitation", "recommended"),
    ],
)
def test_profile_strictness(kind: str, jurisdiction: str | None, key: str, expected: str) -> None:
    profile = profile_for(kind, jurisdiction)
    assert profile.strictness.get(key) == expected


def test_every_kind_has_a_profile_over_known_requirements() -> None:
    known = set(catalogue().requirements)
    for kind in KINDS:
        for jurisdiction in (None, *sorted(catalogue().jurisdictions), "FR", "ZA", "US-TX"):
            profile = profile_for(kind, jurisdiction)
            assert set(profile.strictness) <= known
            assert profile.strictness["ci_definition"] == "required"


def test_member_state_uses_the_eu_profile_and_names_sources() -> None:
    profile = profile_for("nda", "de")
    assert profile.name == "nda/EU"
    assert any("2016/943" in s for s in profile.sources)
    assert any("§1833(b)" in s for s in profile_for("nda", "US").sources)
    assert any("Art. 9" in s for s in profile_for("nda", "CN").sources)


def test_eu_requires_data_protection_only_where_personal_data_is_shared() -> None:
    profile = profile_for("nda", "EU")
    assert profile.for_text("Trade secrets about a pump.")["data_protection"] == "optional"
    assert profile.for_text("The vendor processes personal data.")["data_protection"] == "required"
    result = analyse("The vendor will receive personal data of our staff.", jurisdiction="FR")
    finding = result.finding("data_protection")
    assert finding.strictness == "required"


def test_unknown_kind_and_jurisdiction_say_what_is_known() -> None:
    with pytest.raises(UnknownProfile, match="use one of nda, msa"):
        profile_for("lease", None)
    with pytest.raises(UnknownProfile, match=r"'XX' is not an ISO 3166 country.*CN, EU"):
        profile_for("nda", "XX")


def test_california_non_compete_is_contradicted() -> None:
    text = "For two years the Employee shall not engage in any competing business."
    assert analyse(text, kind="employee-confidentiality").finding("non_compete").status == (
        "satisfied"
    )
    finding = analyse(text, kind="employee-confidentiality", jurisdiction="US-CA").finding(
        "non_compete"
    )
    assert finding.status == "contradicted"
    assert "16600" in finding.explanation


def test_china_expects_a_prc_forum_and_compensated_non_compete() -> None:
    foreign = "The parties submit to the exclusive jurisdiction of the courts of New York."
    local = "The parties submit to the exclusive jurisdiction of the courts of Shanghai, China."
    assert analyse(foreign, jurisdiction="CN").finding("forum").status == "contradicted"
    assert "PRC" in analyse(foreign, jurisdiction="CN").finding("forum").explanation
    assert analyse(local, jurisdiction="CN").finding("forum").status == "satisfied"
    assert analyse(foreign, jurisdiction="US").finding("forum").status == "satisfied"
    bare = "For two years the Employee shall not engage in any competing business."
    paid = bare + " The Company shall pay monthly compensation during the restricted period."
    kind = "employee-confidentiality"
    assert analyse(bare, kind=kind, jurisdiction="CN").finding("non_compete").status == (
        "contradicted"
    )
    joined = analyse(paid.replace(". The", ", and the"), kind=kind, jurisdiction="CN")
    assert joined.finding("non_compete").status == "satisfied"


def test_shipped_catalogue_loads() -> None:
    cat = load(DATA_FILE)
    assert len(cat.requirements) >= 30
    assert {"US", "US-CA", "EU", "CN"} <= set(cat.jurisdictions)


def _broken(tmp_path: Path, old: str, new: str) -> str:
    text = DATA_FILE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "requirements.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load(path)
    return str(caught.value)


def test_errors_name_the_file_and_line(tmp_path: Path) -> None:
    text = DATA_FILE.read_text(encoding="utf-8")
    line = text[: text.index("    no_licence: required")].count("\n") + 1
    message = _broken(tmp_path, "    no_licence: required", "    no_licence: mandatory")
    assert f"requirements.yaml:{line}:" in message
    assert "strictness 'mandatory' is not one of required" in message
    message = _broken(tmp_path, "    ci_definition: required", "    ci_defn: required")
    assert "unknown requirement 'ci_defn'" in message
    message = _broken(tmp_path, "['reverse[\\s-]+engineer', 4]", "['reverse[engineer', 4]")
    assert "invalid regular expression" in message
    assert "requirements.yaml:" in message


def test_invalid_yaml_names_the_line() -> None:
    with pytest.raises(CatalogueError, match=r"x\.yaml:3: not valid YAML"):
        parse("version: 1\nrequirements: x\n  key: y\n", "x.yaml")
