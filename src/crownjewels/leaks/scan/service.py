"""The verbs of scanning: scan a target end to end, and read scans and matches.

A scan reads each file of its target (`sources.read_target`), passes it to disclosure's
`identify` (a watermarked copy names its recipient and copy; a file equal to a vault original
is that original), extracts its text (`core.text.extract`), fingerprints it and queries the
index of every secret's documents. Each document (or canary honey string) found in a file is a
match (LM-0001) with its passages (offsets and lines on both sides), its verdict in words, a
LEAK_MATCH_FOUND custody event and one monitoring signal (SignalKind.LEAK_MATCH); the scan
(LS-0001) ends with LEAK_SCAN_COMPLETED. Kept as evidence: each file's path, SHA-256, size and
the matched offsets; never a scanned file's content.

Who: scanning a file someone hands over (an upload, pasted text, a URL) needs leaks:review;
scanning what the server itself reaches (a path, a repository, a bucket) needs leaks:manage;
reading scans and matches needs leaks:read."""

from __future__ import annotations

import hashlib
import posixpath
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor
from crownjewels.core.errors import Invalid
from crownjewels.core.ids import new_id
from crownjewels.core.pagination import PageParams
from crownjewels.core.permissions import Permission as P
from crownjewels.core.refs import next_ref
from crownjewels.core.text import extract
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.schemas import Identification
from crownjewels.inventory import service as inventory
from crownjewels.leaks.canary import service as canary
from crownjewels.leaks.errors import ScanNotFound
from crownjewels.leaks.fingerprint import Comparison, fingerprint, language_of
from crownjewels.leaks.index import service as leak_index
from crownjewels.leaks.models import Match, Scan, ScannedFile
from crownjewels.leaks.scan import repository, verdicts
from crownjewels.leaks.scan.schemas import (
    FileRead,
    MatchFilter,
    MatchRead,
    Passage,
    ScanDetail,
    ScanOutcome,
    ScanRead,
)
from crownjewels.leaks.scan.sources import Item, ScanLimits, kind_of, read_target
from crownjewels.leaks.schemas import MatchStatus, ScanStatus, TargetKind
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.schemas import Severity, Signal, SignalKind
from crownjewels.settings import Settings

SCAN_SUBJECT = "leak-scan"
MATCH_SUBJECT = "leak-match"
#: the most passages a match keeps (longest first); the similarity counts them all
MAX_PASSAGES = 50
#: targets the server itself reaches: leaks:manage
SERVER_SIDE = frozenset(
    {TargetKind.FILE, TargetKind.FOLDER, TargetKind.ARCHIVE, TargetKind.GIT, TargetKind.S3}
)
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".txz", ".tbz2")
PASTED = "pasted text"


# --- who may scan what ------------------------------------------------------------------------


def may_scan(actor: Actor, kind: TargetKind) -> None:
    """Raise Forbidden unless the actor may scan that kind of target."""
    if kind in SERVER_SIDE:
        actor.require(P.LEAKS_MANAGE, what="scanning a path, repository or bucket of the server")
    else:
        actor.require(P.LEAKS_REVIEW, what="scanning a file, text or URL")


# --- scanning ---------------------------------------------------------------------------------


@dataclass
class _Context:
    """What one scan carries from file to file."""

    session: Session
    actor: Actor
    key: bytes | None
    index: Any
    keep_text: bool
    watch_id: str | None
    texts: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    found: list[Match] = field(default_factory=list)
    #: the scan's row, written once every file was read (None while reading)
    row: Scan | None = None
    #: sources matched while reading whose document was destroyed before the write
    gone: set[str] = field(default_factory=set)

    @property
    def scan(self) -> Scan:
        """The scan's row (there once the reading is done)."""
        assert self.row is not None, "the scan is written after its files are read"
        return self.row

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


@dataclass(frozen=True)
class _Hit:
    """A document (or honey string) found in one file, before it is written."""

    #: the index entry matched (none for a copy found by its marks alone), and its kind
    source_id: str | None
    source_kind: str | None
    comparison: Comparison | None
    secret_id: str | None
    document_id: str | None
    version_number: int | None
    token_id: str | None
    name: str


@dataclass
class Reading:
    """A scan read and compared, nothing written yet: `record` writes it. A caller holding a
    write lock only while it writes reads in a read-only unit of work, then records in a short
    write unit of its own (`scan` does both in one session)."""

    ctx: _Context
    kind: TargetKind
    shown: str
    started: datetime
    reads: list[_Read]


