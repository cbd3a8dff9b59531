"""The requirement catalogue and the jurisdiction x agreement-kind profiles, read from
`data/requirements.yaml` and validated; every error names the file and the line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from crownjewels.agreements.analysis.errors import UnknownProfile
from crownjewels.agreements.analysis.types import Strictness
from crownjewels.core.codes import country_code, country_name, subdivision_code
from crownjewels.core.errors import Invalid

DATA_FILE = Path(__file__).parent / "data" / "requirements.yaml"
STRICTNESS: tuple[Strictness, ...] = ("required", "recommended", "flag", "optional")
KINDS = (
    "nda",
    "msa",
    "dpa",
    "sow",
    "employee-confidentiality",
    "contractor-confidentiality",
)
PERSONAL_DATA = re.compile(
    r"personal\s+(?:data|information)|personally\s+identifiable|\bGDPR\b|data\s+subjects?",
    re.IGNORECASE,
)


class CatalogueError(Invalid):
    """The requirement file cannot be used; the message lists `file:line: problem`."""

    def __init__(self, source: str, problems: list[tuple[int | None, str]]) -> None:
        self.problems = problems
        text = "\n".join(
            f"{source}:{ln}: {msg}" if ln else f"{source}: {msg}" for ln, msg in problems
        )
        super().__init__(text, field="file")


@dataclass(frozen=True)
class Cue:
    """A pattern that marks a sentence as being about a requirement, with its weight."""

    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True)
class Requirement:
    """One requirement of the catalogue and how the analyser recognises it."""

    key: str
    title: str
    statement: str
    threshold: float
    cues: tuple[Cue, ...]
    contra: tuple[re.Pattern[str], ...] = ()
    rescue: tuple[re.Pattern[str], ...] = ()
    needs: tuple[re.Pattern[str], ...] = ()
    negatable: bool = True
    precedence: str = "contradicted"
    parent: str | None = None
    applies_when: tuple[re.Pattern[str], ...] = ()


OUTCOMES = ("contradicted", "flag")


@dataclass(frozen=True)
class Expectation:
    """A jurisdiction's check on a satisfied requirement's evidence: under `expect` the evidence
    must match `pattern` (a PRC forum), under `caution` it must not (a perpetual term); a miss
    gives `outcome` (contradicted, or flag: a human must look) with `message`. `kinds` limits
    it to some kinds of agreement (empty: every kind)."""

    pattern: re.Pattern[str]
    message: str
    outcome: str = "contradicted"
    kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Ruling:
    """A jurisdiction's rule that a clause found is contradicted (void), for some kinds only."""

    message: str
    kinds: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Profile:
    """Which requirements apply to one kind of agreement in one jurisdiction, and how strictly."""

    name: str
    kind: str
    jurisdiction: str | None
    strictness: dict[str, Strictness]
    notes: dict[str, str] = field(default_factory=dict)
    expect: dict[str, Expectation] = field(default_factory=dict)
    contradict_when_present: dict[str, str] = field(default_factory=dict)
    personal_data: dict[str, Strictness] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    caution: dict[str, Expectation] = field(default_factory=dict)
    conditions: dict[str, tuple[re.Pattern[str], ...]] = field(default_factory=dict)
    fallback: str | None = None

    def for_text(self, text: str) -> dict[str, Strictness]:
        """The strictness per requirement for this text: personal data raises some, and a
        requirement with a condition (a licence granted) applies only when the text meets it."""
        out = dict(self.strictness)
        if self.personal_data and PERSONAL_DATA.search(text):
            out.update(self.personal_data)
        for key, patterns in self.conditions.items():
            if key in out and not any(p.search(text) for p in patterns):
                del out[key]
        return out


