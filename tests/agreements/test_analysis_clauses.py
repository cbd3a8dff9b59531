"""The analyser on hand-written clauses: for every requirement a satisfying wording, a
contradicting or carve-out wording, and an agreement that does not mention it."""

from __future__ import annotations

import pytest

from crownjewels.agreements.analysis.analyser import analyse
from crownjewels.agreements.analysis.requirements import catalogue

# an agreement that says nothing about any requirement (the absent case for every one)
NEUTRAL = (
    "MUTUAL AGREEMENT\n\nThis Agreement is made on 1 March 2026 between Alpha Ltd and Beta Inc. "
    "The parties wish to discuss a possible business relationship. Each party signs below by "
    "its authorised officer."
)

# requirement -> (satisfying clause, contradicting or carve-out clause); kind and jurisdiction
# follow where the requirement applies only to some profiles
CLAUSES: dict[str, tuple[str, str]] = {
    "ci_definition": (
        '"Confidential Information" means all information disclosed by the Discloser to the '
        "Recipient under this Agreement.",
        "For the avoidance of doubt, no information shall be deemed confidential under this "
        "Agreement.",
    ),
    "ci_oral_visual": (
        "Confidential Information includes information disclosed in writing, orally or visually.",
        "Information disclosed orally shall not be considered Confidential Information.",
    ),
    "ci_unmarked": (
        "Confidential Information means all information disclosed, whether or not marked as "
        "confidential.",
        "Information is Confidential Information only if it is clearly marked as "
        '"Confidential" at the time of disclosure.',
    ),
    "ci_business_info": (
        "Confidential Information includes business plans, financial information, customer "
        "lists and pricing.",
        "Confidential Information is limited to technical information relating to the Product.",
    ),
    "limited_use": (
        "The Recipient shall use the Confidential Information solely for the purpose of "
        "evaluating the Transaction.",
        "The Recipient may use the Confidential Information for any purpose.",
    ),
    "no_reverse_engineering": (
        "The Recipient shall not reverse engineer, decompile or disassemble any prototype or "
        "software provided.",
        "The Recipient is free to analyse the prototypes and may reverse engineer any sample "
        "provided.",
    ),
    "non_disclosure": (
        "The Recipient shall hold the Confidential Information in strict confidence and shall "
        "not disclose it to any third party.",
        "The Recipient shall have no obligation of confidentiality with respect to the "
        "information exchanged.",
    ),
    "recipients_employees": (
        "The Recipient may disclose Confidential Information to its employees who need to know "
        "it for the Purpose.",
        "The Recipient shall not disclose the Confidential Information even to its own employees.",
    ),
    "recipients_third_parties": (
        "The Recipient may disclose Confidential Information to its legal advisors and "
        "consultants who need to know it.",
        "The Recipient shall not disclose Confidential Information to any third party.",
    ),
    "recipients_bound": (
        "The Recipient shall ensure that each person to whom it discloses Confidential "
        "Information is bound by obligations of confidentiality no less stringent than these.",
        "The Recipient shall not be required to bind its advisers to any confidentiality "
        "obligations.",
    ),
    "agreement_confidential": (
        "Neither party shall disclose the existence of this Agreement or the fact that "
        "discussions are taking place.",
        "Either party may publicly disclose the existence of this Agreement.",
    ),
    "copies_permitted": (
        "The Recipient shall not make copies of Confidential Information except as strictly "
        "necessary for the Purpose.",
        "The Recipient shall not copy or reproduce any Confidential Information.",
    ),
    "duration_survival": (
        "The obligations of confidentiality shall survive termination of this Agreement for a "
        "period of five (5) years.",
        "All obligations under this Agreement shall cease upon termination of this Agreement.",
    ),
    "trade_secret_duration": (
        "With respect to trade secrets, the obligations shall continue for as long as the "
        "information remains a trade secret under applicable law.",
        "The obligations regarding trade secrets shall expire two years after disclosure.",
    ),
    "return_destruction": (
        "Upon termination, the Recipient shall promptly return or destroy all Confidential "
        "Information and all copies.",
        "The Recipient shall not be required to return or destroy any Confidential Information.",
    ),
    "return_on_termination": (
        "Upon termination of this Agreement, the Recipient shall return or destroy all "
        "Confidential Information.",
        "Upon termination of this Agreement, the Recipient shall not be required to return or "
        "destroy any Confidential Information.",
    ),
    "retention_permitted": (
        "Notwithstanding the foregoing, the Recipient may retain one archival copy of the "
        "Confidential Information for legal compliance purposes.",
        "Upon termination the Recipient shall return all documents and shall not retain any "
        "copies of Confidential Information.",
    ),
    "compelled_disclosure": (
        "If the Recipient is required by law or court order to disclose Confidential "
        "Information, it shall give the Discloser prompt written notice so that it may seek a "
        "protective order.",
        "If the Recipient is required by law to disclose Confidential Information, it may do so "
        "without notice to the Discloser.",
    ),
    "carveout_independent_development": (
        "Confidential Information does not include information that is independently developed "
        "by the Recipient without use of the Confidential Information.",
        "The Recipient shall not develop products similar to those described in the "
        "Confidential Information.",
    ),
    "carveout_third_party": (
        "Confidential Information does not include information rightfully received from a "
        "third party without restriction.",
        "The Recipient shall not acquire similar information from any third party.",
    ),
    "no_licence": (
        "Nothing in this Agreement shall be construed as granting the Recipient any license or "
        "other right to the Confidential Information.",
        "The Discloser hereby grants the Recipient a worldwide license to use the Confidential "
        "Information.",
    ),
    "injunctive_relief": (
        "The Discloser shall be entitled to injunctive relief in the event of any breach of "
        "this Agreement.",
        "The Discloser waives any right to seek injunctive or other equitable relief.",
    ),
    "liquidated_damages": (
        "In the event of a breach, the Recipient shall pay liquidated damages in the amount of "
        "USD 100,000.",
        "In no event shall the Recipient be liable for any damages arising from a breach of "
        "this Agreement.",
    ),
    "governing_law": (
        "This Agreement shall be governed by the laws of the State of Delaware.",
        "",
    ),
    "forum": (
        "The parties submit to the exclusive jurisdiction of the courts of Delaware.",
        "",
    ),
    "ip_ownership": (
        "The Contractor hereby assigns to the Company all right, title and interest in any work "
        "product and inventions.",
        "The Contractor shall own all work product developed under this Agreement.",
    ),
    "flow_down": (
        "The Recipient shall bind any subcontractor to written obligations no less protective "
        "than this Agreement.",
        "The Recipient shall not be responsible for any breach by its subcontractors.",
    ),
    "audit_right": (
        "The Discloser may audit the Recipient's compliance with this Agreement on thirty days' "
        "notice.",
        "The Discloser shall have no right to audit the Recipient.",
    ),
    "breach_notification": (
        "The Recipient shall notify the Discloser of any unauthorised disclosure or loss of "
        "Confidential Information within 48 hours.",
        "The Recipient shall not be required to notify the Discloser of any unauthorised "
        "disclosure of Confidential Information.",
    ),
    "non_solicitation": (
        "For one year the Recipient shall not solicit or hire any employee of the Discloser.",
        "Nothing in this Agreement shall restrict either party from soliciting or hiring any "
        "employee of the other.",
    ),
    "non_compete": (
        "For two years the Employee shall not engage in any competing business.",
        "Nothing in this Agreement shall restrict the Recipient from developing or marketing "
        "competing products.",
    ),
    "data_protection": (
        "Each party shall process personal data in compliance with the GDPR.",
        "The Recipient shall have no obligation with respect to personal data received.",
    ),
    "dtsa_notice": (
        "Notice under the Defend Trade Secrets Act: an individual shall not be held criminally "
        "or civilly liable under any federal or state trade secret law for the disclosure of a "
        "trade secret made in confidence to a government official or to an attorney solely for "
        "the purpose of reporting a suspected violation of law (18 U.S.C. 1833(b)).",
        "The Employee agrees not to report any information about the Company to any government "
        "authority.",
    ),
    "security_measures": (
        "The Recipient shall protect the Confidential Information with appropriate technical "
        "and organisational security measures.",
        "The Recipient shall have no obligation to safeguard the Confidential Information.",
    ),
    "encryption": (
        "The Recipient shall keep Confidential Information encrypted at rest and in transit.",
        "Confidential Information may be stored unencrypted on the Recipient's servers.",
    ),
    "secure_storage": (
        "The Recipient shall store Confidential Information only in secure, access-controlled "
        "systems.",
        "The Recipient may keep Confidential Information on personal devices of its staff.",
    ),
    "access_control": (
        "The Recipient shall restrict access to its systems holding Confidential Information "
        "through unique user accounts and multi-factor authentication.",
        "Shared accounts may be used by the Recipient's project team.",
    ),
    "termination_for_breach": (
        "The Discloser may terminate this Agreement immediately upon any breach by the Recipient.",
        "The Discloser may not terminate this Agreement for any breach by the Recipient.",
    ),
    "licence_scope": (
        "The Discloser hereby grants the Recipient a non-exclusive, non-transferable licence to "
        "use the Software solely for the Purpose for a term of two years.",
        "The Discloser hereby grants the Recipient a licence to use the Software for any purpose.",
    ),
    "residuals": (
        "Each party may use the residuals, meaning ideas and know-how retained in the unaided "
        "memory of its personnel.",
        "The Recipient shall not use any information retained in the unaided memory of its "
        "personnel.",
    ),
}
PROFILE = {"dtsa_notice": ("employee-confidentiality", "US")}
# a requirement that applies only under a condition (a licence granted) is absent from a text
# that does not meet it: its absent case meets the condition and says nothing more
CONDITION = {"licence_scope": " The Discloser hereby grants the Recipient a licence."}


