"""The letters of a case: each template drafted from a realistic context cites its law and
states the case's facts, converts to a DOCX and a PDF that read back, fails naming a field the
context lacks, and prints a value as itself (never as a template or as markup)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import docx
import pypdf
import pytest
from docx.enum.text import WD_COLOR_INDEX
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import DictLoader

from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.text import docx_text
from crownjewels.incidents.letters import render as render_module
from crownjewels.incidents.letters.errors import LetterFieldMissing, WrongRegime
from crownjewels.incidents.letters.markup import escape, parse, plain
from crownjewels.incidents.letters.render import TEMPLATES, Letter, render, templates_for
from crownjewels.incidents.letters.rules import trade_secret_law
from crownjewels.incidents.letters.schemas import (
    Agreement,
    Author,
    Case,
    Clause,
    Clock,
    Disclosure,
    LegalStep,
    LetterContext,
    Measure,
    Organisation,
    Person,
    PersonalData,
    Recipient,
    Regime,
    RegimeFacts,
    Secret,
)

COPY = "01JD3X8Q5M2K7R9T4V6W8Y0Z1A"
SUMMARY = (
    "A registered copy of the gripper firmware specification issued to Meridian Tooling was "
    "found on a public file share on 12 November."
)


def _agreement(**changes: Any) -> Agreement:
    fields: dict[str, Any] = {
        "ref": "AG-2026-005",
        "title": "Mutual Non-Disclosure Agreement",
        "kind": "Mutual NDA",
        "counterparty": "Meridian Tooling GmbH",
        "signed_on": date(2026, 2, 3),
        "governing_law": "Germany",
        "governing_law_code": "DE",
        "clauses": (
            Clause(number="4.1", heading="Confidentiality", topic="confidentiality",
                   text="The Recipient shall keep the Confidential Information strictly "
                   "confidential and shall not disclose it to any third party."),
            Clause(number="4.2", heading="Use", topic="non-use",
                   text="The Recipient shall use the Confidential Information solely for the "
                   "Purpose."),
            Clause(number="7.3", heading="Security", topic="security",
                   text="The Recipient shall protect the Confidential Information with "
                   "appropriate technical and organisational measures."),
            Clause(number="7.5", heading="Incidents", topic="breach-notification",
                   text="The Recipient shall notify the Discloser of any unauthorised "
                   "disclosure within 48 hours."),
            Clause(number="9", heading="Return or destruction", topic="return-or-destroy",
                   text="On request, the Recipient shall return or destroy all Confidential "
                   "Information and certify that it has done so."),
            Clause(number="10", heading="Audit", topic="audit",
                   text="The Discloser may audit the Recipient's compliance on ten days' notice."),
            Clause(number="12.2", heading="Remedy period", topic="cure",
                   text="A party in breach may remedy the breach within 30 days of notice."),
            Clause(number="12.3", heading="Termination for breach", topic="termination",
                   text="Either party may terminate this Agreement if a breach is not remedied."),
            Clause(number="15", heading="Notices", topic="notice",
                   text="Notices shall be given in writing to the addresses above."),
        ),
    }  # fmt: skip
    return Agreement(**(fields | changes))


def context(**changes: Any) -> LetterContext:
    """IN-0004: Meridian Tooling leaked a watermarked copy of Acme's gripper firmware."""
    fields: dict[str, Any] = {
        "organisation": Organisation(
            name="Acme Robotics GmbH",
            address_lines=("Torstraße 12", "10119 Berlin"),
            country="Germany",
            country_code="DE",
            contact_name="Dana Whitfield",
            contact_email="legal@acme-robotics.example",
            timezone="Europe/Berlin",
        ),
        "case": Case(
            ref="IN-0004",
            title="Gripper firmware leaked by a vendor",
            kind="Disclosure in breach of an agreement",
            severity="High",
            summary=SUMMARY,
            occurred_at=datetime(2026, 11, 10, 8, 0, tzinfo=UTC),
            discovered_at=datetime(2026, 11, 12, 13, 30, tzinfo=UTC),
            contained_at=datetime(2026, 11, 13, 9, 0, tzinfo=UTC),
        ),
        "recipient": Recipient(
            name="Jonas Berg",
            organisation="Meridian Tooling GmbH",
            address_lines=("Hafenweg 3", "20457 Hamburg", "Germany"),
            email="jonas.berg@meridian.example",
        ),
        "agreements": (_agreement(),),
        "disclosures": (
            Disclosure(
                copy_ref=COPY,
                secret_ref="TS-0014",
                secret_name="Gripper firmware specification",
                document="Firmware spec v3.pdf",
                recipient="Jonas Berg (Meridian Tooling GmbH)",
                issued_at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
                watermark=COPY,
            ),
        ),
        "secrets": (
            Secret(ref="TS-0014", name="Gripper firmware specification", category="Source code"),
        ),
        "people": (
            Person(name="Jonas Berg", organisation="Meridian Tooling GmbH", role="Recipient"),
        ),
        "clocks": (
            Clock(
                name="GDPR breach notification",
                due="15 November 2026, 14:30 CET",
                recipient="the Berlin data protection authority",
                citation="Art. 33(1) GDPR",
                regime="gdpr",
            ),
            Clock(
                name="NIS2 early warning",
                due="13 November 2026, 14:30 CET",
                recipient="BSI",
                citation="Art. 23(4)(a) NIS2",
                regime="nis2",
            ),
        ),
        "personal_data": PersonalData(
            subjects=("customers' engineers",),
            subject_count=1204,
            data=("names", "email addresses"),
        ),
        "legal_steps": (
            LegalStep(kind="Counsel engaged", taken_at=datetime(2026, 11, 13, 10, 0, tzinfo=UTC)),
        ),
        "measures": (
            Measure(
                description="Suspended every access grant of Meridian Tooling GmbH",
                taken_at=datetime(2026, 11, 12, 15, 0, tzinfo=UTC),
            ),
        ),
        "author": Author(name="Dana Whitfield", title="General Counsel", email="dana@acme.example"),
        "today": date(2026, 11, 14),
    }
    return LetterContext(**(fields | changes))


