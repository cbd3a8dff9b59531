"""What a person reads and types instead of custody's internal ids. A custody subject is
`type:id` (`secret:01J…`) and an actor `user:01J…`; each capability that owns a kind of subject
registers how to label its ids (TS-0014 Sauce formula, Dana Whitfield) and how to find the ids
a person names by ref, email or name (registry.py wires them), so custody, which sits below
every capability, names them all without importing one. Labels are fetched one query per kind,
never one per row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from crownjewels.custody.errors import BadSubject


@dataclass(frozen=True)
class Label:
    """A subject or actor as a person reads it: its words, its short ref, its page."""

    text: str
    short: str = ""
    url: str | None = None


#: labels for a set of ids of one kind (ids not found are left out)
Labeller = Callable[[Session, set[str]], Mapping[str, Label]]
#: the ids of one kind that a typed ref, email or name names (exact, case-insensitive)
Finder = Callable[[Session, str], list[str]]


@dataclass(frozen=True)
class SubjectKind:
    """How one kind of custody subject is labelled and found."""

    noun: str
    label: Labeller
    find: Finder | None = None


_KINDS: dict[str, SubjectKind] = {}
_USERS: list[Finder] = []


def register(subject_type: str, kind: SubjectKind) -> None:
    """Make subjects of this type readable and typable (called once, from registry.py)."""
    _KINDS[subject_type] = kind


def register_users(find: Finder) -> None:
    """How the user ids a person names by email or name are found (for the actor filter)."""
    _USERS[:] = [find]


def subject_key(subject_type: str, subject_id: str) -> str:
    """The key labels are found under: the subject's `type:id`."""
    return f"{subject_type}:{subject_id}"


def subjects(session: Session, pairs: Iterable[tuple[str, str]]) -> dict[str, Label]:
    """Labels keyed by `type:id` for subjects of registered kinds (one query per kind);
    subjects of other kinds, or since deleted, are left out (the caller shows them plainly)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for subject_type, subject_id in pairs:
        if subject_type in _KINDS:
            wanted[subject_type].add(subject_id)
    out: dict[str, Label] = {}
    for subject_type, ids in wanted.items():
        for subject_id, label in _KINDS[subject_type].label(session, ids).items():
            out[subject_key(subject_type, subject_id)] = label
    return out


def _actor_words(ref: str) -> Label | None:
    kind, _, name = ref.partition(":")
    if kind == "system" and name:
        return Label(text="system" if name == "system" else f"system ({name})")
    if kind == "cli" and name:
        return Label(text=f"{name} (command line)")
    return None


#: a subject whose id is another subject's `type:id`: the export of that subject's evidence
EXPORT = "custody-export"


def refs(session: Session, keys: Iterable[str]) -> dict[str, Label]:
    """Labels of custody refs, subjects (`secret:<id>`) and actors (`user:<id>`, `system:x`,
    `cli:x`) alike; refs of unknown kinds, or whose row is gone, are left out."""
    wanted = set(keys)
    pairs: list[tuple[str, str]] = []
    for key in wanted:
        kind, _, ident = key.partition(":")
        pairs.append((kind, ident))
        if kind == EXPORT:
            inner_type, _, inner_id = ident.partition(":")
            pairs.append((inner_type, inner_id))
    found = subjects(session, pairs)
    out: dict[str, Label] = {}
    for key in wanted:
        kind, _, ident = key.partition(":")
        inner = found.get(ident) if kind == EXPORT else None
        label: Label | None = found.get(key) or _actor_words(key)
        if inner:
            label = Label(text=f"Evidence bundle of {inner.text}", url=inner.url)
        if label:
            out[key] = label
    return out


def actors(session: Session, keys: Iterable[str]) -> dict[str, Label]:
    """Labels of custody actor refs: `user:<id>` as the person's name (their email as the
    short ref), `system:x` as "system (x)", `cli:x` as "x (command line)", others as they are."""
    wanted = set(keys)
    found = refs(session, wanted)
    return {ref: found.get(ref) or Label(text=ref) for ref in wanted}


def actor_texts(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Actors as lines of text, "Dana Whitfield (dana@example.com)" for a user (for files
    such as a PDF or a CSV, where a link cannot carry the email)."""
    return {
        ref: f"{label.text} ({label.short})" if label.short else label.text
        for ref, label in actors(session, keys).items()
    }


def actor_text(session: Session, ref: str) -> str:
    """One actor as a line of text (actor_texts)."""
    return actor_texts(session, [ref])[ref]


def _nouns(kinds: Iterable[str]) -> str:
    words = [_KINDS[k].noun for k in kinds]
    return ", ".join(words[:-1]) + (" or " if len(words) > 1 else "") + words[-1]


def find(session: Session, typed: str, *, kinds: Iterable[str] | None = None) -> tuple[str, str]:
    """The one subject a person typed: a ref (TS-0014, AG-2026-005, VN-0001), an email, a
    name, or the exact `type:id`. Nothing or several found is a plain message."""
    text = typed.strip()
    finders = {k: _KINDS[k].find for k in (kinds or _KINDS) if k in _KINDS}
    searched = [k for k, f in finders.items() if f is not None]
    found = [(k, i) for k, f in finders.items() if f is not None for i in f(session, text)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        named = ", ".join(sorted({_KINDS[k].noun for k, _ in found}))
        raise BadSubject(f"{text!r} names more than one {named}; type its ref or email instead")
    kind, sep, ident = text.partition(":")
    if sep and kind and ident and " " not in text and "@" not in text:
        return kind, ident  # the exact subject a machine reads: the API and the bundle use it
    shown = ["secret", "agreement", "vendor"] if kinds is None else searched
    shown = [k for k in shown if k in _KINDS] or searched
    raise BadSubject(f"No {_nouns(shown)} is called {text}; type its ref, e.g. TS-0001")


def find_actor(session: Session, typed: str) -> str:
    """The actor ref a person typed: an email or a name of someone with a login, or the exact
    ref (`user:…`, `system:…`, `cli:…`)."""
    text = typed.strip()
    ids = _USERS[0](session, text) if _USERS and text else []
    if len(ids) == 1:
        return f"user:{ids[0]}"
    if len(ids) > 1:
        raise BadSubject(f"More than one person is called {text}; type their email", field="by")
    if text.partition(":")[0] in ("user", "system", "cli") and " " not in text:
        return text
    raise BadSubject(f"No one with a login is called {text}; type their email or name", field="by")
