"""Which trade secret law a letter cites, from the governing law of the agreement: the DTSA
(and the state's act) in the United States, Directive (EU) 2016/943 and the member state's
implementing law in the EU, the 2018 Regulations and the law of confidence in the UK."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from crownjewels.core.codes import country_name

DTSA = "the Defend Trade Secrets Act of 2016, 18 U.S.C. § 1836 et seq."
DIRECTIVE = (
    "Directive (EU) 2016/943 of 8 June 2016 on the protection of undisclosed know-how and "
    "business information (trade secrets) against their unlawful acquisition, use and disclosure"
)
UK = (
    "the Trade Secrets (Enforcement, etc.) Regulations 2018 (SI 2018/597) and the law of confidence"
)
EU_MEMBERS = frozenset(
    ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
     "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE")
)  # fmt: skip

#: the acts implementing the Directive, where the letter can name them
EU_ACTS: Mapping[str, str] = {
    "AT": "§§ 26a to 26j of the Bundesgesetz gegen den unlauteren Wettbewerb (UWG)",
    "BE": "the Law of 30 July 2018 on the protection of trade secrets",
    "DE": "the Gesetz zum Schutz von Geschäftsgeheimnissen (GeschGehG)",
    "DK": "the Lov om forretningshemmeligheder (Act no. 309 of 25 April 2018)",
    "ES": "Ley 1/2019, de 20 de febrero, de Secretos Empresariales",
    "FI": "the Liikesalaisuuslaki (595/2018)",
    "FR": "articles L. 151-1 et seq. of the Code de commerce (loi n° 2018-670)",
    "IE": (
        "the European Union (Protection of Trade Secrets) Regulations 2018 (S.I. No. 188 of 2018)"
    ),
    "IT": "articles 98 and 99 of the Codice della proprietà industriale (d.lgs. n. 63/2018)",
    "NL": "the Wet bescherming bedrijfsgeheimen",
    "PL": "article 11 of the Ustawa o zwalczaniu nieuczciwej konkurencji",
    "SE": "the Lag (2018:558) om företagshemligheter",
}

#: the state acts a letter names beside the DTSA
US_STATE_ACTS: Mapping[str, str] = {
    "US-CA": "the California Uniform Trade Secrets Act, Cal. Civ. Code § 3426 et seq.",
    "US-DE": "the Delaware Uniform Trade Secrets Act, 6 Del. C. § 2001 et seq.",
    "US-FL": "the Florida Uniform Trade Secrets Act, Fla. Stat. § 688.001 et seq.",
    "US-IL": "the Illinois Trade Secrets Act, 765 ILCS 1065",
    "US-MA": "the Massachusetts Uniform Trade Secrets Act, M.G.L. c. 93, §§ 42 to 42G",
    "US-NC": "the North Carolina Trade Secrets Protection Act, N.C. Gen. Stat. § 66-152 et seq.",
    "US-NY": "the common law of misappropriation of trade secrets of the State of New York",
    "US-TX": "the Texas Uniform Trade Secrets Act, Tex. Civ. Prac. & Rem. Code § 134A.001 et seq.",
    "US-WA": "the Washington Uniform Trade Secrets Act, RCW 19.108",
}

US_REMEDIES = (
    "an injunction, damages for actual loss and unjust enrichment, exemplary damages of up to "
    "twice that amount for wilful and malicious misappropriation, and attorney's fees "
    "(18 U.S.C. § 1836(b)(3))"
)
EU_REMEDIES = (
    "provisional and precautionary measures, injunctions and corrective measures including "
    "the destruction of infringing material, and damages (Articles 10 to 14 of the Directive)"
)
UK_REMEDIES = (
    "an injunction, delivery up or destruction of the information, and damages or an account "
    "of profits (regulations 14 to 17 of the 2018 Regulations)"
)


@dataclass(frozen=True)
class TradeSecretLaw:
    """The statutes a letter cites (in words, empty when the law is not known) and the
    remedies they give; `us` is true where the DTSA applies (an ex parte seizure is open)."""

    statutes: tuple[str, ...]
    remedies: str
    us: bool = False
    eu: bool = False
    uk: bool = False


def trade_secret_law(country: str | None, subdivision: str | None = None) -> TradeSecretLaw:
    """The trade secret law of a governing law given as ISO codes (US, US-CA; DE; GB)."""
    if country == "US":
        state = US_STATE_ACTS.get(subdivision or "")
        return TradeSecretLaw((DTSA, state) if state else (DTSA,), US_REMEDIES, us=True)
    if country in EU_MEMBERS:
        act = EU_ACTS.get(country, f"the law of {country_name(country)} that implements it")
        return TradeSecretLaw((f"{DIRECTIVE}, as implemented by {act}",), EU_REMEDIES, eu=True)
    if country == "GB":
        return TradeSecretLaw((UK,), UK_REMEDIES, uk=True)
    return TradeSecretLaw((), "")


def and_list(items: Sequence[str]) -> str:
    """Items joined as a sentence does: "A", "A and B", "A, B and C"."""
    if len(items) < 3:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