def scan(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    target: str | None = None,
    kind: TargetKind | None = None,
    text: str | None = None,
    label: str | None = None,
    watch_id: str | None = None,
    keep_text: bool = False,
) -> ScanOutcome:
    """`read` then `record`, both in `session`."""
    reading = read(
        session,
        actor=actor,
        settings=settings,
        target=target,
        kind=kind,
        text=text,
        label=label,
        watch_id=watch_id,
        keep_text=keep_text,
    )
    return record(session, reading)


def scan_upload(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    filename: str,
    data: bytes,
    keep_text: bool = False,
) -> ScanOutcome:
    """`read_upload` then `record`, both in `session`."""
    reading = read_upload(
        session, actor=actor, settings=settings, filename=filename, data=data, keep_text=keep_text
    )
    return record(session, reading)


def read(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    target: str | None = None,
    kind: TargetKind | None = None,
    text: str | None = None,
    label: str | None = None,
    watch_id: str | None = None,
    keep_text: bool = False,
) -> Reading:
    """Read and compare a target (a path, git repository, s3://bucket/prefix or URL) or pasted
    `text`; `label` is the target as people read it when it differs (an uploaded file's
    name). `keep_text` returns the text of each matched file for the page that ran the scan.
    Nothing is written: `record` writes the scan."""
    if text is not None:
        kind, where = TargetKind.TEXT, text
        shown = label or f"{PASTED} ({len(text):,} characters)"
        if not text.strip():
            raise Invalid("the text to scan is empty; paste the suspect text", field="text")
    else:
        if not target or not target.strip():
            raise Invalid("give a path, repository, s3://bucket/prefix or URL", field="target")
        if kind is None and not target.strip().lower().startswith(("http://", "https://")):
            # telling a folder from a file reads the server's disk: who may not scan the
            # server's paths learns nothing of what is there, not even whether it exists
            may_scan(actor, TargetKind.FOLDER)
        kind = kind or kind_of(target)
        where, shown = target.strip(), label or target.strip()
    may_scan(actor, kind)
    return _read_all(session, actor, settings, kind, where, shown, watch_id, keep_text)


def read_upload(
    session: Session,
    *,
    actor: Actor,
    settings: Settings,
    filename: str,
    data: bytes,
    keep_text: bool = False,
) -> Reading:
    """Read a file someone uploaded (an archive is opened within the archive limits); the
    scan names it "uploaded NAME". leaks:review. Nothing is written: `record` writes it."""
    actor.require(P.LEAKS_REVIEW, what="scanning a file, text or URL")
    name = posixpath.basename(filename.replace("\\", "/")).strip()
    if name in ("", ".", "..") or len(name.encode()) > 200:  # no file of that name is written
        name = "upload" + "".join(PurePosixPath(name).suffixes[-2:])[:20]
    if not data:
        raise Invalid(f"{name} is empty; choose the suspect file", field="file")
    kind = TargetKind.ARCHIVE if name.lower().endswith(ARCHIVE_SUFFIXES) else TargetKind.FILE
    with tempfile.TemporaryDirectory(prefix="crownjewels-scan-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        shown = f"uploaded {name}"
        return _read_all(session, actor, settings, kind, str(path), shown, None, keep_text)


def _read_all(
    session: Session,
    actor: Actor,
    settings: Settings,
    kind: TargetKind,
    where: str,
    shown: str,
    watch_id: str | None,
    keep_text: bool,
) -> Reading:
    """Read and compare every file: nothing is written, so no lock is held however long a
    clone, a bucket or a folder takes; each file leaves its evidence and matches, never its
    content."""
    ctx = _Context(
        session=session,
        actor=actor,
        key=disclosure.issuer(settings).key if actor.can(P.DOCUMENTS_READ) else None,
        index=leak_index.load(session),
        keep_text=keep_text,
        watch_id=watch_id,
    )
    started = clock.now()
    limits = ScanLimits.from_settings(settings)
    reads: list[_Read] = []
    items = read_target(where, kind=kind, limits=limits)
    try:  # a failure mid-way closes the reader now (its clone, its git processes)
        for item in items:
            found = _read_item(ctx, item)
            if found is not None:
                reads.append(found)
    finally:
        close = getattr(items, "close", None)
        if close is not None:
            close()
    return Reading(ctx=ctx, kind=kind, shown=shown, started=started, reads=reads)


def record(session: Session, reading: Reading) -> ScanOutcome:
    """One short write: the scan, its files, the copies named, the matches and their events."""
    ctx, reads = reading.ctx, reading.reads
    ctx.session = session
    matched = {h.source_id for r in reads for h in r.hits if h.source_id}
    ctx.gone = matched - set(repository.sources(session, matched))
    ctx.row = Scan(
        id=new_id(),
        ref=next_ref(session, Scan.ref, "LS-", 4),
        target_kind=reading.kind.value,
        target=reading.shown,
        watch_id=ctx.watch_id,
        started_at=reading.started,
        finished_at=None,
        started_by=ctx.actor.ref,
        status=ScanStatus.RUNNING.value,
        error=None,
        files=len(reads),
        bytes=sum(r.size for r in reads),
        matches=0,
        identified=sum(1 for r in reads if r.named is not None and r.named.known),
        skipped={},
    )
    session.add(ctx.row)
    session.flush()
    for one in reads:
        _write_file(ctx, one)
    _finish(ctx)
    detail = _detail(session, ctx.scan)
    wanted = {m.file_path for m in detail.found}
    return ScanOutcome(scan=detail, texts={p: t for p, t in ctx.texts.items() if p in wanted})


def _finish(ctx: _Context) -> None:
    row = ctx.scan
    row.status = ScanStatus.DONE.value
    row.finished_at = clock.now()
    row.matches = len(ctx.found)
    row.skipped = dict(sorted(ctx.skipped.items()))
    custody.record(
        ctx.session,
        actor=ctx.actor,
        event_type=EventType.LEAK_SCAN_COMPLETED,
        subject_type=SCAN_SUBJECT,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "target_kind": row.target_kind,
            "target": row.target[:500],
            "files": row.files,
            "bytes": row.bytes,
            "matches": [m.ref for m in ctx.found],
            "identified": row.identified,
            "skipped": row.skipped,
            **({"watch_id": ctx.watch_id} if ctx.watch_id else {}),
        },
    )
    ctx.session.flush()