def flat(text: str) -> str:
    """Text with every run of white space as one space (PDF lines wrap anywhere)."""
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages))


@pytest.fixture(scope="module")
def letters() -> dict[str, Letter]:
    """Every template drafted once from the same case."""
    ctx = context()
    return {key: render(key, ctx) for key in TEMPLATES}


# what each letter must cite, beyond the case's ref and facts
CITES = {
    "cease-and-desist": [
        "Mutual Non-Disclosure Agreement (AG-2026-005)",
        "Clause 4.1 (Confidentiality) of AG-2026-005",
        "breach of clauses 4.1 and 4.2 of AG-2026-005",
        "in accordance with clause 9 of AG-2026-005",
        "Directive (EU) 2016/943",
        "Gesetz zum Schutz von Geschäftsgeheimnissen",
        "by 21 November 2026 at the latest",
        "suspend any routine deletion",
        "without prejudice",
        "expressly reserved",
    ],
    "vendor-breach": [
        "Notice of breach of the Mutual Non-Disclosure Agreement (AG-2026-005)",
        "in accordance with clause 15 of the Agreement",
        "breach of clauses 4.1, 4.2, 7.3 and 7.5 of the Agreement",
        "Under clause 7.5 of the Agreement you were required to notify",
        "Under clause 12.2 of the Agreement you must remedy the breach",
        "as clause 9 of the Agreement requires",
        "that clause 10 of the Agreement provides for",
        "terminate the Agreement under clause 12.3",
        "without prejudice",
    ],
    "regulator-gdpr": [
        "Article 33(3)(a)", "Article 33(3)(b)", "Article 33(3)(c)", "Article 33(3)(d)",
        "Article 33(4)", "Approximate number of data subjects: 1,204",
        "Notification due: 15 November 2026, 14:30 CET (Art. 33(1) GDPR)",
        "| NIS2 early warning | BSI |",
    ],
    "regulator-nis2": [
        "Directive (EU) 2022/2555", "Article 23(4)(a)", "Article 23(4)(b)", "Article 23(4)(d)",
        "| NIS2 early warning | 13 November 2026, 14:30 CET |", "Indicators of compromise",
    ],
    "regulator-sec": [
        "Item 1.05", "Nature, scope and timing", "financial condition and results of operations",
        "four business days", "Form 8-K/A", "Exact name of registrant",
    ],
    "regulator-hipaa": [
        "45 CFR § 164.408", "§ 164.404(c)", "1,204 individuals, 500 or more",
        "§ 164.408(b)", "Date of discovery: 12 November 2026",
    ],
    "regulator-us-state": ["Notice of a data security breach", "Personal information involved"],
    "regulator-cert-in": [
        "section 70B(6) of the Information Technology Act, 2000", "within six hours",
        "Type of incident (Annexure I)", "Date and time the incident was noticed",
    ],
    "regulator-generic": ["Notification of an incident", "Categories of confidential business"],
    "affected-people": [
        "Notice of Data Breach", "### What happened", "### What information was involved",
        "### What we are doing", "### What you can do", "### For more information",
        "- email addresses", "Dana Whitfield at legal@acme-robotics.example",
    ],
    "internal-briefing": [
        "Privileged and confidential",
        "| GDPR breach notification | 15 November 2026, 14:30 CET |",
        f"| 1 March 2026, 11:00 CET | {COPY} | TS-0014 Gripper firmware specification |",
        "Jonas Berg (Meridian Tooling GmbH): Recipient",
    ],
}  # fmt: skip


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_each_letter_cites_its_law_and_states_the_facts(
    letters: dict[str, Letter], key: str
) -> None:
    letter = letters[key]
    assert letter.key == key and letter.title == f"{TEMPLATES[key].title}, IN-0004"
    assert letter.filename == f"IN-0004-{key}"
    assert "IN-0004" in letter.text and SUMMARY in letter.text
    # times in the organisation's zone: 13:30 UTC is 14:30 in Berlin
    assert "12 November 2026" in letter.text and "13:30" not in letter.text
    for cite in CITES[key]:
        assert cite in letter.text, cite
    assert "[to complete:" in letter.text or key == "internal-briefing"


