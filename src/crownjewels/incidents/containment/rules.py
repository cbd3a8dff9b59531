"""Pure rules of a containment: the one-line summary of a plan in words ("12 grants of 3 people
at Lotus Process Services; 2 accounts; 4 tokens; legal hold on 7 documents of TS-0003 and
TS-0010"), what is already so, and the digest that names exactly one plan."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from crownjewels.incidents.containment.schemas import StepKind

#: hex characters of a plan's digest (80 bits: two different plans never share one by chance)
DIGEST_CHARS = 20
#: what an item already in the target state is, per kind ("already suspended: 2")
_ALREADY: dict[StepKind, str] = {
    StepKind.GRANTS: "already suspended",
    StepKind.ACCOUNTS: "already disabled",
    StepKind.VENDORS: "already suspended",
    StepKind.HOLDS: "already on legal hold",
    StepKind.COPIES: "already marked compromised",
    StepKind.MONITORING: "already under heightened thresholds for this case",
}


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 grant", "12 grants", "3 people"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def join_words(items: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


@dataclass(frozen=True)
class Tally:
    """What a plan changes, counted as its summary says it."""

    grants: int = 0
    grant_people: int = 0
    organisations: tuple[str, ...] = ()
    accounts: int = 0
    tokens: int = 0
    sessions: int = 0
    vendors: tuple[str, ...] = ()
    documents: int = 0
    document_secrets: tuple[str, ...] = ()
    copies: int = 0
    watched: int = 0


def summary(tally: Tally) -> str:
    """The plan in one line, its parts in the order containment runs them."""
    parts = []
    if tally.grants:
        grants = (
            f"{plural(tally.grants, 'grant')} of {plural(tally.grant_people, 'person', 'people')}"
        )
        if tally.organisations:
            grants += f" at {join_words(tally.organisations)}"
        parts.append(grants)
    for count, one in ((tally.accounts, "account"), (tally.tokens, "token")):
        if count:
            parts.append(plural(count, one))
    if tally.sessions:
        parts.append(plural(tally.sessions, "session"))
    if tally.vendors:
        parts.append(
            f"{'vendor' if len(tally.vendors) == 1 else 'vendors'} {join_words(tally.vendors)}"
        )
    if tally.documents:
        hold = f"legal hold on {plural(tally.documents, 'document')}"
        if tally.document_secrets:
            hold += f" of {join_words(tally.document_secrets)}"
        parts.append(hold)
    if tally.copies:
        parts.append(f"{plural(tally.copies, 'copy', 'copies')} marked compromised")
    if tally.watched:
        parts.append(f"heightened monitoring of {plural(tally.watched, 'person', 'people')}")
    return "; ".join(parts) or "nothing to change"


def already_words(kind: StepKind, count: int) -> str | None:
    """ "already suspended: 2", or None when nothing of the kind is already so."""
    if not count or kind not in _ALREADY:
        return None
    return f"{_ALREADY[kind]}: {count}"


def digest(changes: Iterable[tuple[str, str]]) -> str:
    """The digest of a plan's changes (kind, what it acts on), whatever their order: the same
    changes, the same digest; one more, one less or another, a different one."""
    canonical = json.dumps(sorted(set(changes)), separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:DIGEST_CHARS]
