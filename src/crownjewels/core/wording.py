"""Words for people: a refused value explained in plain words with the field's label, never
pydantic's own text ("Input should be …", "Field required", "type=…"). Every form error on a
page and every `errors` entry of the API's problem+json goes through `plain_message`.

A generic message per kind of error covers every field; `_ON_MISSING` and `_ON_BAD` hold the
few fields where the generic wording reads poorly ("Choose a category" rather than "Enter the
category")."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

#: how a field is named in a sentence, where its name alone reads poorly
LABELS: Mapping[str, str] = {
    "owner_id": "the owner",
    "owner": "the owner",
    "person_id": "the person",
    "organisation_id": "the organisation",
    "secret_id": "the secret",
    "document_id": "the document",
    "vendor_id": "the vendor",
    "effective_on": "the effective date",
    "expires_on": "the expiry date",
    "expires_at": "the expiry date",
    "due_on": "the due date",
    "signed_on": "the signature date",
    "terminated_on": "the end date",
    "completed_on": "the completion date",
    "assessed_on": "the assessment date",
    "issued_on": "the issue date",
    "next_review_on": "the next review date",
    "estimated_value": "the estimated value",
    "development_cost": "the development cost",
    "review_cadence_months": "the review cadence (months)",
    "review_cadence_days": "the review cadence (days)",
    "renewal_notice_days": "the renewal notice (days)",
    "survival_years": "the survival period (years)",
    "governing_law": "the governing law",
    "governing_law_subdivision": "the governing law",
    "full_name": "the full name",
    "email": "an email address",
    "q": "the search text",
}

#: a field left blank, where "Enter …" reads poorly (a choice, an amount)
_ON_MISSING: Mapping[str, str] = {
    "category": "Choose a category",
    "kind": "Choose a kind",
    "status": "Choose a status",
    "tier": "Choose a tier",
    "decision": "Choose a decision",
    "role": "Choose a role",
    "roles": "Choose at least one role",
    "scope": "Choose a scope",
    "owner_id": "Choose the owner",
    "owner": "Choose the owner",
    "secret": "Choose a secret",
    "secret_id": "Choose a secret",
    "person": "Choose a person",
    "person_id": "Choose a person",
    "organisation": "Choose an organisation",
    "organisation_id": "Choose an organisation",
    "vendor": "Choose a vendor",
    "channel": "Choose a channel",
    "criticality": "Choose a criticality",
    "country": "Choose a country (two letters, e.g. DE)",
    "estimated_value": "Enter an amount, e.g. 250000",
    "development_cost": "Enter an amount, e.g. 250000",
}

#: a value of the wrong kind, where the generic message reads poorly
_ON_BAD: Mapping[str, str] = {
    "estimated_value": "Enter an amount in whole units, e.g. 250000",
    "development_cost": "Enter an amount in whole units, e.g. 250000",
    "country": "Enter a country as two letters, e.g. DE",
    "email": "Enter an email address, e.g. dana@example.com",
}

_DATE = "as YYYY-MM-DD, e.g. 2026-12-07"
#: pydantic error type -> message; {label} is the field's label, {Label} the same capitalised
_BY_TYPE: Mapping[str, str] = {
    "missing": "Enter {label}",
    "string_too_short": "Enter {label}",
    "string_too_long": "Shorten {label} to at most {max_length} characters",
    "too_short": "Choose at least {min_length} for {label}",
    "too_long": "Choose at most {max_length} for {label}",
    "enum": "Choose {label} from the list",
    "literal_error": "Choose {label} from the list",
    "int_parsing": "Enter {label} as a whole number, e.g. 30",
    "int_type": "Enter {label} as a whole number, e.g. 30",
    "int_from_float": "Enter {label} as a whole number, e.g. 30",
    "float_parsing": "Enter {label} as a number, e.g. 250000",
    "float_type": "Enter {label} as a number, e.g. 250000",
    "decimal_parsing": "Enter {label} as a number, e.g. 250000",
    "decimal_type": "Enter {label} as a number, e.g. 250000",
    "greater_than": "{Label} must be more than {gt}",
    "greater_than_equal": "{Label} must be at least {ge}",
    "less_than": "{Label} must be less than {lt}",
    "less_than_equal": "{Label} must be at most {le}",
    "date_parsing": "Enter {label} " + _DATE,
    "date_from_datetime_parsing": "Enter {label} " + _DATE,
    "date_from_datetime_inexact": "Enter {label} " + _DATE,
    "date_type": "Enter {label} " + _DATE,
    "datetime_parsing": "Enter {label} " + _DATE,
    "datetime_from_date_parsing": "Enter {label} " + _DATE,
    "datetime_type": "Enter {label} " + _DATE,
    "bool_parsing": "Choose yes or no for {label}",
    "bool_type": "Choose yes or no for {label}",
    "string_pattern_mismatch": "{Label} is not in the expected form",
    "url_parsing": "Enter {label} as a web address, e.g. https://example.com",
    "url_scheme": "Enter {label} as a web address, e.g. https://example.com",
    "extra_forbidden": "{Label} is not something this form takes; leave it out",
}
_FALLBACK = "{Label} is not valid; check it and try again"
#: a field name in a validator's message: `ticked`, or bare snake_case (expires_on)
_NAMED = re.compile(r"`([a-z_][a-z0-9_]*)`|\b([a-z]+(?:_[a-z0-9]+)+)\b")
#: bare snake_case values a validator's message may name, in words
_WORDS: Mapping[str, str] = {"in_force": "in force", "not_mentioned": "not mentioned"}


def label(loc: Sequence[Any]) -> str:
    """How the field at `loc` is named in a sentence ("the expiry date", "the title")."""
    names = [str(p) for p in loc if isinstance(p, str) and p not in ("body", "query", "path")]
    if not names:
        return "this form"
    name = names[-1]
    if name in LABELS:
        return LABELS[name]
    words = name.removesuffix("_id").removesuffix("_on").removesuffix("_at").replace("_", " ")
    return f"the {words.strip() or name}"


def _field(loc: Sequence[Any]) -> str:
    names = [str(p) for p in loc if isinstance(p, str)]
    return names[-1] if names else ""


def _own_words(message: str) -> str:
    """A validator's own message (already words for people), its `field` names as labels."""
    text = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")

    def words(match: re.Match[str]) -> str:
        ticked, bare = match.group(1), match.group(2)
        if ticked:
            return ticked.replace("_", " ")
        named = LABELS.get(bare) or _WORDS.get(bare) or bare
        before = match.string[: match.start()].lower()
        if before.endswith((" a ", " an ", " the ")):  # "needs a `reason`": no second article
            named = re.sub(r"^(the|an|a) ", "", named)
        return named

    text = _NAMED.sub(words, text)
    return text


