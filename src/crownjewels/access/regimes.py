"""Cross-border transfer regimes (GDPR, UK GDPR, Swiss FADP, China's PIPL): the countries each
covers, its own adequacy list, the mechanisms it accepts and whether they need a transfer impact
assessment. The data and its citations are in `data/transfer_regimes.yaml`; the rule that reads
it is `rules.transfer_gaps`."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from crownjewels.core import datafile
from crownjewels.core.codes import country_code
from crownjewels.core.datafile import DataFileError, Problem

#: the regimes shipped with Crown Jewels
BUILT_IN = Path(__file__).parent / "data" / "transfer_regimes.yaml"

Country = Annotated[str, AfterValidator(country_code)]
Url = Annotated[str, Field(pattern=r"^https?://\S+$")]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Adequate(_Frozen):
    """One destination a regime's own adequacy list admits; `condition` limits it to some
    recipients (then a mechanism of kind `adequacy` confirms the recipient meets it)."""

    country: Country
    instrument: str = Field(min_length=3)
    condition: str | None = None


class AdequacyList(_Frozen):
    """A regime's adequacy list with its source."""

    source: str = Field(min_length=3)
    url: Url
    retrieved: date
    verified: bool = False
    countries: list[Adequate]


class Accepted(_Frozen):
    """A mechanism kind a regime accepts, its legal basis, and whether it needs an assessment."""

    kind: str
    basis: str = Field(min_length=3)
    assessment: bool


class Ground(_Frozen):
    """A derogation or exemption ground and the article that grants it."""

    ground: str
    article: str = Field(min_length=3)


class Assessment(_Frozen):
    """What the regime calls its transfer impact assessment and where it is required."""

    name: str
    basis: str = Field(min_length=3)


class Regime(_Frozen):
    """One regime that restricts personal data leaving the countries it covers."""

    code: str = Field(pattern=r"^[A-Z]{2,6}$")
    name: str
    law: str
    source: str = Field(min_length=3)
    url: Url
    retrieved: date
    verified: bool = False
    members: list[Country] = Field(min_length=1)
    adequacy: AdequacyList
    mechanisms: list[Accepted] = Field(min_length=1)
    grounds: list[Ground] = Field(default_factory=list)
    assessment: Assessment

    def adequate(self, country: str) -> Adequate | None:
        """The adequacy entry for a destination (None: not on this regime's list)."""
        return next((a for a in self.adequacy.countries if a.country == country), None)

    def accepted(self, kind: str) -> Accepted | None:
        """The accepted mechanism of this kind (None: this regime does not accept it)."""
        return next((m for m in self.mechanisms if m.kind == kind), None)

    def ground(self, ground: str) -> Ground | None:
        """The derogation or exemption ground by name (None: not a ground of this regime)."""
        return next((g for g in self.grounds if g.ground == ground), None)


class RegimeFileError(DataFileError):
    """A transfer-regimes file that cannot be used; `problems` lists (line, message) pairs."""


def parse(text: str, *, source: str) -> list[Regime]:
    """Validate transfer-regimes YAML text; each problem names its line. A country belongs to
    one regime at most (the origin decides which law applies)."""
    doc = datafile.compose(text, source=source, error=RegimeFileError)
    if not isinstance(doc.data, list):
        raise RegimeFileError(source, [(1, "a transfer-regimes file is a list of regimes")])
    regimes: list[Regime] = []
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for i, item in enumerate(doc.data):
        try:
            regime = Regime.model_validate(item)
        except ValidationError as exc:
            problems += doc.problems(exc, at=(i,), label=f"regime {i + 1}")
            continue
        for j, country in enumerate(regime.members):
            if country in owner:
                problems.append(
                    (
                        doc.line((i, "members", j)),
                        f"{country} is a member of both {owner[country]} and {regime.code};"
                        " keep it in the regime whose law governs data held there",
                    )
                )
            owner[country] = regime.code
        regimes.append(regime)
    if problems:
        raise RegimeFileError(source, problems)
    return regimes


def load(path: Path) -> list[Regime]:
    """Read and validate a transfer-regimes file; RegimeFileError names file and line."""
    return parse(datafile.read_text(path, what="a transfer-regimes YAML"), source=str(path))


@cache
def _built_in() -> dict[str, Regime]:
    return {r.code: r for r in load(BUILT_IN)}


def all_regimes() -> list[Regime]:
    """Every shipped regime."""
    return list(_built_in().values())


def regime_of(country: str) -> Regime | None:
    """The regime that restricts transfers out of a country (None: none is modelled)."""
    return next((r for r in _built_in().values() if country in r.members), None)


def by_code(code: str) -> Regime | None:
    """A shipped regime by its code (GDPR, UK, CH, CN)."""
    return _built_in().get(code.upper())