def _run(key: str, text: str) -> tuple[str, str, list[tuple[int, int, str]]]:
    kind, jurisdiction = PROFILE.get(key, ("nda", None))
    finding = analyse(text, kind=kind, jurisdiction=jurisdiction).finding(key)
    return finding.status, finding.explanation, [(e.start, e.end, e.text) for e in finding.evidence]


def test_every_requirement_has_clauses() -> None:
    assert set(CLAUSES) == set(catalogue().requirements)


@pytest.mark.parametrize("key", sorted(CLAUSES))
def test_satisfying_wording(key: str) -> None:
    text = f"{NEUTRAL}\n\n{CLAUSES[key][0]}"
    status, explanation, evidence = _run(key, text)
    assert status == "satisfied", explanation
    assert evidence, "a satisfied finding cites its sentence"
    for start, end, quoted in evidence:
        assert text[start:end] == quoted
    assert any(CLAUSES[key][0][:40] in quoted for _, _, quoted in evidence)
    assert explanation.startswith("Satisfied")


@pytest.mark.parametrize("key", sorted(k for k, v in CLAUSES.items() if v[1]))
def test_contradicting_wording(key: str) -> None:
    text = f"{NEUTRAL}\n\n{CLAUSES[key][1]}"
    status, explanation, evidence = _run(key, text)
    assert status == "contradicted", explanation
    assert evidence and all(text[s:e] == q for s, e, q in evidence)
    assert explanation.startswith("Contradicted")