@dataclass(frozen=True)
class Jurisdiction:
    """A jurisdiction record of the profile table: its law, sources and overrides."""

    code: str
    name: str
    law: str
    sources: tuple[str, ...]
    parent: str | None
    members: tuple[str, ...]
    overrides: dict[str, dict[str, Strictness]]
    notes: dict[str, str]
    expect: dict[str, Expectation]
    contradict_when_present: dict[str, Ruling]
    personal_data: dict[str, Strictness]
    caution: dict[str, Expectation] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalogue:
    """The loaded requirement file: requirements, base and kind strictness, jurisdictions."""

    requirements: dict[str, Requirement]
    base: dict[str, Strictness]
    kinds: dict[str, dict[str, Strictness]]
    jurisdictions: dict[str, Jurisdiction]
    reviewed_at: str


class _Reader:
    """Walks the YAML node tree, converting values and collecting (line, problem) pairs."""

    def __init__(self) -> None:
        self.problems: list[tuple[int | None, str]] = []

    def fail(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append((node.start_mark.line + 1 if node is not None else None, message))

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, yaml.Node]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            return {}
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping")
            return {}
        return {str(k.value): v for k, v in node.value}

    def sequence(self, node: yaml.Node | None, what: str) -> list[yaml.Node]:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list")
            return []
        return list(node.value)

    def text(self, node: yaml.Node | None, what: str, *, required: bool = True) -> str:
        if node is None:
            if required:
                self.fail(None, f"{what} is missing")
            return ""
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.fail(node, f"{what} must be a non-empty text")
            return ""
        return str(node.value)

    def regex(self, node: yaml.Node, what: str) -> re.Pattern[str] | None:
        source = self.text(node, what)
        try:
            return re.compile(source, re.IGNORECASE)
        except re.error as exc:
            self.fail(node, f"{what}: invalid regular expression ({exc})")
            return None

    def number(self, node: yaml.Node | None, what: str, default: float) -> float:
        if node is None:
            return default
        try:
            return float(self.text(node, what))
        except ValueError:
            self.fail(node, f"{what} must be a number")
            return default

    def strictness_map(
        self, node: yaml.Node | None, what: str, known: set[str]
    ) -> dict[str, Strictness]:
        out: dict[str, Strictness] = {}
        if node is None:
            return out
        pairs = node.value if isinstance(node, yaml.MappingNode) else []
        for key_node, value_node in pairs:
            key = str(key_node.value)
            value = str(value_node.value)
            if key not in known:
                self.fail(key_node, f"{what}: unknown requirement {key!r}")
            elif value not in STRICTNESS:
                self.fail(
                    value_node,
                    f"{what}.{key}: strictness {value!r} is not one of {', '.join(STRICTNESS)}",
                )
            else:
                out[key] = value
        if not isinstance(node, yaml.MappingNode) and not (
            isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")
        ):
            self.fail(node, f"{what} must be a mapping of requirement: strictness")
        return out


def _requirement(r: _Reader, node: yaml.Node, index: int) -> Requirement | None:
    """One requirement record, or None when it is broken (the problems are recorded)."""
    m = r.mapping(node, f"requirements[{index}]")
    key = r.text(m.get("key"), f"requirements[{index}].key")
    if not key:
        return None
    where = f"requirement {key}"
    cues: list[Cue] = []
    for cue_node in r.sequence(m.get("cues"), f"{where}.cues"):
        parts = r.sequence(cue_node, f"{where}.cues item")
        if len(parts) != 2:
            r.fail(cue_node, f"{where}: a cue is [pattern, weight]")
            continue
        pattern = r.regex(parts[0], f"{where} cue")
        weight = r.number(parts[1], f"{where} cue weight", 0.0)
        if pattern is not None:
            cues.append(Cue(pattern, weight))
    if not cues:
        r.fail(node, f"{where} has no cues")

    def patterns(name: str) -> tuple[re.Pattern[str], ...]:
        found = [r.regex(n, f"{where}.{name}") for n in r.sequence(m.get(name), f"{where}.{name}")]
        return tuple(p for p in found if p is not None)

    precedence = (
        r.text(m.get("precedence"), f"{where}.precedence", required=False) or "contradicted"
    )
    if precedence not in {"contradicted", "satisfied"}:
        r.fail(m.get("precedence"), f"{where}.precedence must be contradicted or satisfied")
    negatable = r.text(m.get("negatable"), f"{where}.negatable", required=False) or "true"
    if negatable.lower() not in {"true", "false"}:
        r.fail(m.get("negatable"), f"{where}.negatable must be true or false")
    known = {"key", "title", "statement", "threshold", "cues", "contra", "rescue", "needs",
             "negatable", "precedence", "parent", "applies_when"}  # fmt: skip
    for name, value in m.items():
        if name not in known:
            r.fail(value, f"{where}: unknown field {name!r}")
    return Requirement(
        key=key,
        title=r.text(m.get("title"), f"{where}.title"),
        statement=r.text(m.get("statement"), f"{where}.statement"),
        threshold=r.number(m.get("threshold"), f"{where}.threshold", 3.0),
        cues=tuple(cues),
        contra=patterns("contra"),
        rescue=patterns("rescue"),
        needs=patterns("needs"),
        negatable=negatable.lower() == "true",
        precedence=precedence,
        parent=r.text(m.get("parent"), f"{where}.parent", required=False) or None,
        applies_when=patterns("applies_when"),
    )


