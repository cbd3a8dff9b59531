"""ISO codes (pycountry): countries (ISO 3166-1 alpha-2) and currencies (ISO 4217)."""

from __future__ import annotations

from functools import cache

import pycountry


@cache
def _countries() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in pycountry.countries:
        table[c.alpha_2] = c.alpha_2
        table[c.alpha_3] = c.alpha_2
    return table


def country_code(value: str) -> str:
    """The ISO 3166-1 alpha-2 code for an alpha-2 or alpha-3 code; ValueError names the fix."""
    code = _countries().get(value.strip().upper())
    if code is None:
        raise ValueError(
            f"{value!r} is not an ISO 3166 country code; use two letters such as US, DE, IN, PH"
        )
    return code


def country_name(code: str) -> str:
    """The English short name of a country code."""
    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country else code


def currency_code(value: str) -> str:
    """The ISO 4217 code, upper case; ValueError names the fix."""
    code = value.strip().upper()
    if pycountry.currencies.get(alpha_3=code) is None:
        raise ValueError(
            f"{value!r} is not an ISO 4217 currency code; use three letters such as USD, EUR"
        )
    return code


@cache
def _subdivisions() -> frozenset[str]:
    return frozenset(str(s.code) for s in pycountry.subdivisions)


def subdivision_code(value: str) -> str:
    """An ISO 3166-2 subdivision code such as US-CA; ValueError names the fix."""
    code = value.strip().upper()
    if code not in _subdivisions():
        raise ValueError(
            f"{value!r} is not an ISO 3166-2 subdivision code; use one such as US-CA or DE-BY"
        )
    return code