@dataclass(frozen=True)
class _Read:
    """One file as the reading saw it: its evidence, what its marks say, what it matched."""

    path: str
    sha256: str
    size: int
    media_type: str
    named: Identification | None
    hits: list[_Hit]


def _read_item(ctx: _Context, item: Item) -> _Read | None:
    """One file read: its digest, its marks, its text's fingerprints against the index (None
    for a skipped file, counted by its reason). Nothing is written."""
    if item.skipped is not None:
        ctx.skip(_reason(item.skipped))
        return None
    named = _identify(ctx, item)
    return _Read(
        path=item.path,
        sha256=hashlib.sha256(item.data).hexdigest(),
        size=len(item.data),
        media_type=item.media_type[:120],
        named=named,
        hits=_with_marks(ctx, _hits(ctx, item), named),
    )


def _write_file(ctx: _Context, read: _Read) -> None:
    """One file's evidence row, the copy its marks name (COPY_IDENTIFIED), its new matches."""
    named = read.named
    record = ScannedFile(
        id=new_id(),
        scan_id=ctx.scan.id,
        path=read.path,
        sha256=read.sha256,
        size=read.size,
        media_type=read.media_type,
        verdict=named.verdict.value if named else None,
        copy_id=named.copy_id if named else None,
        identified=named.message if named else None,
    )
    ctx.session.add(record)
    if named is not None and named.identified:
        disclosure.record_identified(ctx.session, actor=ctx.actor, result=named)
    hits = [h for h in read.hits if h.source_id not in ctx.gone]
    for _ in range(len(read.hits) - len(hits)):
        ctx.skip("matched a document destroyed while the scan read")
    if ctx.watch_id and hits:
        seen = repository.seen_keys(
            ctx.session, ctx.watch_id, {match_key(read.sha256, _what(h)) for h in hits}
        )
        fresh = [h for h in hits if match_key(read.sha256, _what(h)) not in seen]
        for _ in range(len(hits) - len(fresh)):
            ctx.skip("matches reported before")
        hits = fresh
    if not hits:
        return
    ctx.session.flush()
    for hit in hits:
        ctx.found.append(_write_match(ctx, record, hit, named))


def _identify(ctx: _Context, item: Item) -> Identification | None:
    """What the file's marks say (None when the actor may not read documents)."""
    if ctx.key is None:
        return None
    try:
        return disclosure.identify(
            ctx.session,
            actor=ctx.actor,
            key=ctx.key,
            data=item.data,
            media_type=item.media_type,
            record=False,  # recorded with the scan's other writes (_write_file)
        )
    except Invalid:
        return None