@pytest.mark.parametrize("key", sorted(CLAUSES))
def test_absent(key: str) -> None:
    status, explanation, evidence = _run(key, NEUTRAL + CONDITION.get(key, ""))
    assert status == "not_mentioned", explanation
    assert evidence == []
    assert "Not mentioned" in explanation


def _finding(text: str, key: str, kind: str = "nda") -> tuple[str, str]:
    finding = analyse(text, kind=kind).finding(key)
    return finding.status, finding.explanation


def test_consent_carve_out_keeps_third_party_disclosure_satisfied() -> None:
    text = (
        "The Recipient shall not disclose Confidential Information to any third party without "
        "the prior written consent of the Discloser."
    )
    status, explanation = _finding(text, "recipients_third_parties")
    assert status == "satisfied", explanation
    assert "carve-out" in explanation


def test_notice_carve_out_where_the_law_forbids_notice() -> None:
    text = (
        "If the Recipient is required by law or court order to disclose Confidential "
        "Information, it shall give prompt written notice to the Discloser, provided that it "
        "shall not be required to give notice where such notice is prohibited by law."
    )
    status, explanation = _finding(text, "compelled_disclosure")
    assert status == "satisfied", explanation
    assert "carve-out" in explanation
    bare = text.split(", provided")[0].replace("it shall give", "it may disclose without") + "."
    assert _finding(bare, "compelled_disclosure")[0] == "contradicted"


