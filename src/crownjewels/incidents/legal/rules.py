"""Pure rules of a case's letters, no I/O: which letter regime a clock falls under, which clause
topic an analysed requirement is about, a clause's number and heading found in the agreement's
text, a governing law and other codes in words, and times in the organisation's style."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import cache
from zoneinfo import ZoneInfo

import pycountry

from crownjewels.core.codes import country_name
from crownjewels.incidents.letters.schemas import ClauseTopic, Regime

#: the clock regimes (clocks.yaml `regime`) a regulator letter follows by name
_REGIMES: dict[str, Regime] = {
    "GDPR": Regime.GDPR,
    "NIS2": Regime.NIS2,
    "SEC": Regime.SEC,
    "HIPAA": Regime.HIPAA,
    "CERT-In": Regime.CERT_IN,
}
#: clock regimes with no authority to write to (the counterparty is told by its own letter)
_NOT_A_REGULATOR = frozenset({"Contract"})

#: the analyser's requirements (agreements/analysis/data/requirements.yaml) a letter quotes
TOPICS: dict[str, ClauseTopic] = {
    "ci_definition": ClauseTopic.CONFIDENTIALITY,
    "non_disclosure": ClauseTopic.CONFIDENTIALITY,
    "limited_use": ClauseTopic.NON_USE,
    "return_destruction": ClauseTopic.RETURN_OR_DESTROY,
    "return_on_termination": ClauseTopic.RETURN_OR_DESTROY,
    "injunctive_relief": ClauseTopic.REMEDIES,
    "liquidated_damages": ClauseTopic.REMEDIES,
    "breach_notification": ClauseTopic.BREACH_NOTIFICATION,
    "audit_right": ClauseTopic.AUDIT,
    "security_measures": ClauseTopic.SECURITY,
    "termination_for_breach": ClauseTopic.TERMINATION,
    "governing_law": ClauseTopic.GOVERNING_LAW,
}

AGREEMENT_KINDS: dict[str, str] = {
    "nda": "non-disclosure agreement",
    "msa": "master services agreement",
    "dpa": "data processing agreement",
    "sow": "statement of work",
    "employee-confidentiality": "employee confidentiality agreement",
    "contractor-confidentiality": "contractor confidentiality agreement",
}

CATEGORIES: dict[str, str] = {
    "formula": "formula",
    "process": "process",
    "source-code": "source code",
    "design": "design",
    "customer-list": "customer list",
    "pricing-financial": "pricing and financial information",
    "strategic-plan": "strategic plan",
    "know-how": "know-how",
    "other": "business information",
}

#: US states whose official name is a Commonwealth
_COMMONWEALTHS = frozenset({"US-KY", "US-MA", "US-PA", "US-VA"})
#: countries whose English name takes "the"
_THE = frozenset(
    {"AE", "BS", "CF", "DO", "GB", "GM", "KM", "MH", "MV", "NL", "PH", "SB", "SC", "US"}
)
_UK_LAWS = {
    "GB-ENG": "England and Wales",
    "GB-WLS": "England and Wales",
    "GB-SCT": "Scotland",
    "GB-NIR": "Northern Ireland",
}

#: a numbered line: "4.", "4.1", "Section 4", "Clause 4.2 —", "ARTICLE 5", "§ 3"
_NUMBERED = re.compile(
    r"\s*(?:(?:section|clause|article|§)\s*)?(\d{1,3}(?:\.\d{1,3})*)(?:[.):]|\s+[-–—])?\s+(.*)",
    re.IGNORECASE,
)
#: how many lines above a sentence its clause's number is looked for
_LOOK_BACK = 40
#: a heading is a short line that does not read as a sentence
_HEADING_MAX = 80
_HEADING_WORDS = 8
#: words that make a line a clause's sentence rather than its title
_VERB = re.compile(r"\b(?:shall|will|must|may|is|are|means)\b", re.IGNORECASE)
EXCERPT_MAX = 600


def letter_regime(kind: str, regime: str, key: str) -> Regime | None:
    """The letter regime of a clock (its kind, regime and key in clocks.yaml): the regimes a
    regulator letter has its own template for, a US state's law (keys `us-…`), any other
    authority's notice as the generic one; None for limitation periods and contract notices."""
    if kind != "notice" or regime in _NOT_A_REGULATOR:
        return None
    if regime in _REGIMES:
        return _REGIMES[regime]
    if key.startswith("us-"):
        return Regime.US_STATE
    return Regime.GENERIC