def _name(item: Item) -> str:
    path = item.path.split("@", 1)[0] if "@" in item.path else item.path
    return posixpath.basename(path.rstrip("/")) or path


def _hits(ctx: _Context, item: Item) -> list[_Hit]:
    """The documents and honey strings the file's text shares fingerprints with: the best
    version of each document."""
    try:
        text = extract(item.data, filename=_name(item), media_type=item.media_type)
    except Invalid as exc:
        ctx.skip(_reason(exc.message))
        return []
    if not text.strip():
        ctx.skip("no text")
        return []
    # a paste site serves code as text/plain, paste.txt: the content says it is code
    name = _name(item)
    prints = fingerprint(text, name=name, language=language_of(name, text) or language_of("", text))
    found: dict[str, Comparison] = ctx.index.query(prints)
    if not found:
        return []
    if ctx.keep_text:
        ctx.texts[item.path] = text
    rows = repository.sources(ctx.session, found)
    best: dict[str, _Hit] = {}
    for source_id, comparison in found.items():
        source = rows.get(source_id)
        if source is None:
            continue
        key = source.document_id or source.token_id or source.id
        seen = best.get(key)
        if (
            seen is not None
            and seen.comparison is not None
            and (comparison.similarity, source.version_number or 0)
            <= (seen.comparison.similarity, seen.version_number or 0)
        ):
            continue
        best[key] = _Hit(
            source_id=source.id,
            source_kind=source.kind,
            comparison=comparison,
            secret_id=source.secret_id,
            document_id=source.document_id,
            version_number=source.version_number,
            token_id=source.token_id,
            name=source.name,
        )
    return sorted(best.values(), key=lambda h: -(h.comparison.similarity if h.comparison else 0))


def _reason(message: str) -> str:
    """A skip reason to count files by ("a binary file", "over the size limit for one file");
    the scan's own stop is kept whole, as it says what was left unread."""
    if "limit for one file" in message:
        return "over the size limit for one file"
    if message.startswith("not read, nor anything after it"):
        return message
    if "archive inside an archive" in message:
        return "an archive nested too deep"
    head = message.split(";", 1)[0].split(":", 1)[0].strip()
    return head[:120] or "unreadable"


def _with_marks(ctx: _Context, hits: list[_Hit], named: Identification | None) -> list[_Hit]:
    """A watermarked copy or an original is a match even when no fingerprint was found (a
    scanned PDF, an image): of its document, when no hit is of that document already."""
    if named is None or not named.known:
        return hits
    if named.record is not None:
        owner_type, owner_id = named.record.owner_type, named.record.owner_id
        document_id, version = named.record.document_id, named.record.version_number
        name = named.record.document_title or document_id
    elif named.original is not None:
        owner_type, owner_id = named.original.owner_type, named.original.owner_id
        document_id, version = named.original.document_id, named.original.version_number
        name = named.original.document_title
    else:  # pragma: no cover - known means one of the two
        return hits
    if any(h.document_id == document_id for h in hits) or owner_type != "secret":
        return hits
    return [
        _Hit(
            source_id=None,
            source_kind=None,
            comparison=None,
            secret_id=owner_id,
            document_id=document_id,
            version_number=version,
            token_id=None,
            name=name,
        ),
        *hits,
    ]


def _secret_ref(session: Session, secret_id: str | None) -> str | None:
    if not secret_id:
        return None
    found = inventory.secrets_by_ids(session, {secret_id})
    return found[0].ref if found else None


def _passages(comparison: Comparison | None) -> list[dict[str, Any]]:
    if comparison is None:
        return []
    return [
        {
            "source": [f.source_start, f.source_end, f.source_lines[0], f.source_lines[1]],
            "suspect": [f.suspect_start, f.suspect_end, f.suspect_lines[0], f.suspect_lines[1]],
            "units": f.units,
            "channel": f.channel,
        }
        for f in comparison.fragments[:MAX_PASSAGES]
    ]