def plain_message(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of `ValidationError.errors()`) in plain words."""
    kind = str(error.get("type", ""))
    loc = error.get("loc", ())
    field = _field(loc)
    message = str(error.get("msg", ""))
    if "value is not a valid email address" in message:  # the email validator's own words
        return _ON_BAD["email"]
    if kind in ("value_error", "assertion_error"):
        if "'' is not" in message:  # a validator naming a blank value: it was left blank
            return _ON_MISSING.get(field) or _BY_TYPE["missing"].format(label=label(loc))
        return _own_words(message)
    typed = error.get("input")
    blank = (
        kind == "missing"
        or (isinstance(typed, str) and not typed.strip())  # a choice left on "choose…"
        or (kind == "string_too_short" and (error.get("ctx") or {}).get("min_length", 1) <= 1)
    )
    if blank and field in _ON_MISSING:
        return _ON_MISSING[field]
    if not blank and field in _ON_BAD and kind != "extra_forbidden":
        return _ON_BAD[field]
    name = label(loc)
    template = _BY_TYPE["missing"] if blank else _BY_TYPE.get(kind, _FALLBACK)
    values = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, (int, float))}
    try:
        return template.format(label=name, Label=name[:1].upper() + name[1:], **values)
    except (KeyError, IndexError):
        return _FALLBACK.format(Label=name[:1].upper() + name[1:])


#: words that keep their capitals inside a status or tier ("NDA expired", "MFA required")
_ACRONYMS = frozenset({"nda", "msa", "dpa", "sow", "mfa", "api", "pdf", "sftp", "id", "sha"})


def words(value: object) -> str:
    """A status, tier or other code as words, in one capitalisation everywhere: sentence case
    ("highly-sensitive" -> "Highly sensitive", "in_force" -> "In force", "ask-again" -> "Ask
    again"); acronyms stay capitals. The Jinja filter `words` is this function."""
    raw = str(getattr(value, "value", value) or "")
    parts = raw.replace("_", " ").replace("-", " ").split()
    shown = [p.upper() if p.lower() in _ACRONYMS else p.lower() for p in parts]
    if shown and shown[0].lower() not in _ACRONYMS:
        shown[0] = shown[0][:1].upper() + shown[0][1:]
    return " ".join(shown)


#: media types as a person calls them
_FILE_KINDS: Mapping[str, str] = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
    "application/vnd.ms-excel": "Excel workbook",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "text/plain": "Text",
    "text/markdown": "Text (Markdown)",
    "text/csv": "CSV",
    "application/json": "JSON",
    "application/zip": "ZIP archive",
    "image/png": "PNG image",
    "image/jpeg": "JPEG image",
    "application/octet-stream": "File",
}


def file_kind(media_type: object) -> str:
    """A media type (application/pdf) as a person calls the file ("PDF"); the Jinja filter
    `file_kind`. Unknown types are named by their family ("Image", "Text", "File")."""
    raw = str(media_type or "").split(";")[0].strip().lower()
    if raw in _FILE_KINDS:
        return _FILE_KINDS[raw]
    family = raw.split("/")[0]
    return family.capitalize() if family in ("image", "text", "audio", "video") else "File"


_COMMAND = re.compile(r"`crownjewels [^`]*`|crownjewels [a-z-]+ [a-z-]+")
#: a command in brackets inside a clause that says more: "release the hold first (`crownjewels
#: vault release`)"; the command may hold brackets of its own between its backquotes
_BRACKETED_COMMAND = re.compile(r"\s*\([^()`]*`crownjewels [^`]*`[^()`]*\)")


def for_pages(message: str) -> str:
    """A domain message as a page shows it, without what a command-line user would type: a
    command in brackets is left out of its clause ("release the hold first (`crownjewels vault
    release`)" keeps "release the hold first"), a clause that is only there for a command
    ("; `crownjewels agreements list` shows them") is left out whole; the rest is kept."""
    parts = [_BRACKETED_COMMAND.sub("", part) for part in message.split("; ")]
    kept = [part for part in parts if not _COMMAND.search(part)]
    return "; ".join(kept) if kept else message


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 line", "39 lines", "1,204 files"
    (never "line(s)"); `plural` for nouns that do not take an s ("1 hit", "2 hits")."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"