def _kinds(r: _Reader, node: yaml.Node | None, what: str) -> frozenset[str]:
    kinds = frozenset(r.text(n, what) for n in r.sequence(node, what))
    for kind in sorted(kinds - set(KINDS)):
        r.fail(node, f"{what}: unknown kind {kind!r} (known: {', '.join(KINDS)})")
    return kinds


def _expectations(
    r: _Reader, node: yaml.Node | None, where: str, section: str = "expect"
) -> dict[str, Expectation]:
    out: dict[str, Expectation] = {}
    for key, value in r.mapping(node, f"{where}.{section}").items():
        what = f"{where}.{section}.{key}"
        m = r.mapping(value, what)
        pattern = r.regex(m["pattern"], f"{what}.pattern") if "pattern" in m else None
        message = r.text(m.get("message"), f"{what}.message")
        outcome = r.text(m.get("outcome"), f"{what}.outcome", required=False) or (
            "flag" if section == "caution" else "contradicted"
        )
        if outcome not in OUTCOMES:
            r.fail(m.get("outcome"), f"{what}.outcome must be one of {', '.join(OUTCOMES)}")
        if pattern is None and "pattern" not in m:
            r.fail(value, f"{what}: pattern is missing")
        if pattern is not None:
            out[key] = Expectation(pattern, message, outcome, _kinds(r, m.get("kinds"), what))
    return out


def _rulings(r: _Reader, node: yaml.Node | None, where: str) -> dict[str, Ruling]:
    """`requirement: message` (every kind) or `requirement: {message, kinds}`."""
    out: dict[str, Ruling] = {}
    for key, value in r.mapping(node, where).items():
        if isinstance(value, yaml.MappingNode):
            m = r.mapping(value, f"{where}.{key}")
            kinds = _kinds(r, m.get("kinds"), f"{where}.{key}.kinds")
            out[key] = Ruling(r.text(m.get("message"), f"{where}.{key}.message"), kinds)
        else:
            out[key] = Ruling(r.text(value, f"{where}.{key}"))
    return out


def _texts(r: _Reader, node: yaml.Node | None, what: str) -> dict[str, str]:
    return {k: r.text(v, f"{what}.{k}") for k, v in r.mapping(node, what).items()}