def us_state_of(key: str) -> str | None:
    """The US state a clock's key names (`us-ca-attorney-general` → US-CA), if any."""
    found = re.fullmatch(r"us-([a-z]{2})-.+", key)
    return f"US-{found.group(1).upper()}" if found else None


def clause_topic(requirement: str) -> ClauseTopic | None:
    """The topic a letter cites an analysed requirement's clause under (None: not cited)."""
    return TOPICS.get(requirement)


def _numbered(line: str) -> tuple[str, str] | None:
    found = _NUMBERED.fullmatch(line)
    if found is None:
        return None
    return found.group(1), found.group(2).strip()


def _heading(rest: str) -> str | None:
    """The words after a clause's number when they are a heading, not the clause itself."""
    words = rest.strip().rstrip(".:").strip()
    if not words or len(words) > _HEADING_MAX or re.search(r"[.;:]\s", words):
        return None
    if len(words.split()) > _HEADING_WORDS or _VERB.search(words):
        return None
    return words if words[0].isupper() else None


def clause_at(text: str, start: int) -> tuple[str | None, str | None]:
    """The number and heading of the clause holding the sentence at `start` of an agreement's
    text: its own line's number ("4. Upon termination …"), else the nearest numbered line above
    it; the heading where that line is a short title ("7. Remedies"). (None, None) when the
    text numbers no clause there."""
    lines = text[:start].split("\n")
    end = text.find("\n", start)
    lines[-1] += text[start : end if end >= 0 else len(text)]
    for line in reversed(lines[-_LOOK_BACK:]):
        found = _numbered(line)
        if found is not None:
            number, rest = found
            return number, _heading(rest)
    return None, None


def excerpt(sentence: str, number: str | None, heading: str | None = None) -> str:
    """The words a letter quotes: the sentence without its leading clause number and heading,
    in one line, cut at a word near EXCERPT_MAX characters."""
    words = " ".join(sentence.split())
    if number:
        marker = rf"^(?:(?:section|clause|article|§)\s*)?{re.escape(number)}(?:[.):]|\s+[-–—])?\s+"
        words = re.sub(marker, "", words, flags=re.IGNORECASE)
    if heading and words.lower().startswith(heading.lower() + " "):
        words = words[len(heading) :].lstrip(" .:—–-")
    if len(words) <= EXCERPT_MAX:
        return words
    return words[:EXCERPT_MAX].rsplit(" ", 1)[0] + " …"


@cache
def _subdivisions() -> dict[str, tuple[str, str]]:
    """Every ISO 3166-2 subdivision: its name and type (California, State)."""
    return {str(s.code): (str(s.name), str(s.type)) for s in pycountry.subdivisions}


def _country_words(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    name = str(getattr(country, "common_name", None) or country_name(code))
    return f"the {name}" if code in _THE else name


def law_words(country: str | None, subdivision: str | None = None) -> str | None:
    """A governing law in words, as "the laws of …" reads it: "the State of California",
    "the Commonwealth of Massachusetts", "England and Wales", "Germany"."""
    if not country:
        return None
    if subdivision in _UK_LAWS:
        return _UK_LAWS[subdivision]
    found = _subdivisions().get(subdivision or "")
    if country == "US" and found is not None:
        name, kind = found
        if subdivision in _COMMONWEALTHS:
            return f"the Commonwealth of {name}"
        if kind == "State":
            return f"the State of {name}"
        return f"the {name}" if kind == "District" else name
    return _country_words(country)


def state_name(subdivision: str) -> str:
    """A US state's name (US-CA → California)."""
    found = _subdivisions().get(subdivision)
    return found[0] if found is not None else subdivision


def day_words(value: date, month_first: bool) -> str:
    """A date in the organisation's style: 14 November 2026, or November 14, 2026 (US)."""
    return f"{value:%B} {value.day}, {value:%Y}" if month_first else f"{value.day} {value:%B %Y}"


def moment_words(value: datetime, tz: str, month_first: bool) -> str:
    """A time in the organisation's zone with the zone's name: 14 November 2026, 09:30 CET."""
    local = value.astimezone(ZoneInfo(tz))
    return f"{day_words(local.date(), month_first)}, {local:%H:%M} {local:%Z}"


def slug(text: str) -> str:
    """Words as a file name's part: "Jonas Berg (Meridian)" → jonas-berg-meridian."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
