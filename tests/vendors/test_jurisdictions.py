"""The shipped jurisdiction profiles: they load, carry a citation on every value, hold the
reference note's facts; the loader names file and line; staleness and risk notes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crownjewels.core.errors import Invalid
from crownjewels.vendors import jurisdictions as jur
from crownjewels.vendors.jurisdictions import CITED_FIELDS, JurisdictionFileError

GOOD = """\
- code: DE
  name: Germany
  ustr_special_301:
    {year: 2025, list: none, source: USTR 2025, url: "https://ustr.gov/x", retrieved: 2025-05-01}
  wgi_rule_of_law:
    {year: 2023, percentile: 90.1, source: WGI, url: "https://wb.org/", retrieved: 2025-05-01}
  gdpr_adequacy: {status: eu_eea, source: GDPR, url: "https://eur-lex.eu/", retrieved: 2025-05-01}
  data_transfer:
    regime: GDPR
    restricted: true
    mechanisms: [SCCs]
    source: GDPR
    url: "https://eur-lex.eu/"
    retrieved: 2025-05-01
  residency: {rules: null, source: none known, url: "https://eur-lex.eu/", retrieved: 2025-05-01}
  trade_secret_law:
    statute: GeschGehG
    measures_standard: angemessene Geheimhaltungsmaßnahmen
    source: GeschGehG
    url: "https://www.gesetze-im-internet.de/geschgehg/"
    retrieved: 2025-05-01
  reviewed_at: 2025-05-01
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_loads_with_at_least_40_countries() -> None:
    records = jur.load(jur.BUILT_IN)
    assert len(records) >= 40
    assert len({r.code for r in records}) == len(records)
    assert [j.code for j in jur.all_jurisdictions()] == sorted(r.code for r in records)


# the destinations the brief names, and every country named in the reference note §4
REQUIRED = [
    "US",
    "CA",
    "MX",
    "BR",
    "AR",
    "CL",
    "CO",
    "CR",
    "UY",
    "GB",
    "IE",
    "DE",
    "FR",
    "NL",
    "BE",
    "ES",
    "PT",
    "IT",
    "PL",
    "CZ",
    "RO",
    "BG",
    "UA",
    "HU",
    "SE",
    "FI",
    "DK",
    "CH",
    "IL",
    "AE",
    "EG",
    "ZA",
    "KE",
    "NG",
    "IN",
    "PK",
    "BD",
    "LK",
    "CN",
    "HK",
    "TW",
    "JP",
    "KR",
    "SG",
    "MY",
    "TH",
    "VN",
    "PH",
    "ID",
    "AU",
    "NZ",
    "RU",
    "VE",
    "AD",
    "FO",
    "GG",
    "IM",
    "JE",
]


def test_every_required_country_has_a_profile() -> None:
    missing = [code for code in REQUIRED if jur.lookup(code) is None]
    assert missing == []


def test_every_value_carries_a_source_with_url_and_retrieval_date() -> None:
    for j in jur.all_jurisdictions():
        sources = j.sources()
        assert [s.field for s in sources] == list(CITED_FIELDS), j.code
        for s in sources:
            assert s.url.startswith(("https://", "http://")), (j.code, s.field)
            assert s.title.strip(), (j.code, s.field)
            assert date(2020, 1, 1) <= s.retrieved <= j.reviewed_at, (j.code, s.field)


def test_no_licensed_index_carries_a_score() -> None:
    for j in jur.all_jurisdictions():
        for index in j.licensed_indices:
            assert set(index.model_dump()) == {"name", "url"}


@pytest.mark.parametrize("code", ["CN", "IN", "RU", "MX", "AR", "CL", "ID", "VE"])
def test_the_2025_priority_watch_list(code: str) -> None:
    j = jur.lookup(code)
    assert j is not None
    assert (j.ustr_special_301.year, j.ustr_special_301.list) == (2025, "PWL")
    assert any("Priority Watch List" in n for n in jur.risk_notes(j))


def test_exactly_eight_countries_are_on_the_2025_priority_watch_list() -> None:
    on = {j.code for j in jur.all_jurisdictions() if j.ustr_special_301.list == "PWL"}
    assert on == {"CN", "IN", "RU", "MX", "AR", "CL", "ID", "VE"}


@pytest.mark.parametrize(
    ("code", "status"),
    [
        *(
            (code, "adequate")
            for code in [
                "AD",
                "AR",
                "BR",
                "CH",
                "FO",
                "GB",
                "GG",
                "IL",
                "IM",
                "JE",
                "JP",
                "KR",
                "NZ",
                "UY",
            ]
        ),
        ("US", "partial"),
        ("CA", "partial"),
        *((code, "eu_eea") for code in ["DE", "FR", "IE", "NL", "IT", "ES", "PL", "NO"]),
        *(
            (code, "none")
            for code in ["CN", "IN", "RU", "MX", "CL", "ID", "VE", "PH", "VN", "SG", "AU"]
        ),
    ],
)
def test_gdpr_adequacy(code: str, status: str) -> None:
    j = jur.lookup(code)
    assert j is not None
    assert j.gdpr_adequacy.status == status


def test_us_adequacy_is_for_dpf_certified_organisations_only() -> None:
    us = jur.lookup("US")
    assert us is not None
    assert "Data Privacy Framework" in (us.gdpr_adequacy.scope or "")
    assert any("covers only" in n and "Data Privacy Framework" in n for n in jur.risk_notes(us))


def test_the_uk_adequacy_was_renewed_to_2031_and_brazil_is_adequate_since_2026() -> None:
    gb, br = jur.lookup("GB"), jur.lookup("BR")
    assert gb is not None and br is not None
    assert "2031" in (gb.gdpr_adequacy.decision or "")
    assert "2026" in (br.gdpr_adequacy.decision or "")
    assert not any(n.startswith(("no GDPR adequacy", "GDPR adequacy")) for n in jur.risk_notes(gb))