@pytest.mark.parametrize("key", ["cease-and-desist", "vendor-breach", "internal-briefing"])
def test_the_letters_to_a_recipient_list_the_disclosures_in_the_ledger(
    letters: dict[str, Letter], key: str
) -> None:
    tables = [b for b in parse(letters[key].text) if b.kind == "table"]
    rows = [tuple(plain(c) for c in row) for t in tables for row in t.rows]
    assert ("Issued", "Copy", "Trade secret", "Document", "Recipient", "Watermark") in rows
    assert (
        "1 March 2026, 11:00 CET", COPY, "TS-0014 Gripper firmware specification",
        "Firmware spec v3.pdf", "Jonas Berg (Meridian Tooling GmbH)", COPY,
    ) in rows  # fmt: skip


def test_the_cease_and_desist_letter_cites_the_dtsa_under_us_law() -> None:
    us = _agreement(governing_law="the State of California", governing_law_code="US",
                    governing_law_subdivision="US-CA")  # fmt: skip
    org = context().organisation.model_copy(
        update={"timezone": "America/Los_Angeles", "country_code": "US"}
    )
    text = render("cease-and-desist", context(agreements=(us,), organisation=org)).text
    assert (
        "misappropriation of the Trade Secrets under the Defend Trade Secrets Act of 2016, "
        "18 U.S.C. § 1836 et seq. and the California Uniform Trade Secrets Act, Cal. Civ. Code "
        "§ 3426 et seq. Those laws entitle the Company to an injunction"
    ) in text
    assert "ex parte civil seizure order under 18 U.S.C. § 1836(b)(2)" in text
    assert "2016/943" not in text
    assert "by certified mail, return receipt requested" in text and "\nSincerely," in text


def test_the_cease_and_desist_letter_asks_counsel_for_the_law_and_clauses_it_lacks() -> None:
    bare = _agreement(governing_law=None, governing_law_code=None, clauses=())
    text = render("cease-and-desist", context(agreements=(bare,), disclosures=(), secrets=())).text
    assert "[to complete: the trade secret law that applies" in text
    assert "[to complete: quote the confidentiality, non-use and return-or-destroy clauses" in text
    assert "[to complete: the clauses breached]" in text
    assert "[to complete: the confidential information disclosed to the recipient" in text
    assert "ex parte" not in text


def test_the_notice_to_people_follows_the_regime() -> None:
    us = render("affected-people", context(regime=RegimeFacts(key=Regime.US_STATE))).text
    assert "www.identitytheft.gov" in us and "Article 77" not in us
    eu = render("affected-people", context(regime=RegimeFacts(key=Regime.GDPR))).text
    assert "Article 77 GDPR" in eu and "identitytheft" not in eu
    hipaa = render("affected-people", context(regime=RegimeFacts(key=Regime.HIPAA))).text
    assert "toll-free telephone number" in hipaa


