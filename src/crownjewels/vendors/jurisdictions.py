"""Jurisdiction profiles: one cited, dated record per country (USTR Special 301 status, World Bank
rule-of-law percentile, GDPR adequacy, data-transfer regime, residency rules, trade-secret law).

The shipped file is `data/jurisdictions.yaml`; an organisation may keep its own file of the same
shape and read it with `load(path)`. Every value names its source, its URL and the date it was
retrieved; `reviewed_at` drives `stale_warning`. Licensed indices are links, never scores.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from crownjewels.core import datafile
from crownjewels.core.codes import country_code, country_name
from crownjewels.core.datafile import DataFileError, Problem

#: the profiles shipped with Crown Jewels
BUILT_IN = Path(__file__).parent / "data" / "jurisdictions.yaml"
#: a profile older than this many days is flagged as stale
MAX_AGE_DAYS = 365

Url = Annotated[str, Field(pattern=r"^https?://\S+$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """A cited source of one value: what it backs, its title, URL and retrieval date."""

    field: str
    title: str
    url: Url
    retrieved: date
    verified: bool


class Cited(_Frozen):
    """The citation every value carries: source title, URL, the date it was retrieved, and
    whether the value was checked against that source (False: from professional knowledge,
    to be re-read before relying on it)."""

    source: str = Field(min_length=3)
    url: Url
    retrieved: date
    verified: bool = False


class Special301(Cited):
    """USTR Special 301 status: Priority Watch List, Watch List, or on neither (None)."""

    year: int = Field(ge=1989, le=2100)
    list: Literal["PWL", "WL"] | None

    @field_validator("list", mode="before")
    @classmethod
    def _none_word(cls, value: Any) -> Any:
        """`none` in the file means on neither list."""
        if isinstance(value, str) and value.strip().lower() in ("none", "", "null"):
            return None
        return value


class RuleOfLaw(Cited):
    """World Bank WGI Rule of Law percentile rank (0-100), or None where not recorded."""

    year: int | None = Field(default=None, ge=1996, le=2100)
    percentile: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _year_with_percentile(self) -> RuleOfLaw:
        """A percentile means nothing without the WGI year it is from."""
        if self.percentile is not None and self.year is None:
            raise ValueError("a percentile needs the WGI `year` it is from")
        return self


class GdprAdequacy(Cited):
    """GDPR status: in the EU/EEA, adequate, partially adequate (`scope` says for whom), none."""

    status: Literal["eu_eea", "adequate", "partial", "none"]
    decision: str | None = None
    scope: str | None = None


class DataTransfer(Cited):
    """The country's own rules on sending personal data abroad, and the mechanisms it allows."""

    regime: str = Field(min_length=2)
    restricted: bool
    mechanisms: tuple[str, ...] = ()
    notes: str | None = None


class Residency(Cited):
    """Data-localisation rules in plain words, or None where there is no general rule."""

    rules: str | None = None


class TradeSecretLaw(Cited):
    """The trade-secret statute and the words of its secrecy-measures requirement."""

    statute: str | None = None
    measures_standard: str | None = None


class LicensedIndex(_Frozen):
    """A licensed index that may be linked but whose scores may not be copied."""

    name: str
    url: Url


class Jurisdiction(_Frozen):
    """One country's profile; every value carries its citation."""

    code: str
    name: str = Field(min_length=2)
    ustr_special_301: Special301
    wgi_rule_of_law: RuleOfLaw
    gdpr_adequacy: GdprAdequacy
    data_transfer: DataTransfer
    residency: Residency
    trade_secret_law: TradeSecretLaw
    licensed_indices: tuple[LicensedIndex, ...] = ()
    notes: str | None = None
    reviewed_at: date

    @field_validator("code", mode="before")
    @classmethod
    def _iso(cls, value: Any) -> str:
        """An ISO 3166-1 code, stored as alpha-2."""
        if not isinstance(value, str):
            raise ValueError("use an ISO 3166-1 code such as US or DE")
        return country_code(value)

    @model_validator(mode="after")
    def _retrieved_before_review(self) -> Jurisdiction:
        """A value cannot have been retrieved after the record was last reviewed."""
        for name in CITED_FIELDS:
            value: Cited = getattr(self, name)
            if value.retrieved > self.reviewed_at:
                raise ValueError(
                    f"{name}.retrieved ({value.retrieved}) is after reviewed_at"
                    f" ({self.reviewed_at}); set reviewed_at when you review the record"
                )
        return self

    def is_stale(self, *, on: date, max_age_days: int = MAX_AGE_DAYS) -> bool:
        """Whether the profile was last reviewed more than `max_age_days` before `on`."""
        return datafile.review_age(self.reviewed_at, on=on, max_age_days=max_age_days) is not None

    def sources(self) -> list[Source]:
        """Every cited source, one per value, in the order of the fields."""
        out: list[Source] = []
        for name in CITED_FIELDS:
            value: Cited = getattr(self, name)
            out.append(
                Source(
                    field=name,
                    title=value.source,
                    url=value.url,
                    retrieved=value.retrieved,
                    verified=value.verified,
                )
            )
        return out


#: the fields of a profile that carry a citation
CITED_FIELDS = (
    "ustr_special_301",
    "wgi_rule_of_law",
    "gdpr_adequacy",
    "data_transfer",
    "residency",
    "trade_secret_law",
)

_LIST_NAMES = {"PWL": "Priority Watch List", "WL": "Watch List"}