def parse(source_text: str, source: str) -> Catalogue:
    """A catalogue from YAML text; CatalogueError lists every problem with its line."""
    r = _Reader()
    try:
        root = yaml.compose(source_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise CatalogueError(source, [(line, f"not valid YAML: {exc}")]) from exc
    top = r.mapping(root, "the file")
    requirements: dict[str, Requirement] = {}
    for i, node in enumerate(r.sequence(top.get("requirements"), "requirements")):
        req = _requirement(r, node, i)
        if req is None:
            continue
        if req.key in requirements:
            r.fail(node, f"requirement {req.key!r} is defined twice")
        requirements[req.key] = req
    if not requirements:
        r.fail(root, "requirements: the catalogue is empty")
    for key, req in requirements.items():
        if req.parent is not None and req.parent not in requirements:
            r.problems.append((None, f"requirement {key}: parent {req.parent!r} is not defined"))
    known = set(requirements)
    profiles = r.mapping(top.get("profiles"), "profiles")
    base = r.strictness_map(profiles.get("base"), "profiles.base", known)
    kinds: dict[str, dict[str, Strictness]] = {}
    for kind, node in r.mapping(profiles.get("kinds"), "profiles.kinds").items():
        if kind not in KINDS:
            r.fail(node, f"profiles.kinds: unknown kind {kind!r} (known: {', '.join(KINDS)})")
        kinds[kind] = r.strictness_map(node, f"profiles.kinds.{kind}", known)
    jurisdictions: dict[str, Jurisdiction] = {}
    for code, node in r.mapping(profiles.get("jurisdictions"), "profiles.jurisdictions").items():
        where = f"profiles.jurisdictions.{code}"
        m = r.mapping(node, where)
        overrides: dict[str, dict[str, Strictness]] = {}
        for kind, onode in r.mapping(m.get("overrides"), f"{where}.overrides").items():
            if kind != "all" and kind not in KINDS:
                r.fail(onode, f"{where}.overrides: unknown kind {kind!r}")
            overrides[kind] = r.strictness_map(onode, f"{where}.overrides.{kind}", known)
        members = tuple(
            r.text(n, f"{where}.members") for n in r.sequence(m.get("members"), f"{where}.members")
        )
        jurisdictions[code] = Jurisdiction(
            code=code,
            name=r.text(m.get("name"), f"{where}.name"),
            law=r.text(m.get("law"), f"{where}.law"),
            sources=tuple(
                r.text(n, f"{where}.sources")
                for n in r.sequence(m.get("sources"), f"{where}.sources")
            ),
            parent=r.text(m.get("parent"), f"{where}.parent", required=False) or None,
            members=members,
            overrides=overrides,
            notes=_texts(r, m.get("notes"), f"{where}.notes"),
            expect=_expectations(r, m.get("expect"), where),
            contradict_when_present=_rulings(
                r, m.get("contradict_when_present"), f"{where}.contradict_when_present"
            ),
            personal_data=r.strictness_map(m.get("personal_data"), f"{where}.personal_data", known),
            caution=_expectations(r, m.get("caution"), where, "caution"),
        )
    for code, j in jurisdictions.items():
        if j.parent is not None and j.parent not in jurisdictions:
            r.problems.append((None, f"jurisdiction {code}: parent {j.parent!r} is not defined"))
    if r.problems:
        raise CatalogueError(source, r.problems)
    reviewed = top.get("reviewed_at")
    return Catalogue(
        requirements=requirements,
        base=base,
        kinds=kinds,
        jurisdictions=jurisdictions,
        reviewed_at=str(reviewed.value) if isinstance(reviewed, yaml.ScalarNode) else "",
    )


def load(path: Path) -> Catalogue:
    """The catalogue in `path`; CatalogueError names the file and line of each problem."""
    return parse(path.read_text(encoding="utf-8"), str(path))


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The shipped catalogue (read once)."""
    return load(DATA_FILE)


def _known(cat: Catalogue) -> str:
    """The jurisdictions with a profile, for messages."""
    own = ", ".join(sorted(cat.jurisdictions))
    members = sorted({m for j in cat.jurisdictions.values() for m in j.members})
    return f"{own} (and {', '.join(members[:3])} … through their parent profiles)"


def _resolve(cat: Catalogue, code: str) -> str | None:
    """The profile code for `code` itself or as a member or alias (DE -> EU, UK -> GB)."""
    if code in cat.jurisdictions:
        return code
    return next((j.code for j in cat.jurisdictions.values() if code in j.members), None)


def _chain(cat: Catalogue, jurisdiction: str | None) -> tuple[list[Jurisdiction], str | None]:
    """The jurisdiction records that apply, outermost first (US before US-CA; EU for DE), and,
    when the jurisdiction has no profile of its own, the notice naming the fallback used
    instead (the country's profile for a subdivision, else the generic profile). A code that is
    no ISO 3166 country or subdivision is refused."""
    if jurisdiction is None:
        return [], None
    code = jurisdiction.strip().upper().replace("_", "-")
    found = _resolve(cat, code)
    fallback: str | None = None
    if found is None:
        country = code.split("-", 1)[0]
        try:
            (subdivision_code if "-" in code else country_code)(code)
        except ValueError:
            raise UnknownProfile(
                f"jurisdiction {jurisdiction!r} is not an ISO 3166 country (such as US, DE, IN) "
                f"or subdivision (such as US-CA); requirement profiles exist for {_known(cat)}; "
                "omit it for the generic profile",
                field="jurisdiction",
            ) from None
        found = _resolve(cat, country) if "-" in code else None
        place = f"{code} ({country_name(country)})" if "-" not in code else code
        used = f"the {found} profile" if found else "the generic profile"
        fallback = (
            f"no requirement profile for jurisdiction {place}: analysed under {used} instead "
            f"(profiles exist for {_known(cat)}); local law was not checked"
        )
    chain: list[Jurisdiction] = []
    current: str | None = found
    while current is not None:
        j = cat.jurisdictions[current]
        chain.insert(0, j)
        current = j.parent
    return chain, fallback


def has_profile(jurisdiction: str) -> bool:
    """Whether `jurisdiction` has a requirement profile of its own (or as a member state)."""
    code = jurisdiction.strip().upper().replace("_", "-")
    return _resolve(catalogue(), code) is not None


def profile_for(kind: str, jurisdiction: str | None = None) -> Profile:
    """The requirements that apply to `kind` in `jurisdiction`, with strictness and notes; a
    country without a profile gets the fallback (its `fallback` notice says which)."""
    cat = catalogue()
    if kind not in KINDS:
        raise UnknownProfile(
            f"unknown kind of agreement {kind!r}; use one of {', '.join(KINDS)}", field="kind"
        )
    strictness: dict[str, Strictness] = {**cat.base, **cat.kinds.get(kind, {})}
    notes: dict[str, str] = {}
    expect: dict[str, Expectation] = {}
    contradict: dict[str, str] = {}
    personal: dict[str, Strictness] = {}
    caution: dict[str, Expectation] = {}
    sources: list[str] = []
    chain, fallback = _chain(cat, jurisdiction)
    for j in chain:
        strictness.update(j.overrides.get("all", {}))
        strictness.update(j.overrides.get(kind, {}))
        notes.update(j.notes)
        expect.update({k: e for k, e in j.expect.items() if not e.kinds or kind in e.kinds})
        caution.update({k: e for k, e in j.caution.items() if not e.kinds or kind in e.kinds})
        contradict.update(
            {
                k: c.message
                for k, c in j.contradict_when_present.items()
                if not c.kinds or kind in c.kinds
            }
        )
        personal.update(j.personal_data)
        sources.extend(j.sources)
    order = list(cat.requirements)
    ordered = {k: strictness[k] for k in order if k in strictness}
    name = f"{kind}/{chain[-1].code}" if chain else f"{kind}/generic"
    return Profile(
        name=name,
        kind=kind,
        jurisdiction=chain[-1].code if chain else None,
        strictness=ordered,
        notes=notes,
        expect=expect,
        contradict_when_present=contradict,
        personal_data=personal,
        sources=tuple(sources),
        caution=caution,
        conditions={k: r.applies_when for k, r in cat.requirements.items() if r.applies_when},
        fallback=fallback,
    )
