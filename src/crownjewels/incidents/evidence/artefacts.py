"""The artefacts a case preserves, made from the system's own records with the acting person's
permissions (checked by `preserve` before any is made):

- the **bundle**: the custody evidence bundle (signed, verifiable offline) of the case, of each
  of its subjects and of each item registered before, one zip each, in one zip with a README;
- the **ledger**: the disclosure ledger of each of the case's secrets, as CSV and PDF, in one zip;
- the **findings**: the alerts about its subjects (with the events behind them and their triage
  trail) and the leak matches of its secrets (with their passages), and its origin, as JSON."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid, NotFound
from crownjewels.core.pagination import MAX_LIMIT, PageParams
from crownjewels.custody import export, labels
from crownjewels.custody.errors import EventNotFound
from crownjewels.disclosure.ledger import export as ledger_files
from crownjewels.disclosure.ledger import service as ledger
from crownjewels.disclosure.schemas import LedgerFilter
from crownjewels.incidents import service as cases
from crownjewels.incidents.evidence import repository, service
from crownjewels.incidents.evidence.schemas import EvidenceKind
from crownjewels.incidents.models import Incident, Subject
from crownjewels.leaks.scan import service as scans
from crownjewels.leaks.scan.schemas import MatchFilter, MatchRead
from crownjewels.monitoring.triage import service as triage
from crownjewels.monitoring.triage.schemas import AlertFilter, AlertRead, StatusFilter
from crownjewels.vendors import service as vendors

FINDINGS_FORMAT = "crownjewels-incident-findings-v1"
_UNSAFE = re.compile(r"[^A-Za-z0-9._@-]+")


@dataclass
class Artefact:
    """A file made for the case: its name, bytes, description and what the event records."""

    filename: str
    content: bytes
    description: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Inputs:
    """What every artefact is made from: who acts, the case, its subjects, the signing key."""

    actor: Actor
    case: Incident
    subjects: list[Subject]
    key: Ed25519PrivateKey | None


def _zip(files: dict[str, bytes]) -> bytes:
    """The files in one zip; zips are stored as they are (they are compressed already)."""
    stamp = clock.now().timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = (
                zipfile.ZIP_STORED if name.endswith(".zip") else zipfile.ZIP_DEFLATED
            )
            archive.writestr(info, data)
    return out.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _name(stem: str, taken: dict[str, bytes], suffix: str) -> str:
    base = _UNSAFE.sub("-", stem).strip("-") or "subject"
    name, n = f"{base}{suffix}", 1
    while name in taken:
        n += 1
        name = f"{base}-{n}{suffix}"
    return name


def _heading(session: Session, given: Inputs, what: str) -> list[str]:
    who = labels.actor_text(session, given.actor.ref)
    return [
        f"Crown Jewels: {what} of incident case {given.case.ref} {given.case.title}",
        f"Preserved {clock.now().isoformat()} by {who}.",
        "",
    ]


def _bundle(session: Session, given: Inputs) -> Artefact:
    """One custody evidence bundle per subject: the case, its subjects, its earlier items."""
    case, key = given.case, given.key
    assert key is not None  # _may_preserve refused a bundle without a key
    pairs = [(cases.CASE, case.id)] + [(s.kind, s.subject_id) for s in given.subjects]
    pairs += [(service.SUBJECT, e.id) for e in repository.items_of(session, case.id)]
    named = labels.subjects(session, pairs)
    files: dict[str, bytes] = {}
    lines: list[str] = []
    covered: list[str] = []
    skipped: list[str] = []
    for kind, ident in pairs:
        label = named.get(labels.subject_key(kind, ident))
        shown = (
            f"{case.ref} {case.title}" if kind == cases.CASE else (label.text if label else kind)
        )
        short = case.ref if kind == cases.CASE else ((label.short or label.text) if label else kind)
        try:
            data = export.export(
                session, actor=given.actor, key=key, subject_type=kind, subject_id=ident
            )
        except EventNotFound:
            skipped.append(shown)
            continue
        name = _name(f"custody-{short}", files, ".zip")
        files[name] = data
        covered.append(shown)
        lines.append(f"{name}  SHA-256 {_sha(data)}  {shown}")
    readme = [
        *_heading(session, given, "custody evidence bundles"),
        "Each zip below is the custody evidence bundle of one subject of the case: its events,",
        "their inclusion proofs and the signed checkpoints. Verify each offline, without the",
        "database, against the installation's public key (custody-signing.pub):",
        "",
        "    crownjewels custody verify-bundle FILE.zip --public-key custody-signing.pub",
        "",
        *lines,
    ]
    if skipped:
        readme += ["", "With no custody events to export: " + "; ".join(skipped)]
    content = _zip({"README.txt": ("\n".join(readme) + "\n").encode(), **files})
    return Artefact(
        filename=f"evidence-bundle-{case.ref}.zip",
        content=content,
        description=f"Custody evidence bundles (signed, verifiable offline) of "
        f"{'; '.join(covered)}",
        facts={"bundles": {n: _sha(d) for n, d in files.items()}},
    )


def _ledger(session: Session, given: Inputs) -> Artefact:
    """The disclosure ledger of each of the case's secrets, as CSV and PDF."""
    case, actor = given.case, given.actor
    secrets = [s.subject_id for s in given.subjects if s.kind == "secret"]
    if not secrets:
        raise Invalid(
            f"{case.ref} concerns no secret, and the disclosure ledger is kept per secret; add "
            "the secrets it concerns, or preserve the bundle and the findings alone",
            field="kinds",
        )
    named = labels.subjects(session, [("secret", s) for s in secrets])
    who = labels.actor_text(session, actor.ref)
    files: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    for secret in secrets:
        label = named.get(labels.subject_key("secret", secret))
        ref = label.short if label and label.short else secret
        wanted = LedgerFilter(secret=ref)
        entries = ledger.list_entries(session, actor=actor, filters=wanted)
        people = ledger_files.people_of(session, entries)
        files[f"{ref}-ledger.csv"] = ledger_files.to_csv(entries, people).encode()
        files[f"{ref}-ledger.pdf"] = ledger_files.to_pdf(entries, wanted, who, people)
        counts[ref] = len(entries)
    readme = [
        *_heading(session, given, "disclosure ledger snapshot"),
        *(f"{ref}: {n} disclosure{'' if n == 1 else 's'}" for ref, n in counts.items()),
    ]
    readme += ["", *(f"{n}  SHA-256 {_sha(d)}" for n, d in files.items())]
    content = _zip({"README.txt": ("\n".join(readme) + "\n").encode(), **files})
    listed = ", ".join(f"{ref} ({n})" for ref, n in counts.items())
    return Artefact(
        filename=f"disclosure-ledger-{case.ref}.zip",
        content=content,
        description=f"Disclosure ledger of the secrets of {case.ref} as CSV and PDF: {listed}",
        facts={"entries": counts, "files": {n: _sha(d) for n, d in files.items()}},
    )


