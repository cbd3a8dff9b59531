"""The legal rules of the profiles, one row per rule with the case that was once wrong, and the
detection patterns of the requirements added for vendor NDAs (positive and negative sentences).
Each rule's source is cited in data/requirements.yaml next to the rule."""

from __future__ import annotations

import pytest

from crownjewels.agreements.analysis.analyser import analyse
from crownjewels.agreements.analysis.errors import UnknownProfile
from crownjewels.agreements.analysis.types import Finding

EMPLOYEE = "employee-confidentiality"
CONTRACTOR = "contractor-confidentiality"
NON_COMPETE = "For two years the Recipient shall not engage in any competing business."
NEW_YORK = "This Agreement shall be governed by the laws of the State of New York."
PRC_LAW = "This Agreement shall be governed by the laws of the People's Republic of China."
PERPETUAL = (
    "The obligations of confidentiality shall survive termination of this Agreement in perpetuity."
)
FIVE_YEARS = (
    "The obligations of confidentiality shall survive termination of this "
    "Agreement for five (5) years."
)


def _finding(text: str, key: str, *, kind: str = "nda", jurisdiction: str | None = None) -> Finding:
    return analyse(text, kind=kind, jurisdiction=jurisdiction).finding(key)


@pytest.mark.parametrize(
    ("rule", "text", "kind", "jurisdiction", "key", "status", "strictness", "needle"),
    [
        # Cal. Bus. & Prof. Code §16600 voids employee non-competes (once: every kind)
        (
            "CA employee",
            NON_COMPETE,
            EMPLOYEE,
            "US-CA",
            "non_compete",
            "contradicted",
            "flag",
            "16600",
        ),
        (
            "CA contractor",
            NON_COMPETE,
            CONTRACTOR,
            "US-CA",
            "non_compete",
            "contradicted",
            "flag",
            "16600",
        ),
        # between businesses: rule of reason (Ixchel Pharma v. Biogen, 2020), flagged for review
        ("CA B2B NDA", NON_COMPETE, "nda", "US-CA", "non_compete", "satisfied", "flag", "Ixchel"),
        (
            "CA MSA",
            NON_COMPETE,
            "msa",
            "US-CA",
            "non_compete",
            "satisfied",
            "flag",
            "rule of reason",
        ),
        # China: Labour Contract Law Arts. 23-24 govern employees only (once: every kind)
        (
            "CN employee",
            NON_COMPETE,
            EMPLOYEE,
            "CN",
            "non_compete",
            "contradicted",
            "flag",
            "Arts. 23-24",
        ),
        (
            "CN B2B NDA",
            NON_COMPETE,
            "nda",
            "CN",
            "non_compete",
            "satisfied",
            "flag",
            "between businesses",
        ),
        # China: a foreign governing law is flagged with the restriction (once: not checked)
        ("CN New York law", NEW_YORK, "nda", "CN", "governing_law", "satisfied", "flag", "Art. 41"),
        ("CN PRC law", PRC_LAW, "nda", "CN", "governing_law", "satisfied", "required", ""),
        ("US New York law", NEW_YORK, "nda", "US", "governing_law", "satisfied", "required", ""),
        # EU: a perpetual term is flagged for local counsel (once: satisfied, nothing said)
        (
            "EU perpetual",
            PERPETUAL,
            "nda",
            "EU",
            "duration_survival",
            "satisfied",
            "flag",
            "local counsel",
        ),
        (
            "DE perpetual",
            PERPETUAL,
            "nda",
            "DE",
            "duration_survival",
            "satisfied",
            "flag",
            "BGB §307",
        ),
        (
            "PL perpetual",
            PERPETUAL,
            "nda",
            "PL",
            "duration_survival",
            "satisfied",
            "flag",
            "perpetual",
        ),
        (
            "EU five years",
            FIVE_YEARS,
            "nda",
            "EU",
            "duration_survival",
            "satisfied",
            "required",
            "",
        ),
        ("US perpetual", PERPETUAL, "nda", "US", "duration_survival", "satisfied", "required", ""),
        # India: Contract Act s. 27 voids post-engagement restraints
        (
            "IN employee",
            NON_COMPETE,
            EMPLOYEE,
            "IN",
            "non_compete",
            "contradicted",
            "flag",
            "s. 27",
        ),
        (
            "IN B2B NDA",
            NON_COMPETE,
            "nda",
            "IN",
            "non_compete",
            "satisfied",
            "flag",
            "Gujarat Bottling",
        ),
        # Poland: an employee non-compete needs compensation (Labour Code Art. 101(2) §3)
        ("PL employee", NON_COMPETE, EMPLOYEE, "PL", "non_compete", "satisfied", "flag", "25%"),
        # Japan: METI's 2025 guidelines, employees and business partners apart
        ("JP B2B NDA", NON_COMPETE, "nda", "JP", "non_compete", "satisfied", "flag", "METI"),
        # Vietnam: a foreign court's judgment needs a treaty; arbitration is expected
        (
            "VN foreign court",
            "The parties submit to the exclusive jurisdiction of the courts of New York.",
            "nda",
            "VN",
            "forum",
            "satisfied",
            "flag",
            "Art. 423",
        ),
        (
            "VN arbitration",
            (
                "Any dispute shall be finally settled by arbitration at SIAC in "
                "Singapore under the courts' supervision."
            ),
            "nda",
            "VN",
            "forum",
            "satisfied",
            "required",
            "",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_profile_rules(
    rule: str,
    text: str,
    kind: str,
    jurisdiction: str,
    key: str,
    status: str,
    strictness: str,
    needle: str,
) -> None:
    finding = _finding(text, key, kind=kind, jurisdiction=jurisdiction)
    assert (finding.status, finding.strictness) == (status, strictness), finding.explanation
    if needle:
        assert needle in finding.explanation
    if strictness == "flag" and status == "satisfied":
        assert "Flagged for legal review" in finding.explanation


@pytest.mark.parametrize(
    ("jurisdiction", "profile", "fallback"),
    [
        ("IN", "nda/IN", None),
        ("in", "nda/IN", None),
        ("VN", "nda/VN", None),
        ("PH", "nda/PH", None),
        ("GB", "nda/GB", None),
        ("UK", "nda/GB", None),
        ("JP", "nda/JP", None),
        ("BR", "nda/BR", None),
        ("MX", "nda/MX", None),
        ("PL", "nda/PL", None),
        ("FR", "nda/EU", None),
        # a country without a profile says so and names the fallback (once: an error, and a
        # recorded agreement under such a law was silently analysed with the generic profile)
        ("ZA", "nda/generic", "no requirement profile for jurisdiction ZA (South Africa)"),
        ("US-TX", "nda/US", "analysed under the US profile instead"),
    ],
)
def test_jurisdictions_with_and_without_a_profile(
    jurisdiction: str, profile: str, fallback: str | None
) -> None:
    result = analyse("The Recipient shall keep it confidential.", jurisdiction=jurisdiction)
    assert result.profile == profile
    if fallback is None:
        assert result.fallback is None
    else:
        assert result.fallback is not None and fallback in result.fallback
        assert "generic" in result.fallback or "US profile" in result.fallback
        assert result.to_dict()["fallback"] == result.fallback


def test_a_code_that_is_no_country_is_refused_naming_the_fix() -> None:
    with pytest.raises(UnknownProfile, match=r"'XX' is not an ISO 3166 country.*omit it"):
        analyse("Text.", jurisdiction="XX")


def test_a_licence_scope_applies_only_when_a_licence_is_granted() -> None:
    granted = (
        "The Discloser hereby grants the Recipient a non-exclusive, non-transferable licence to "
        "use the Software solely for the Purpose until the termination of this Agreement."
    )
    vague = (
        "The Discloser hereby grants the Recipient a non-exclusive licence to "
        "use the Software solely for the Purpose."
    )
    none = "No licence is granted under this Agreement."
    # negated grants and other licences grant nothing (the first two from ContractNLI NDAs)
    for nothing in (
        "Nothing in this Agreement shall be construed as granting any license or right to use.",
        "A business day is a day on which licensed banks are open in Singapore.",
        "Nothing herein grants the Recipient any licence.",
        "The Discloser does not grant the Recipient a licence to use the Software.",
    ):
        assert "licence_scope" not in {f.requirement for f in analyse(nothing).findings}
    plain = (
        "Company hereby grants MA, during the term of this Agreement, the right to use its marks."
    )
    assert _finding(plain, "licence_scope").status == "satisfied"
    assert _finding(granted, "licence_scope").status == "satisfied"
    assert _finding(vague, "licence_scope").status == "not_mentioned"  # no term: not met
    assert "Not met" in _finding(vague, "licence_scope").explanation
    assert "licence_scope" not in {f.requirement for f in analyse(none).findings}


@pytest.mark.parametrize(
    ("key", "sentence", "status"),
    [
        # security measures at the recipient
        (
            "security_measures",
            (
                "The Recipient shall protect the Confidential Information with "
                "appropriate technical and organisational security measures."
            ),
            "satisfied",
        ),
        (
            "security_measures",
            (
                "The Recipient shall use at least the same degree of care as it uses "
                "for its own information, and no less than reasonable care."
            ),
            "satisfied",
        ),
        (
            "security_measures",
            "The Recipient shall have no obligation to protect or safeguard the information.",
            "contradicted",
        ),
        (
            "security_measures",
            "The Recipient shall pay the invoices within thirty days.",
            "not_mentioned",
        ),
        (
            "encryption",
            (
                "All Confidential Information shall be encrypted at rest and in transit"
                " using AES-256 and TLS 1.2 or later."
            ),
            "satisfied",
        ),
        ("encryption", "Confidential Information shall be encrypted in transit.", "not_mentioned"),
        ("encryption", "Files may be sent unencrypted by e-mail.", "contradicted"),
        ("encryption", "The parties shall meet at rest stops along the route.", "not_mentioned"),
        (
            "secure_storage",
            (
                "The Recipient shall store Confidential Information only on secure "
                "servers in locked premises."
            ),
            "satisfied",
        ),
        (
            "secure_storage",
            "Documents may be stored on personal devices of the staff.",
            "contradicted",
        ),
        (
            "secure_storage",
            "The Recipient shall store the goods in its warehouse.",
            "not_mentioned",
        ),
        (
            "access_control",
            (
                "The Recipient shall enforce access controls with unique user accounts "
                "and multi-factor authentication."
            ),
            "satisfied",
        ),
        (
            "access_control",
            "The Recipient shall restrict access to systems holding it to named accounts.",
            "satisfied",
        ),
        ("access_control", "Shared accounts may be used by the project team.", "contradicted"),
        (
            "access_control",
            "The Discloser shall have access to the Recipient's records for audit.",
            "not_mentioned",
        ),
        # termination for breach
        (
            "termination_for_breach",
            (
                "The Discloser may terminate this Agreement with immediate effect upon "
                "any breach by the Recipient."
            ),
            "satisfied",
        ),
        (
            "termination_for_breach",
            (
                "If the Recipient is in material breach, the Company may terminate the "
                "Agreement forthwith."
            ),
            "satisfied",
        ),
        (
            "termination_for_breach",
            "The Discloser shall not be entitled to terminate this Agreement for breach.",
            "contradicted",
        ),
        (
            "termination_for_breach",
            "Upon termination, the Recipient shall return all materials.",
            "not_mentioned",
        ),
        (
            "termination_for_breach",
            "The specific damages for a violation of this Section would be difficult of "
            "determination.",  # a ContractNLI NDA: "determination" is no termination
            "not_mentioned",
        ),
        (
            "termination_for_breach",
            (
                "The obligations survive termination; a breach entitles the Discloser "
                "to an injunction."
            ),
            "not_mentioned",
        ),
        # residuals (flagged when present)
        (
            "residuals",
            (
                "Either party may use the residuals, meaning information retained in "
                "the unaided memory of its personnel."
            ),
            "satisfied",
        ),
        (
            "residuals",
            (
                "Nothing prevents the Recipient from using ideas retained in the "
                "unaided memory of its employees."
            ),
            "satisfied",
        ),
        (
            "residuals",
            (
                "The Recipient shall not use any information retained in the unaided "
                "memory of its personnel."
            ),
            "contradicted",
        ),
        (
            "residuals",
            "Residual copies on backup tapes are deleted in the ordinary course.",
            "not_mentioned",
        ),
        ("residuals", "The residual risk is reviewed every year.", "not_mentioned"),
        # breach notification (now required for a vendor NDA)
        (
            "breach_notification",
            (
                "The Recipient shall notify the Discloser within 24 hours of any "
                "unauthorised disclosure or loss."
            ),
            "satisfied",
        ),
    ],
)
def test_detection_of_the_new_requirements(key: str, sentence: str, status: str) -> None:
    assert _finding(sentence, key).status == status


def test_a_residuals_clause_is_flagged_not_passed() -> None:
    finding = _finding(
        (
            "Either party may use the residuals, meaning information retained in "
            "the unaided memory of its personnel."
        ),
        "residuals",
    )
    assert finding.strictness == "flag"
    assert (
        "Flagged for legal review" in finding.explanation
        and "unaided memory" in finding.explanation
    )
