"""What a letter is drafted from: the organisation, the case, the recipient, the agreements and
their clauses, the disclosures in the ledger, the secrets, people, deadlines and steps taken,
all already in words (names and refs, never internal ids), with aware datetimes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from crownjewels.core.codes import country_code, subdivision_code

#: days a recipient is given to comply when the context names no date
REPLY_DAYS = 7

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Lines = tuple[Text, ...]


class Regime(StrEnum):
    """A notification regime a regulator notice follows."""

    GDPR = "gdpr"
    NIS2 = "nis2"
    SEC = "sec"
    HIPAA = "hipaa"
    US_STATE = "us-state"
    CERT_IN = "cert-in"
    GENERIC = "generic"


class ClauseTopic(StrEnum):
    """What a clause is about, so a letter cites the right one (its return-or-destroy clause)."""

    CONFIDENTIALITY = "confidentiality"
    NON_USE = "non-use"
    RETURN_OR_DESTROY = "return-or-destroy"
    REMEDIES = "remedies"
    BREACH = "breach"
    BREACH_NOTIFICATION = "breach-notification"
    NOTICE = "notice"
    CURE = "cure"
    TERMINATION = "termination"
    AUDIT = "audit"
    SECURITY = "security"
    GOVERNING_LAW = "governing-law"
    OTHER = "other"


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Organisation(_Part):
    """The organisation the letter is written for, and whom to contact there."""

    name: Text
    address_lines: Lines
    #: in words ("Germany"); `country_code` (ISO, DE) decides the date style and such
    country: Text
    country_code: str | None = None
    contact_name: Text
    contact_email: Text
    #: an IANA time zone (Europe/Berlin): every time in the letter is shown in it
    timezone: Text
    phone: Text | None = None
    #: the data protection officer, name and contact in words, when one is designated
    dpo: Text | None = None

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a time zone; use an IANA name such as Europe/Berlin"
            ) from None
        return value

    @field_validator("country_code")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else country_code(value)


class Case(_Part):
    """The incident case as the letter tells it."""

    ref: Text
    title: Text
    #: in words: "Theft of trade secrets", "Vendor breach"
    kind: Text
    severity: Text
    summary: Text
    occurred_at: AwareDatetime | None = None
    discovered_at: AwareDatetime
    contained_at: AwareDatetime | None = None
    #: when the incident was determined to be material (SEC Item 1.05)
    materiality_at: AwareDatetime | None = None


class Recipient(_Part):
    """Whom the letter goes to: a person, an organisation or an authority."""

    name: Text
    organisation: Text | None = None
    address_lines: Lines = ()
    email: Text | None = None


class Clause(_Part):
    """A clause of an agreement as the letter quotes it."""

    number: Text
    heading: Text
    #: the words quoted (an excerpt is enough)
    text: Text
    topic: ClauseTopic = ClauseTopic.OTHER


class Agreement(_Part):
    """An agreement the case concerns (AG-2026-005) with its relevant clauses."""

    ref: Text
    title: Text
    #: in words: "Mutual NDA"
    kind: Text
    counterparty: Text
    signed_on: date | None = None
    effective_on: date | None = None
    #: in words ("the State of California"); the codes decide which trade secret law is cited
    governing_law: Text | None = None
    governing_law_code: str | None = None
    governing_law_subdivision: str | None = None
    clauses: tuple[Clause, ...] = ()

    @field_validator("governing_law_code")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return None if value is None else country_code(value)

    @field_validator("governing_law_subdivision")
    @classmethod
    def _subdivision(cls, value: str | None) -> str | None:
        return None if value is None else subdivision_code(value)


class Disclosure(_Part):
    """A line of the disclosure ledger: which secret went to whom, when, in which copy."""

    copy_ref: Text | None = None
    secret_ref: Text
    secret_name: Text
    document: Text | None = None
    #: in words: "Jonas Berg (Meridian Tooling GmbH)"
    recipient: Text
    issued_at: AwareDatetime
    #: the id the copy's watermark carries
    watermark: Text | None = None
    channel: Text | None = None
    agreement_ref: Text | None = None


class Secret(_Part):
    """A trade secret the case concerns."""

    ref: Text
    name: Text
    category: Text


class Person(_Part):
    """A person the case concerns."""

    name: Text
    organisation: Text | None = None
    role: Text | None = None


class Clock(_Part):
    """A deadline of the case: what is due, when (local time, in words), to whom, under what."""

    name: Text
    due: Text
    recipient: Text
    citation: Text
    regime: Regime | None = None


class LegalStep(_Part):
    """A legal step taken in the case (counsel engaged, letter sent, TRO applied for)."""

    kind: Text
    taken_at: AwareDatetime
    note: str = ""


class Measure(_Part):
    """A measure taken or proposed (grants suspended, accounts disabled, copies recalled)."""

    description: Text
    taken_at: AwareDatetime | None = None


class PersonalData(_Part):
    """The personal data a breach concerns, as far as it is known."""

    #: categories of people: "customers", "employees"
    subjects: Lines = ()
    subject_count: int | None = Field(default=None, ge=0)
    record_count: int | None = Field(default=None, ge=0)
    #: categories of data: "names", "email addresses"
    data: Lines = ()
    #: special categories, health, financial or government id data
    sensitive: Lines = ()
    consequences: Text | None = None


class RegimeFacts(_Part):
    """The regime a regulator notice follows, and what it needs to know beyond the case."""

    key: Regime
    #: in words: "Germany", "California"
    jurisdiction: Text | None = None
    #: the provision notified under, in words: "Cal. Civ. Code § 1798.82(f)"
    law: Text | None = None
    #: the authority's reference of an earlier notice
    reference: Text | None = None
    suspected_malicious: bool | None = None
    cross_border: bool | None = None


class Author(_Part):
    """Who signs the letter."""

    name: Text
    title: Text
    email: Text | None = None
    phone: Text | None = None


class LetterContext(_Part):
    """Everything a letter needs, in words; built from the case by the incidents service."""

    organisation: Organisation
    case: Case
    recipient: Recipient | None = None
    agreements: tuple[Agreement, ...] = ()
    disclosures: tuple[Disclosure, ...] = ()
    secrets: tuple[Secret, ...] = ()
    people: tuple[Person, ...] = ()
    clocks: tuple[Clock, ...] = ()
    regime: RegimeFacts | None = None
    personal_data: PersonalData | None = None
    legal_steps: tuple[LegalStep, ...] = ()
    measures: tuple[Measure, ...] = ()
    author: Author
    today: date
    #: the date by which the recipient must comply; REPLY_DAYS after today if not given
    respond_by: date | None = None

    @property
    def reply_by(self) -> date:
        """The date by which the recipient must comply."""
        return self.respond_by or self.today + timedelta(days=REPLY_DAYS)


@dataclass(frozen=True)
class TemplateInfo:
    """A letter template: its key, its title, whom it goes to, the regime it follows and the
    parts of the context it cannot do without."""

    key: str
    title: str
    to: str
    regime: Regime | None = None
    needs: tuple[str, ...] = ()