def test_a_regulator_notice_states_the_regimes_facts() -> None:
    facts = RegimeFacts(key=Regime.US_STATE, jurisdiction="California",
                        law="Cal. Civ. Code § 1798.82(f)", reference="AG-BR-7781")  # fmt: skip
    text = render("regulator-us-state", context(regime=facts)).text
    assert "under Cal. Civ. Code § 1798.82(f), of a security incident" in text
    assert "residents of California" in text and "your reference: AG-BR-7781" in text
    few = context(personal_data=PersonalData(subject_count=40, data=("names",)))
    assert "40 individuals, fewer than 500" in render("regulator-hipaa", few).text
    nis2 = RegimeFacts(key=Regime.NIS2, suspected_malicious=True, cross_border=False)
    text = render("regulator-nis2", context(regime=nis2)).text
    assert "unlawful or malicious acts: Yes" in text and "cross-border impact: No" in text


def test_a_us_organisation_dates_month_first_in_its_own_zone() -> None:
    org = context().organisation.model_copy(
        update={"timezone": "America/New_York", "country_code": "US"}
    )
    text = render("internal-briefing", context(organisation=org)).text
    assert "Discovered: November 12, 2026, 08:30 EST" in text
    assert "Date: November 14, 2026" in text


@pytest.mark.parametrize("key", list(TEMPLATES))
def test_each_letter_reads_back_from_its_docx_and_pdf(letters: dict[str, Letter], key: str) -> None:
    letter = letters[key]
    text = flat(docx_text(letter.to_docx(), "letter.docx"))
    pdf = letter.to_pdf()
    assert pdf.startswith(b"%PDF")
    read = pdf_text(pdf)
    for block in parse(letter.text)[:6]:
        for line in block.lines:
            assert flat(plain(line)) in text and flat(plain(line)) in read, line
    assert flat(SUMMARY) in text and flat(SUMMARY) in read


def test_the_docx_highlights_what_counsel_must_complete(letters: dict[str, Letter]) -> None:
    document = docx.Document(io.BytesIO(letters["cease-and-desist"].to_docx()))
    runs = [r for p in document.paragraphs for r in p.runs]
    todo = [r for r in runs if r.text.startswith("[to complete:")]
    assert todo and all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in todo)
    assert all(r.font.highlight_color is None for r in runs if "Jonas Berg" in r.text)
    assert document.core_properties.title == "Cease-and-desist letter, IN-0004"
    quoted = [p for p in document.paragraphs if p.text.startswith("Clause 9 (Return")]
    assert quoted and quoted[0].style is not None and quoted[0].style.name == "Quote"


def test_a_name_outside_latin_1_is_drawn_and_read_back_from_the_pdf() -> None:
    polish = Recipient(name="Łukasz Wróbel", organisation="Żuraw Sp. z o.o.")
    pdf = render("cease-and-desist", context(recipient=polish)).to_pdf()
    assert "Dear Łukasz Wróbel," in pdf_text(pdf)


def test_a_value_is_printed_as_itself_never_as_a_template_or_markup() -> None:
    sly = "{{ 7*7 }} {% if true %}yes{% endif %}\n# Heading\n| a | b |\n- item\n> quote \\ end"
    case = context().case.model_copy(update={"summary": sly})
    letter = render("internal-briefing", context(case=case))
    assert "{{ 7*7 }} {% if true %}yes{% endif %}" in letter.text and "49" not in letter.text
    blocks = parse(letter.text)
    assert not [b for b in blocks if b.kind == "heading" and "Heading" in b.lines[0]]
    lines = [plain(line) for b in blocks if b.kind == "paragraph" for line in b.lines]
    assert lines[lines.index("{{ 7*7 }} {% if true %}yes{% endif %}") :][:5] == [
        "{{ 7*7 }} {% if true %}yes{% endif %}", "# Heading", "| a | b |", "- item",
        "> quote \\ end",
    ]  # fmt: skip
    assert "{{ 7*7 }}" in docx_text(letter.to_docx(), "x.docx")
    assert "{{ 7*7 }}" in pdf_text(letter.to_pdf())


@settings(max_examples=60)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_escaped_text_parses_back_as_plain_paragraphs(value: str) -> None:
    blocks = parse(escape(value))
    assert {b.kind for b in blocks} <= {"paragraph"}
    expected = [line.strip() for line in value.splitlines() if line.strip()]
    assert [plain(line) for b in blocks for line in b.lines] == expected