def _verdict(ctx: _Context, hit: _Hit, named: Identification | None) -> str:
    secret = _secret_ref(ctx.session, hit.secret_id)
    document = f"{secret} {hit.name}" if secret else hit.name
    parts: list[str] = []
    if named is not None and named.identified and named.record is not None:
        if named.record.document_id == hit.document_id or hit.comparison is None:
            parts.append(
                verdicts.watermark(
                    verdicts.CopyNamed(
                        copy_id=named.record.id,
                        recipient=named.record.recipient_name,
                        organisation=named.record.recipient_organisation or None,
                        issued_at=named.record.issued_at,
                    )
                )
            )
    elif (
        named is not None
        and named.original is not None
        and named.original.document_id == hit.document_id
    ):
        parts.append(verdicts.original(document=document, version=named.original.version_number))
    if hit.token_id:
        token = repository.token_refs(ctx.session, [hit.token_id]).get(hit.token_id, "?")
        parts.append(verdicts.honey(token=token, secret=secret))
    elif hit.comparison is not None:
        c = hit.comparison
        parts.append(
            verdicts.fingerprints(
                verdicts.Found(
                    kind=hit.source_kind or "text",
                    similarity=c.similarity,
                    longest_units=c.longest_units,
                    longest_lines=c.longest_lines,
                    passages=len(c.fragments),
                    renamed=c.renamed,
                    verbatim=c.verbatim,
                ),
                document=document,
            )
        )
    return verdicts.combine(*parts)


def _write_match(
    ctx: _Context, file: ScannedFile, hit: _Hit, named: Identification | None
) -> Match:
    c = hit.comparison
    row = Match(
        id=new_id(),
        ref=next_ref(ctx.session, Match.ref, "LM-", 4),
        scan_id=ctx.scan.id,
        file_id=file.id,
        source_id=hit.source_id,
        secret_id=hit.secret_id,
        document_id=hit.document_id,
        version_number=hit.version_number,
        token_id=hit.token_id,
        similarity=round(c.similarity, 4) if c else 1.0,
        longest_units=c.longest_units if c else 0,
        longest_lines=c.longest_lines if c else 0,
        passages=_passages(c),
        verdict=_verdict(ctx, hit, named),
        match_key=match_key(file.sha256, _what(hit)),
        status=MatchStatus.NEW.value,
        created_at=clock.now(),
    )
    ctx.session.add(row)
    ctx.session.flush()
    named_copy = named.record if named is not None and named.identified else None
    custody.record(
        ctx.session,
        actor=ctx.actor,
        event_type=EventType.LEAK_MATCH_FOUND,
        subject_type=MATCH_SUBJECT,
        subject_id=row.id,
        details={
            "ref": row.ref,
            "scan": ctx.scan.ref,
            "path": file.path[:500],
            "sha256": file.sha256,
            "secret_id": row.secret_id,
            "document_id": row.document_id,
            "version": row.version_number,
            "similarity": row.similarity,
            "passages": [[p["suspect"][0], p["suspect"][1]] for p in row.passages],
            **({"copy_id": named_copy.id} if named_copy else {}),
        },
    )
    if row.token_id:
        # a honey string found: the token fires (CANARY_FIRED, a canary alert naming the copy's
        # recipient) instead of a second alert for the same find
        fired = canary.record_scan_hit(
            ctx.session, actor=ctx.actor, token_id=row.token_id, where=file.path
        )
        if fired is not None:
            row.event_id = fired.event_id
            return row
    row.event_id = monitoring.raise_signal(
        ctx.session,
        actor=ctx.actor,
        signal=Signal(
            kind=SignalKind.LEAK_MATCH,
            secret_id=row.secret_id,
            summary=f"{row.ref} in {file.path}: {row.verdict}"[:1000],
            reference=row.ref,
            occurred_at=row.created_at,
            actor=named_copy.recipient_email if named_copy else "unknown",
            severity=Severity.CRITICAL if named_copy else Severity.HIGH,
            details={"scan": ctx.scan.ref, "path": file.path[:500], "sha256": file.sha256},
        ),
    )
    return row


def _what(hit: _Hit) -> str:
    """What a hit is of: its document, honey string's token, or source."""
    return hit.document_id or hit.token_id or hit.source_id or "unknown"


def match_key(sha256: str, what: str) -> str:
    """The same document (or honey string) in the same content: a watch reports a key once."""
    return f"{sha256}:{what}"


# --- reading ----------------------------------------------------------------------------------


def _scan_read(row: Scan, watch_ref: str | None = None) -> dict[str, Any]:
    return {
        "ref": row.ref,
        "target_kind": row.target_kind,
        "target": row.target,
        "watch_ref": watch_ref,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
        "started_by": row.started_by,
        "status": row.status,
        "error": row.error,
        "files": row.files,
        "bytes": row.bytes,
        "matches": row.matches,
        "identified": row.identified,
        "skipped": row.skipped or {},
    }