def test_russia_prohibits_foreign_databases_from_july_2025() -> None:
    ru = jur.lookup("RU")
    assert ru is not None
    assert "1 July 2025" in (ru.residency.rules or "")
    assert ru.residency.verified


def test_india_transfers_run_under_the_dpdp_blacklist_model() -> None:
    india = jur.lookup("IN")
    assert india is not None
    assert "Digital Personal Data Protection Act 2023" in india.data_transfer.regime
    assert not india.data_transfer.restricted


def test_china_transfers_run_under_pipl() -> None:
    cn = jur.lookup("CN")
    assert cn is not None
    assert "PIPL" in cn.data_transfer.regime
    assert cn.data_transfer.restricted
    assert "corresponding confidentiality measures" in (cn.trade_secret_law.measures_standard or "")
    notes = jur.risk_notes(cn)
    assert any(n.startswith("no GDPR adequacy decision") and "2021/914" in n for n in notes)
    assert any(n.startswith("data localisation:") for n in notes)


@pytest.mark.parametrize("code", ["CHN", "chn", "cn", " CN ", "DEU", "gbr"])
def test_lookup_accepts_alpha2_and_alpha3_in_any_case(code: str) -> None:
    j = jur.lookup(code)
    assert j is not None
    assert j.code == {"CHN": "CN", "DEU": "DE", "GBR": "GB"}.get(code.strip().upper(), "CN")


@pytest.mark.parametrize("code", ["XX", "", "Narnia", "AQ"])
def test_lookup_of_an_unknown_or_unprofiled_code_is_none(code: str) -> None:
    assert jur.lookup(code) is None


@pytest.mark.parametrize(
    ("on", "stale"),
    [
        (date(2025, 5, 1), False),
        (date(2026, 4, 30), False),
        (date(2026, 5, 1), True),  # 365 days later: the 2026 report is out
        (date(2026, 5, 2), True),
    ],
)
def test_stale_warning(tmp_path: Path, on: date, stale: bool) -> None:
    (j,) = jur.load(_write(tmp_path, GOOD))
    warning = jur.stale_warning(j, on=on)
    assert (warning is not None) is stale
    if warning:
        assert "Germany" in warning and "mark it reviewed" in warning


@pytest.mark.parametrize(
    ("on", "max_age", "stale"),
    [
        (date(2026, 5, 1), 365, False),
        (date(2026, 5, 2), 365, True),
        (date(2025, 6, 1), 30, True),
        (date(2025, 5, 31), 30, False),
    ],
)
def test_is_stale_counts_days_since_review(
    tmp_path: Path, on: date, max_age: int, stale: bool
) -> None:
    (j,) = jur.load(_write(tmp_path, GOOD))
    assert j.is_stale(on=on, max_age_days=max_age) is stale


def test_an_organisation_file_loads_and_the_risk_notes_name_their_sources(tmp_path: Path) -> None:
    (j,) = jur.load(_write(tmp_path, GOOD))
    assert (j.code, j.ustr_special_301.list, j.wgi_rule_of_law.percentile) == ("DE", None, 90.1)
    *_, note = jur.risk_notes(j)
    assert note.startswith("trade-secret law: GeschGehG") and "(GeschGehG)" in note


def test_low_rule_of_law_is_a_risk_note(tmp_path: Path) -> None:
    (j,) = jur.load(_write(tmp_path, GOOD.replace("percentile: 90.1", "percentile: 23")))
    assert (
        "rule-of-law percentile 23 (World Bank WGI 2023): below the world median"
        in jur.risk_notes(j)[0]
    )


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("list: none", "list: GOLD"), 4, "ustr_special_301.list"),
        (("percentile: 90.1", "percentile: 190"), 6, "wgi_rule_of_law.percentile"),
        (("status: eu_eea", "status: maybe"), 7, "gdpr_adequacy.status"),
        (("restricted: true", "restricted: perhaps"), 10, "data_transfer.restricted"),
        (('url: "https://www.gesetze-im-internet.de/geschgehg/"', "url: nowhere"), 20, "not a URL"),
        (("reviewed_at: 2025-05-01", "reviewed_at: last spring"), 22, "reviewed_at"),
        (("code: DE", "code: XY"), 1, "not an ISO 3166 country code"),
        (("year: 2023, ", ""), 5, "needs the WGI `year`"),
        (("reviewed_at: 2025-05-01", "reviewed_at: 2025-04-01"), 1, "is after reviewed_at"),
        (("  residency: {", "  residence: {"), 15, "unknown field"),
        (
            ("    retrieved: 2025-05-01\n  residency", "    date: 2025-05-01\n  residency"),
            14,
            "required",
        ),
    ],
)
def test_a_broken_file_names_file_and_line(
    tmp_path: Path, change: tuple[str, str], line: int, words: str
) -> None:
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(JurisdictionFileError) as caught:
        jur.load(path)
    assert f"{path}:{line}:" in caught.value.message
    assert words in caught.value.message


def test_a_country_twice_is_an_error_on_the_second(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + GOOD)
    with pytest.raises(JurisdictionFileError, match=r"mine\.yaml:23: DE appears twice"):
        jur.load(path)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- code: [unclosed\n", "not valid YAML"),
        ("code: DE\n", "a list of records"),
        ("", "a list of records"),
    ],
)
def test_a_file_that_is_not_a_list_of_records(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(JurisdictionFileError, match=words):
        jur.load(_write(tmp_path, text))


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(Invalid, match="no such file"):
        jur.load(tmp_path / "absent.yaml")