def test_a_letter_without_a_part_it_needs_names_it() -> None:
    with pytest.raises(LetterFieldMissing) as missing:
        render("cease-and-desist", context(recipient=None))
    assert isinstance(missing.value, Invalid) and missing.value.field == "recipient"
    assert "needs a recipient" in missing.value.message
    with pytest.raises(LetterFieldMissing) as missing:
        render("vendor-breach", context(agreements=()))
    assert missing.value.field == "agreements"


@pytest.mark.parametrize(
    ("source", "field"),
    [
        ("{{ case.ref }}: {{ case.budget }}", "case.budget"),
        ("{{ recipient.email }}", "recipient.email"),
        ("{% for a in agreements %}{{ a.clauses[0].owner }}{% endfor %}",
         "agreements[0].clauses[0].owner"),
        ("{{ regime.law }}", "regime"),
        ("{{ budget }}", "budget"),
    ],
)  # fmt: skip
def test_a_template_that_asks_for_what_the_context_lacks_fails_naming_it(
    monkeypatch: pytest.MonkeyPatch, source: str, field: str
) -> None:
    env = render_module.make_environment(DictLoader({"internal-briefing.md.j2": source}))
    monkeypatch.setattr(render_module, "environment", lambda: env)
    quiet = context(recipient=Recipient(name="Jonas Berg"))
    with pytest.raises(LetterFieldMissing) as missing:
        render("internal-briefing", quiet)
    assert missing.value.field == field and field in missing.value.message


def test_an_optional_field_left_out_is_false_in_a_test(monkeypatch: pytest.MonkeyPatch) -> None:
    source = "{{ recipient.email or 'no email' }}{% if regime %}!{% endif %}"
    env = render_module.make_environment(DictLoader({"internal-briefing.md.j2": source}))
    monkeypatch.setattr(render_module, "environment", lambda: env)
    assert render("internal-briefing", context(recipient=Recipient(name="J"))).text == "no email\n"


def test_an_unknown_letter_or_another_regimes_facts_are_refused() -> None:
    with pytest.raises(NotFound, match="There is no letter 'apology'; choose one of"):
        render("apology", context())
    with pytest.raises(WrongRegime, match="follows gdpr, but the context gives the facts of nis2"):
        render("regulator-gdpr", context(regime=RegimeFacts(key=Regime.NIS2)))


@pytest.mark.parametrize(
    ("kind", "regimes", "expected"),
    [
        ("theft", [Regime.GDPR], ["cease-and-desist", "regulator-gdpr", "affected-people",
                                  "internal-briefing"]),
        ("vendor-breach", [Regime.NIS2, Regime.SEC], ["vendor-breach", "regulator-nis2",
                                                      "regulator-sec", "internal-briefing"]),
        ("device", [], ["internal-briefing"]),
        ("personal-data", [Regime.CERT_IN], ["regulator-cert-in", "affected-people",
                                             "internal-briefing"]),
    ],
)  # fmt: skip
def test_templates_for_a_case(kind: str, regimes: list[Regime], expected: list[str]) -> None:
    assert [t.key for t in templates_for(kind, regimes)] == expected


@pytest.mark.parametrize(
    ("country", "subdivision", "cites", "us", "eu"),
    [
        ("US", "US-CA", ["18 U.S.C. § 1836", "Cal. Civ. Code § 3426"], True, False),
        ("US", "US-OH", ["18 U.S.C. § 1836"], True, False),
        ("FR", None, ["2016/943", "L. 151-1"], False, True),
        ("LU", None, ["2016/943", "the law of Luxembourg that implements it"], False, True),
        ("GB", None, ["SI 2018/597"], False, False),
        ("IN", None, [], False, False),
        (None, None, [], False, False),
    ],
)
def test_trade_secret_law_follows_the_governing_law(
    country: str | None, subdivision: str | None, cites: list[str], us: bool, eu: bool
) -> None:
    law = trade_secret_law(country, subdivision)
    text = " ".join(law.statutes)
    assert all(c in text for c in cites) and (law.us, law.eu) == (us, eu)
    assert bool(law.statutes) == bool(cites) == bool(law.remedies)


def test_a_context_refuses_an_unknown_time_zone() -> None:
    with pytest.raises(ValueError, match="is not a time zone; use an IANA name"):
        context().organisation.model_validate(
            context().organisation.model_dump() | {"timezone": "Mars/Olympus"}
        )