def _watch_refs(session: Session, rows: Iterable[Scan]) -> dict[str, str]:
    ids = {r.watch_id for r in rows if r.watch_id}
    return {w.id: w.ref for w in repository.watches(session, include_removed=True) if w.id in ids}


def matches_read(session: Session, rows: Sequence[Match]) -> list[MatchRead]:
    """Matches with their names: one lookup per kind, whatever the number of rows."""
    files = repository.files(session, {r.file_id for r in rows})
    scans = repository.scan_refs(session, {r.scan_id for r in rows})
    sources = repository.sources(session, {r.source_id for r in rows if r.source_id})
    tokens = repository.token_refs(session, {r.token_id for r in rows if r.token_id})
    secrets = {
        s.id: s
        for s in inventory.secrets_by_ids(session, {r.secret_id for r in rows if r.secret_id})
    }
    out = []
    for r in rows:
        f = files[r.file_id]
        secret = secrets.get(r.secret_id or "")
        source = sources.get(r.source_id or "")
        out.append(
            MatchRead(
                ref=r.ref,
                scan_ref=scans.get(r.scan_id, "?"),
                file_path=f.path,
                file_sha256=f.sha256,
                secret_id=r.secret_id,
                secret_ref=secret.ref if secret else None,
                secret_name=secret.name if secret else None,
                document_id=r.document_id,
                document_name=source.name if source else None,
                version_number=r.version_number,
                token_ref=tokens.get(r.token_id or ""),
                similarity=r.similarity,
                longest_units=r.longest_units,
                longest_lines=r.longest_lines,
                passages=[_passage(p) for p in r.passages],
                verdict=r.verdict,
                status=MatchStatus(r.status),
                reviewed_by=r.reviewed_by,
                reviewed_at=r.reviewed_at,
                review_note=r.review_note,
                created_at=r.created_at,
                copy_id=f.copy_id,
                identified=f.identified,
            )
        )
    return out


def _passage(p: dict[str, Any]) -> Passage:
    s, t = p["source"], p["suspect"]
    return Passage(
        source_start=s[0],
        source_end=s[1],
        source_lines=(s[2], s[3]),
        suspect_start=t[0],
        suspect_end=t[1],
        suspect_lines=(t[2], t[3]),
        units=p["units"],
        channel=p["channel"],
    )


def _detail(session: Session, row: Scan) -> ScanDetail:
    watch = _watch_refs(session, [row]).get(row.watch_id or "")
    return ScanDetail(
        **_scan_read(row, watch),
        scanned=[FileRead.model_validate(f) for f in repository.files_of(session, row.id)],
        found=matches_read(session, repository.matches_of(session, row.id)),
    )


def list_scans(
    session: Session, *, actor: Actor, page: PageParams | None = None
) -> tuple[list[ScanRead], int]:
    """Scans, latest first, and how many there are."""
    actor.require(P.LEAKS_READ, what="reading scans")
    page = page or PageParams()
    rows = repository.scans(session, limit=page.limit, offset=page.offset)
    watches = _watch_refs(session, rows)
    reads = [ScanRead(**_scan_read(r, watches.get(r.watch_id or ""))) for r in rows]
    return reads, repository.count_scans(session)


def get_scan(session: Session, *, actor: Actor, ref: str) -> ScanDetail:
    """One scan (LS-0004) with its files and matches."""
    actor.require(P.LEAKS_READ, what="reading scans")
    row = repository.scan(session, ref)
    if row is None:
        raise ScanNotFound(f"no scan {ref!r}; `crownjewels leaks scans` lists the scans")
    return _detail(session, row)


def match_row(session: Session, ref: str) -> Match:
    """A match's row by ref, or the refusal naming it."""
    row = repository.match(session, ref)
    if row is None:
        raise ScanNotFound(f"no match {ref!r}; `crownjewels leaks matches` lists the matches")
    return row


def get_match(session: Session, *, actor: Actor, ref: str) -> MatchRead:
    """One match (LM-0007)."""
    actor.require(P.LEAKS_READ, what="reading matches")
    return matches_read(session, [match_row(session, ref)])[0]


def list_matches(
    session: Session,
    *,
    actor: Actor,
    status: MatchFilter = MatchFilter.ALL,
    page: PageParams | None = None,
) -> list[MatchRead]:
    """Matches, latest first, of one status."""
    actor.require(P.LEAKS_READ, what="reading matches")
    page = page or PageParams()
    rows = repository.matches(
        session,
        status=None if status is MatchFilter.ALL else status.value,
        limit=page.limit,
        offset=page.offset,
    )
    return matches_read(session, rows)
