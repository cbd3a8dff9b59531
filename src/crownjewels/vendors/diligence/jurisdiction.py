"""The jurisdiction facts the risk rules need, read from the vendors' jurisdiction profiles
(crownjewels.vendors.jurisdictions, a cited data file)."""

from __future__ import annotations

from crownjewels.vendors import jurisdictions
from crownjewels.vendors.diligence.rules import CountryFacts


def country_facts(code: str) -> CountryFacts:
    """The facts of one processing country; a country without a profile says so."""
    j = jurisdictions.lookup(code)
    if j is None:
        return CountryFacts(code=code, name=code, profiled=False)
    return CountryFacts(
        code=j.code,
        name=j.name,
        ustr_list=j.ustr_special_301.list,
        ustr_year=j.ustr_special_301.year,
        rule_of_law_percentile=j.wgi_rule_of_law.percentile,
        rule_of_law_year=j.wgi_rule_of_law.year,
        gdpr_adequacy=j.gdpr_adequacy.status,
    )