def test_retention_carve_out_is_reported_with_return_satisfied() -> None:
    text = (
        "Upon termination the Recipient shall return or destroy all Confidential Information. "
        "Notwithstanding the foregoing, the Recipient may retain one archival copy for legal "
        "compliance purposes."
    )
    assert _finding(text, "return_destruction")[0] == "satisfied"
    status, explanation = _finding(text, "retention_permitted")
    assert status == "satisfied", explanation
    assert "Check the carve-outs" in explanation and "may retain" in explanation


def test_nothing_shall_prevent_independent_development_is_not_a_contradiction() -> None:
    text = (
        "Nothing in this Agreement shall prevent the Recipient from independently developing "
        "information similar to the Confidential Information."
    )
    assert _finding(text, "carveout_independent_development")[0] == "satisfied"


def test_scope_exclusion_is_not_a_negated_obligation() -> None:
    text = (
        "The Recipient shall hold the Confidential Information in strict confidence. The "
        "Recipient shall have no obligation to keep confidential information that is or "
        "becomes publicly known through no fault of the Recipient."
    )
    status, explanation = _finding(text, "non_disclosure")
    assert status == "satisfied", explanation


def test_negated_obligation_contradicts_and_is_quoted() -> None:
    text = "The Recipient shall not be required to return any Confidential Information."
    status, explanation = _finding(text, "return_destruction")
    assert status == "contradicted"
    assert "“shall not be required to return”" in explanation or "not be required" in explanation


def test_breach_notification_without_a_deadline_is_not_met() -> None:
    text = "The Recipient shall notify the Discloser of any unauthorised disclosure."
    finding = analyse(text).finding("breach_notification")
    assert finding.status == "not_mentioned"
    assert finding.evidence and "Not met" in finding.explanation


def test_return_on_request_only_is_not_return_at_termination() -> None:
    text = (
        "Upon the Discloser's written request, the Recipient shall promptly return or destroy "
        "all Confidential Information."
    )
    assert _finding(text, "return_destruction")[0] == "satisfied"
    status, explanation = _finding(text, "return_on_termination")
    assert status == "not_mentioned"
    assert "Not met" in explanation


def test_a_prohibition_with_an_employee_exception_permits_employees() -> None:
    text = (
        "The Recipient shall not disclose the Confidential Information to any third party, "
        "except to its employees who need to know it for the Purpose and who are bound by "
        "written confidentiality obligations."
    )
    status, explanation = _finding(text, "recipients_employees")
    assert status == "satisfied", explanation
    refused = "The Recipient shall not disclose the Confidential Information to its employees."
    assert _finding(refused, "recipients_employees")[0] == "contradicted"


def test_a_breach_notice_waiver_does_not_contradict_the_compelled_disclosure_notice() -> None:
    text = (
        "If the Recipient is required by law or court order to disclose Confidential "
        "Information, it shall give the Discloser prompt written notice so that the Discloser "
        "may seek a protective order. The Recipient shall not be required to notify the "
        "Discloser of any unauthorised access to Confidential Information."
    )
    status, explanation = _finding(text, "compelled_disclosure")
    assert status == "satisfied", explanation
    assert _finding(text, "breach_notification")[0] == "contradicted"
    waived = (
        "If a court orders disclosure of Confidential Information, the Recipient shall not be "
        "required to give any notice to the Discloser."
    )
    assert _finding(waived, "compelled_disclosure")[0] == "contradicted"