def risk_notes(j: Jurisdiction) -> list[str]:
    """Plain-words risk factors for a vendor processing data in `j`, each naming its source."""
    notes: list[str] = []
    ustr = j.ustr_special_301
    if ustr.list is not None:
        notes.append(
            f"{j.name} is on the USTR {ustr.year} {_LIST_NAMES[ustr.list]}"
            f" ({ustr.source}){_unverified(ustr)}"
        )
    wgi = j.wgi_rule_of_law
    if wgi.percentile is not None and wgi.percentile < 50:
        notes.append(
            f"rule-of-law percentile {wgi.percentile:g} (World Bank WGI {wgi.year}):"
            f" below the world median{_unverified(wgi)}"
        )
    gdpr = j.gdpr_adequacy
    if gdpr.status == "none":
        notes.append(
            "no GDPR adequacy decision: EU personal data needs SCCs (Decision 2021/914) and a"
            f" transfer impact assessment ({gdpr.source}){_unverified(gdpr)}"
        )
    elif gdpr.status == "partial":
        notes.append(
            f"GDPR adequacy covers only {gdpr.scope or 'part of the country'}"
            f" ({gdpr.decision or gdpr.source}); other recipients need SCCs (Decision 2021/914)"
            f" and a transfer impact assessment{_unverified(gdpr)}"
        )
    transfer = j.data_transfer
    if transfer.restricted:
        how = f": {', '.join(transfer.mechanisms)}" if transfer.mechanisms else ""
        notes.append(
            f"personal data leaving {j.name} is regulated ({transfer.regime}){how}"
            f" ({transfer.source}){_unverified(transfer)}"
        )
    if j.residency.rules:
        res = j.residency
        notes.append(f"data localisation: {res.rules} ({res.source}){_unverified(res)}")
    law = j.trade_secret_law
    if law.statute is None:
        notes.append(f"trade-secret statute not recorded: check {law.url}")
    else:
        standard = f"; the owner must show {law.measures_standard}" if law.measures_standard else ""
        notes.append(f"trade-secret law: {law.statute}{standard} ({law.source}){_unverified(law)}")
    return notes


def _unverified(value: Cited) -> str:
    return "" if value.verified else " (not re-verified)"


def stale_warning(j: Jurisdiction, *, on: date, max_age_days: int = MAX_AGE_DAYS) -> str | None:
    """A warning when the profile is older than `max_age_days` or its USTR list is superseded
    (a new Special 301 report comes out every April); None when it is current."""
    problems: list[str] = []
    age = datafile.review_age(j.reviewed_at, on=on, max_age_days=max_age_days)
    if age is not None:
        problems.append(age)
    ustr = j.ustr_special_301
    if on >= date(ustr.year + 1, 5, 1):
        problems.append(
            f"its USTR status is from the {ustr.year} Special 301 Report and a newer report"
            " has probably been published (every April)"
        )
    if not problems:
        return None
    return (
        f"The {j.name} profile may be out of date: {'; '.join(problems)}. Check its sources"
        " and ask an admin to correct the profile and mark it reviewed."
    )


# -- loading -------------------------------------------------------------------------------


class JurisdictionFileError(DataFileError):
    """A jurisdictions file that cannot be used; `problems` lists (line, message) pairs."""


#: what a URL field expects, in the words of someone editing the file
_HINTS = {"string_pattern_mismatch": "is not a URL; use one starting with https://"}


def parse(text: str, *, source: str) -> list[Jurisdiction]:
    """Validate jurisdictions YAML text (a list of records); each problem names its line."""
    doc = datafile.compose(text, source=source, error=JurisdictionFileError)
    if not isinstance(doc.data, list):
        raise JurisdictionFileError(
            source,
            [(doc.line(()) or 1, "a jurisdictions file is a list of records, one per country")],
        )
    records: list[Jurisdiction] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(doc.data):
        try:
            record = Jurisdiction.model_validate(item)
        except ValidationError as exc:
            problems += doc.problems(exc, at=(i,), label=_label(item, i), hints=_HINTS)
            continue
        if record.code in seen:
            problems.append(
                (
                    doc.line((i, "code")),
                    f"{record.code} appears twice (first on line {seen[record.code]});"
                    " keep one record per country",
                )
            )
            continue
        seen[record.code] = doc.line((i, "code")) or 0
        records.append(record)
    if problems:
        raise JurisdictionFileError(source, problems)
    return records


def load(path: Path) -> list[Jurisdiction]:
    """Read and validate a jurisdictions file; JurisdictionFileError names file and line."""
    return parse(datafile.read_text(path, what="a jurisdictions YAML"), source=str(path))


@cache
def _built_in() -> dict[str, Jurisdiction]:
    return {j.code: j for j in load(BUILT_IN)}


def all_jurisdictions() -> list[Jurisdiction]:
    """Every shipped profile, ordered by country code."""
    return sorted(_built_in().values(), key=lambda j: j.code)


def lookup(code: str) -> Jurisdiction | None:
    """The shipped profile for an alpha-2 or alpha-3 code (any case); None if there is none."""
    try:
        alpha2 = country_code(code)
    except ValueError:
        return None
    return _built_in().get(alpha2)


def _label(item: Any, index: int) -> str:
    code = item.get("code") if isinstance(item, dict) else None
    if isinstance(code, str):
        try:
            return f"{country_name(country_code(code))} ({code})"
        except ValueError:
            return f"record {index + 1} ({code})"
    return f"record {index + 1}"