def _alert_filters(session: Session, given: Inputs) -> list[AlertFilter]:
    out = []
    for s in given.subjects:
        every = {"status": StatusFilter.ALL}
        if s.kind == "secret":
            out.append(AlertFilter.model_validate({**every, "secret": s.subject_id}))
        elif s.kind == "person":
            out.append(AlertFilter.model_validate({**every, "person": s.subject_id}))
        elif s.kind in ("organisation", "vendor"):
            org = s.subject_id
            if s.kind == "vendor":
                org = vendors.get(session, actor=given.actor, vendor_ref=org).organisation_id
            out.append(AlertFilter.model_validate({**every, "organisation": org}))
    return out


def _alerts(session: Session, given: Inputs) -> list[AlertRead]:
    """Every alert about the case's subjects, and the alert it came from."""
    found: dict[str, AlertRead] = {}
    for wanted in _alert_filters(session, given):
        offset = 0
        while True:
            page = PageParams(limit=MAX_LIMIT, offset=offset)
            queue = triage.list_alerts(session, actor=given.actor, filters=wanted, page=page)
            found.update((a.ref, a) for a in queue.alerts)
            offset += len(queue.alerts)
            if not queue.alerts or offset >= queue.total:
                break
    origin = given.case.origin_ref
    if given.case.origin == "alert" and origin and origin not in found:
        # an origin no longer there is left out: the case's own events keep its reference
        with contextlib.suppress(NotFound):
            found[origin] = triage.get(session, actor=given.actor, ref=origin)
    return sorted(found.values(), key=lambda a: (a.created_at, a.ref))


def _matches(session: Session, given: Inputs) -> list[MatchRead]:
    """Every leak match of the case's secrets, and the match it came from."""
    secrets = {s.subject_id for s in given.subjects if s.kind == "secret"}
    found: dict[str, MatchRead] = {}
    offset = 0
    while secrets:
        page = PageParams(limit=MAX_LIMIT, offset=offset)
        rows = scans.list_matches(session, actor=given.actor, status=MatchFilter.ALL, page=page)
        found.update((m.ref, m) for m in rows if m.secret_id in secrets)
        if len(rows) < MAX_LIMIT:
            break
        offset += MAX_LIMIT
    origin = given.case.origin_ref
    if given.case.origin == "leak-match" and origin and origin not in found:
        with contextlib.suppress(NotFound):
            found[origin] = scans.get_match(session, actor=given.actor, ref=origin)
    return sorted(found.values(), key=lambda m: (m.created_at, m.ref))


def _findings(session: Session, given: Inputs) -> Artefact:
    """The alerts and leak matches of the case, with their evidence, as one JSON document."""
    case, actor = given.case, given.actor
    alerts = []
    for alert in _alerts(session, given):
        events, total = triage.evidence(session, actor=actor, ref=alert.ref)
        trail = triage.trail(session, actor=actor, ref=alert.ref)
        alerts.append(
            {
                **alert.model_dump(mode="json"),
                "events": [e.model_dump(mode="json") for e in events],
                "events_total": total,
                "trail": [t.model_dump(mode="json") for t in trail],
            }
        )
    matches = [m.model_dump(mode="json") for m in _matches(session, given)]
    document = {
        "format": FINDINGS_FORMAT,
        "case": case.ref,
        "title": case.title,
        "origin": {"kind": case.origin, "ref": case.origin_ref},
        "preserved_at": clock.now().isoformat(),
        "preserved_by": labels.actor_text(session, actor.ref),
        "alerts": alerts,
        "matches": matches,
    }
    content = (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode()
    return Artefact(
        filename=f"findings-{case.ref}.json",
        content=content,
        description=f"Alerts ({len(alerts)}) and leak matches ({len(matches)}) of {case.ref} "
        "with the events behind them, their triage trail and the matched passages",
        facts={"alerts": [a["ref"] for a in alerts], "matches": [m["ref"] for m in matches]},
    )


#: how each kind is made
MAKERS: dict[EvidenceKind, Callable[[Session, Inputs], Artefact]] = {
    EvidenceKind.BUNDLE: _bundle,
    EvidenceKind.LEDGER: _ledger,
    EvidenceKind.FINDINGS: _findings,
}
