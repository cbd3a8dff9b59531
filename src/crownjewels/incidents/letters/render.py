"""Letters drafted from a case's LetterContext with the Jinja templates in templates/letters/:
the catalogue of templates (`TEMPLATES`), which of them a case calls for (`templates_for`),
and `render`, which gives a Letter (its text, and the text as DOCX and PDF).

The environment is strict (a field the context does not give fails, naming it) and prints
text, not HTML, so it does not HTML-escape; a value is escaped for the letters' markup instead
(values.finalize) and, being data, is never read as a template."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import BaseLoader, Environment, PackageLoader

from crownjewels.incidents.letters import export, values
from crownjewels.incidents.letters.errors import LetterFieldMissing, LetterNotFound, WrongRegime
from crownjewels.incidents.letters.filters import FILTERS
from crownjewels.incidents.letters.markup import normalise
from crownjewels.incidents.letters.rules import trade_secret_law
from crownjewels.incidents.letters.schemas import (
    LetterContext,
    Regime,
    RegimeFacts,
    TemplateInfo,
)

_T = TemplateInfo
#: every letter, in the order a case page lists them
TEMPLATES: Mapping[str, TemplateInfo] = {
    t.key: t
    for t in (
        _T("cease-and-desist", "Cease-and-desist letter",
           "the person or organisation that breached", needs=("recipient",)),
        _T("vendor-breach", "Notice of breach", "the vendor, under its agreement",
           needs=("recipient", "agreements")),
        _T("regulator-gdpr", "Personal data breach notification (GDPR Art. 33)",
           "the competent data protection supervisory authority", Regime.GDPR),
        _T("regulator-nis2", "NIS2 early warning and incident notification (Art. 23)",
           "the CSIRT or competent authority", Regime.NIS2),
        _T("regulator-sec", "Form 8-K, Item 1.05 (draft)",
           "the SEC, filed on EDGAR", Regime.SEC),
        _T("regulator-hipaa", "Breach notice to the Secretary of HHS (45 CFR 164.408)",
           "the Secretary of HHS, through the OCR breach portal", Regime.HIPAA),
        _T("regulator-us-state", "Data breach notice to a state Attorney General",
           "the state's Attorney General", Regime.US_STATE),
        _T("regulator-cert-in", "Cyber security incident report to CERT-In",
           "CERT-In, the Indian Computer Emergency Response Team", Regime.CERT_IN),
        _T("regulator-generic", "Incident notification to an authority",
           "the authority named as the recipient", Regime.GENERIC),
        _T("affected-people", "Notice to affected people",
           "each person whose information was affected"),
        _T("internal-briefing", "Internal briefing", "the case team and management"),
    )
}  # fmt: skip

#: kinds of case (incident.kind) whose recipient is told to cease and desist
CEASE_KINDS = frozenset({"theft", "disclosure", "departure", "leak-found", "canary"})
#: regimes that protect people's personal data, so the people are told too
PEOPLE_REGIMES = frozenset({Regime.GDPR, Regime.HIPAA, Regime.US_STATE})
#: how a missing part of the context is named in a message
_PARTS = {"recipient": "a recipient", "agreements": "at least one agreement", "regime": "a regime"}


@dataclass(frozen=True)
class Letter:
    """A drafted letter: its template key, its title, its text (the letters' markup) and who
    signs it; `to_docx` and `to_pdf` make the files."""

    key: str
    title: str
    text: str
    author: str
    case_ref: str

    @property
    def filename(self) -> str:
        """The file name without its extension: IN-0004-cease-and-desist."""
        return f"{self.case_ref}-{self.key}"

    def to_docx(self) -> bytes:
        """The letter as a Word document."""
        return export.to_docx(self.title, self.author, self.text)

    def to_pdf(self) -> bytes:
        """The letter as a PDF."""
        return export.to_pdf(self.title, self.author, self.text)


def make_environment(loader: BaseLoader) -> Environment:
    """A letters' Jinja environment over `loader`: strict, text not HTML, values escaped as
    the letters' markup (values.finalize)."""
    env = Environment(
        loader=loader,
        undefined=values.Undefined,
        autoescape=False,  # noqa: S701 (a letter's text, not HTML: values.finalize escapes it)
        finalize=values.finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


@functools.cache
def environment() -> Environment:
    """The environment of the letters' own templates (templates/letters/)."""
    return make_environment(PackageLoader("crownjewels.incidents.letters", "templates/letters"))


def templates_for(kind: str, regimes: Iterable[Regime] = ()) -> list[TemplateInfo]:
    """The letters a case of this kind (theft, vendor-breach …) under these regimes calls for,
    in catalogue order; the internal briefing always."""
    wanted = {"internal-briefing"}
    regimes = set(regimes)
    if kind in CEASE_KINDS:
        wanted.add("cease-and-desist")
    if kind == "vendor-breach":
        wanted.add("vendor-breach")
    if kind == "personal-data" or regimes & PEOPLE_REGIMES:
        wanted.add("affected-people")
    wanted |= {t.key for t in TEMPLATES.values() if t.regime in regimes}
    return [t for t in TEMPLATES.values() if t.key in wanted]


def _template(key: str) -> TemplateInfo:
    info = TEMPLATES.get(key)
    if info is None:
        raise LetterNotFound(f"There is no letter {key!r}; choose one of {', '.join(TEMPLATES)}")
    return info


def _check(info: TemplateInfo, ctx: LetterContext) -> None:
    """The parts of the context the letter cannot do without, and a regime that fits it."""
    for part in info.needs:
        if not getattr(ctx, part):
            raise LetterFieldMissing(
                f"The letter “{info.title}” needs {_PARTS.get(part, part)}; "
                f"add {part} to the letter's context and draft it again",
                field=part,
            )
    if info.regime and ctx.regime and ctx.regime.key != info.regime:
        raise WrongRegime(
            f"The letter “{info.title}” follows {info.regime.value}, but the context gives the "
            f"facts of {ctx.regime.key.value}; draft the {ctx.regime.key.value} notice instead "
            f"or give the {info.regime.value} facts",
            field="regime",
        )


def _variables(info: TemplateInfo, ctx: LetterContext) -> dict[str, Any]:
    """The template's variables: each part of the context, and what is worked out from it."""
    names = LetterContext.model_fields
    variables = {name: values.data(getattr(ctx, name), name) for name in names}
    if info.regime and ctx.regime is None:
        variables["regime"] = values.data(RegimeFacts(key=info.regime), "regime")
    governed = next((a for a in ctx.agreements if a.governing_law_code), None)
    variables["law"] = trade_secret_law(
        governed.governing_law_code if governed else None,
        governed.governing_law_subdivision if governed else None,
    )
    variables["reply_by"] = ctx.reply_by
    variables["letter"] = info
    variables.update(values.style(ctx.organisation.timezone, ctx.organisation.country_code))
    return variables


def render(template: str, ctx: LetterContext) -> Letter:
    """Draft the letter `template` (a key of TEMPLATES) from the case's context."""
    info = _template(template)
    _check(info, ctx)
    try:
        text = environment().get_template(f"{info.key}.md.j2").render(_variables(info, ctx))
    except values.Missing as missing:
        raise LetterFieldMissing(
            f"The letter “{info.title}” needs {missing.path}, which the letter's context does "
            "not give; fill it in and draft the letter again",
            field=missing.path,
        ) from None
    return Letter(
        key=info.key,
        title=f"{info.title}, {ctx.case.ref}",
        text=normalise(text),
        author=ctx.author.name,
        case_ref=ctx.case.ref,
    )
