"""Canary tokens: plant one for a secret (a URL, an image, a DOCX, a PDF, honey strings), or
into one recipient's issued copy (the planter disclosure calls); list them with their hits;
retire them; and record what the public callback saw, each hit a CANARY_FIRED custody event and
a monitoring signal (SignalKind.CANARY) naming the copy's recipient when there is one.

A flood cannot fill the database: per token and address at most HITS_PER_ADDRESS hits are kept
per WINDOW, and per token at most HITS_PER_TOKEN; the rest are answered and dropped."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from crownjewels.core import clock
from crownjewels.core.actor import Actor, fact_reader, system_actor
from crownjewels.core.errors import Invalid
from crownjewels.core.ids import new_id
from crownjewels.core.permissions import Permission
from crownjewels.core.refs import next_ref
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.disclosure import planting
from crownjewels.inventory import service as inventory
from crownjewels.inventory.schemas import SecretRead
from crownjewels.leaks.canary import artefacts, repository
from crownjewels.leaks.canary.schemas import Artefact, HitRead, TokenCreate, TokenDetail, TokenRead
from crownjewels.leaks.errors import TokenNotFound
from crownjewels.leaks.index import service as index
from crownjewels.leaks.models import Token, TokenHit
from crownjewels.leaks.schemas import TokenKind, TokenStatus
from crownjewels.monitoring import service as monitoring
from crownjewels.monitoring.schemas import Severity, Signal, SignalKind
from crownjewels.parties import service as parties

SUBJECT = "canary-token"
#: reads the secret and recipient a token names, after the caller's own permission
READER = fact_reader("leaks")
#: who records a hit of the public callback: nobody logged in
CALLBACK = system_actor("canary-callback")
WINDOW = timedelta(hours=1)
HITS_PER_ADDRESS = 5
HITS_PER_TOKEN = 200
#: what is kept of a hit's headers
MAX_HEADER_CHARS = 500
#: the kinds that go into an issued copy, and the copies each fits
COPY_KINDS = (TokenKind.DOCX, TokenKind.PDF, TokenKind.HONEY)
_TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
_DECOY_LINES = (
    "Restricted: for the named recipient only. Do not forward or copy.",
    "The figures in this document are the current release; the online version is updated.",
)


# --- reading ---------------------------------------------------------------------------------


def url_of(row: Token, base_url: str) -> str | None:
    """Where the token calls home: images and DOCX fetch the .png, a URL or PDF the page;
    honey strings are found by scans, never fetched."""
    if row.kind == TokenKind.HONEY:
        return None
    ending = ".png" if row.kind in (TokenKind.IMAGE, TokenKind.DOCX) else ""
    return f"{base_url.rstrip('/')}/c/{row.token}{ending}"


def _reads(session: Session, rows: list[Token], base_url: str) -> list[TokenRead]:
    secrets_ = {s.id: s for s in inventory.secrets_by_ids(session, {r.secret_id for r in rows})}
    person_ids = {r.recipient_person_id for r in rows if r.recipient_person_id}
    people = {p.id: p.full_name for p in parties.people_by_ids(session, person_ids)}
    out = []
    for row in rows:
        secret = secrets_[row.secret_id]
        out.append(
            TokenRead(
                ref=row.ref,
                kind=TokenKind(row.kind),
                status=TokenStatus(row.status),
                label=row.label,
                secret_id=row.secret_id,
                secret_ref=secret.ref,
                secret_name=secret.name,
                url=url_of(row, base_url),
                copy_id=row.copy_id,
                recipient_name=people.get(row.recipient_person_id or ""),
                honey=row.honey,
                hits=row.hits,
                last_hit_at=row.last_hit_at,
                created_by=row.created_by,
                created_at=row.created_at,
                retired_at=row.retired_at,
            )
        )
    return out


def _row(session: Session, ref: str) -> Token:
    row = repository.by_ref(session, ref)
    if row is None:
        raise TokenNotFound(f"no canary token {ref!r}; `crownjewels leaks tokens` lists them")
    return row


def list_tokens(
    session: Session,
    *,
    actor: Actor,
    base_url: str,
    secret_ref: str | None = None,
    status: TokenStatus | None = None,
    kind: TokenKind | None = None,
) -> list[TokenRead]:
    """Every token (or a secret's), newest first, with how often each fired."""
    actor.require(Permission.LEAKS_READ, what="listing canary tokens")
    secret_id = None
    if secret_ref is not None:
        secret_id = inventory.get_plain(session, actor=actor, secret_ref=secret_ref).id
    rows = repository.tokens(session, secret_id=secret_id, status=status, kind=kind)
    return _reads(session, rows, base_url)


def get_token(session: Session, *, actor: Actor, ref: str, base_url: str) -> TokenDetail:
    """One token with its hits, newest first."""
    actor.require(Permission.LEAKS_READ, what="a canary token")
    row = _row(session, ref)
    (read,) = _reads(session, [row], base_url)
    hits = [HitRead.model_validate(h) for h in repository.hits_of(session, row.id)]
    return TokenDetail(**read.model_dump(), hit_list=hits)


def hits(session: Session, *, actor: Actor, ref: str) -> list[HitRead]:
    """A token's hits, newest first."""
    actor.require(Permission.LEAKS_READ, what="a canary token's hits")
    return [HitRead.model_validate(h) for h in repository.hits_of(session, _row(session, ref).id)]


# --- planting --------------------------------------------------------------------------------


def _record(session: Session, actor: Actor, event: EventType, row: Token, **d: object) -> None:
    custody.record(
        session,
        actor=actor,
        event_type=event,
        subject_type=SUBJECT,
        subject_id=row.id,
        details={"ref": row.ref, "kind": row.kind, "secret_id": row.secret_id, **d},
    )


def _new_token(
    session: Session,
    actor: Actor,
    *,
    kind: TokenKind,
    secret: SecretRead,
    label: str,
    copy_id: str | None = None,
    recipient_person_id: str | None = None,
) -> Token:
    """The token's row, its honey strings fingerprinted, and its CANARY_PLANTED event."""
    now = clock.now()
    row = Token(
        id=new_id(),
        ref=next_ref(session, Token.ref, "CT-", 4),
        token=secrets.token_hex(16),
        kind=kind.value,
        secret_id=secret.id,
        copy_id=copy_id,
        recipient_person_id=recipient_person_id,
        label=label[:200],
        honey=artefacts.honey_text(now.date()) if kind is TokenKind.HONEY else None,
        status=TokenStatus.ACTIVE.value,
        created_by=actor.ref,
        created_at=now,
        hits=0,
    )
    session.add(row)
    session.flush()
    if row.honey is not None:
        index.register_text(
            session,
            actor=actor,
            token_id=row.id,
            secret_id=secret.id,
            name=f"honey strings of canary {row.ref}",
            text=row.honey,
        )
    _record(
        session,
        actor,
        EventType.CANARY_PLANTED,
        row,
        label=row.label,
        copy_id=copy_id,
        recipient_person_id=recipient_person_id,
    )
    return row


def plant(session: Session, *, actor: Actor, data: TokenCreate, base_url: str) -> TokenRead:
    """Plant a token for a secret the actor may see (CANARY_PLANTED); a DOCX, PDF or honey
    token's file comes from `artefact`."""
    actor.require(Permission.LEAKS_MANAGE, what="planting a canary token")
    secret = inventory.get_plain(session, actor=actor, secret_ref=data.secret)
    label = data.label or secret.name
    row = _new_token(session, actor, kind=data.kind, secret=secret, label=label)
    (read,) = _reads(session, [row], base_url)
    return read


def _fits(kind: TokenKind, media_type: str) -> None:
    base = media_type.split(";")[0].strip().lower()
    wanted = {TokenKind.DOCX: artefacts.DOCX_TYPE, TokenKind.PDF: artefacts.PDF_TYPE}.get(kind)
    if wanted is not None and base != wanted:
        raise Invalid(
            f"a {kind.value} canary goes into a {kind.value.upper()} copy, and this document "
            f"is {base}; choose honey for text, DOCX and PDF copies, or no canary",
            field="plant",
        )


def plant_in_copy(session: Session, actor: Actor, found: planting.Planting) -> planting.Planted:
    """The planter of issued copies (registered with disclosure.planting): a DOCX footer
    field, a PDF action or honey strings in the marked copy, for its secret and recipient."""
    actor.require(Permission.LEAKS_MANAGE, what="planting a canary token in a copy")
    try:
        kind = TokenKind(found.kind)
    except ValueError:
        kind = None
    if kind not in COPY_KINDS:
        raise Invalid(
            f"{found.kind!r} cannot be planted in a copy; choose one of "
            + ", ".join(k.value for k in COPY_KINDS),
            field="plant",
        )
    assert kind is not None
    _fits(kind, found.media_type)
    secret = inventory.get_plain(session, actor=READER, secret_ref=found.secret_id)
    row = _new_token(
        session,
        actor,
        kind=kind,
        secret=secret,
        label=f"copy {found.copy_id} for {found.recipient_name}",
        copy_id=found.copy_id,
        recipient_person_id=found.recipient_person_id,
    )
    url = url_of(row, found.base_url) or ""
    if kind is TokenKind.DOCX:
        data = artefacts.docx_beacon(url, title="", data=found.data)
    elif kind is TokenKind.PDF:
        data = artefacts.pdf_beacon(url, title="", data=found.data)
    else:
        data = artefacts.add_honey(found.data, found.media_type, row.honey or "")
    return planting.Planted(data=data, reference=row.ref)


def _filename(label: str, ending: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9 ._-]+", "", label).strip(" .") or "document"
    return f"{stem[:80]}{ending}"


def artefact(session: Session, *, actor: Actor, ref: str, base_url: str) -> Artefact:
    """The file of a DOCX, PDF or honey token, made afresh (its URL and honey are the
    token's): put it where the trap should be."""
    actor.require(Permission.LEAKS_MANAGE, what="a canary token's file")
    row = _row(session, ref)
    if row.status != TokenStatus.ACTIVE:
        raise Invalid(f"{row.ref} is retired and no longer alerts; plant a new token")
    url = url_of(row, base_url) or ""
    if row.kind == TokenKind.DOCX:
        data = artefacts.docx_beacon(url, title=row.label, lines=_DECOY_LINES)
        return Artefact(_filename(row.label, ".docx"), artefacts.DOCX_TYPE, data)
    if row.kind == TokenKind.PDF:
        data = artefacts.pdf_beacon(url, title=row.label, lines=_DECOY_LINES)
        return Artefact(_filename(row.label, ".pdf"), artefacts.PDF_TYPE, data)
    if row.kind == TokenKind.HONEY:
        return Artefact(_filename(row.label, ".txt"), "text/plain", (row.honey or "").encode())
    raise Invalid(
        f"{row.ref} is a {row.kind} token: it has no file; put its URL where it should fire"
    )


def retire(
    session: Session, *, actor: Actor, ref: str, reason: str, base_url: str = ""
) -> TokenRead:
    """Stop a token alerting (CANARY_RETIRED); the callback answers it as it answers any, and
    a honey token's strings leave the fingerprint index (scans no longer look for them)."""
    actor.require(Permission.LEAKS_MANAGE, what="retiring a canary token")
    row = _row(session, ref)
    if row.status == TokenStatus.RETIRED:
        raise Invalid(f"{row.ref} is already retired")
    reason = reason.strip()
    if len(reason) < 3:
        raise Invalid("say why the token is retired (at least 3 characters)", field="reason")
    row.status, row.retired_at = TokenStatus.RETIRED.value, clock.now()
    _record(session, actor, EventType.CANARY_RETIRED, row, reason=reason[:2000])
    if row.honey is not None:  # a retired trap is not looked for: its strings leave the index
        index.unregister_token(session, actor=actor, token_id=row.id)
    (read,) = _reads(session, [row], base_url)
    return read


# --- hits ------------------------------------------------------------------------------------


def _clip(value: str | None) -> str | None:
    return value[:MAX_HEADER_CHARS] if value else None


def _fire(
    session: Session,
    actor: Actor,
    row: Token,
    *,
    at: datetime,
    via: str,
    ip: str | None,
    user_agent: str | None,
    referrer: str | None,
    where: str | None = None,
) -> TokenHit:
    """Keep the hit, tell monitoring (naming the copy's recipient) and record CANARY_FIRED."""
    secret = inventory.get_plain(session, actor=READER, secret_ref=row.secret_id)
    recipient = None
    if row.recipient_person_id:
        recipient = parties.get_person(session, actor=READER, person_ref=row.recipient_person_id)
    hit = TokenHit(
        id=new_id(),
        token_id=row.id,
        at=at,
        ip=ip[:45] if ip else None,
        user_agent=_clip(user_agent),
        referrer=_clip(referrer),
        via=via,
    )
    session.add(hit)
    row.hits += 1
    row.last_hit_at = at
    whose = f" in the copy issued to {recipient.full_name}" if recipient else ""
    how = (
        f"found by scan at {where}" if via == "scan" else f"fired from {ip or 'an unknown address'}"
    )
    hit.event_id = monitoring.raise_signal(
        session,
        actor=actor,
        signal=Signal(
            kind=SignalKind.CANARY,
            secret_id=row.secret_id,
            summary=f"Canary {row.ref} ({row.kind}) of {secret.ref}{whose} {how}",
            reference=row.ref,
            occurred_at=at,
            actor=recipient.email if recipient else "unknown",
            ip=hit.ip,
            severity=Severity.CRITICAL if recipient else Severity.HIGH,
            details={
                "token": row.ref,
                "token_kind": row.kind,
                "copy_id": row.copy_id,
                "recipient": recipient.full_name if recipient else None,
                "user_agent": hit.user_agent,
                "referrer": hit.referrer,
                "via": via,
            },
        ),
    )
    _record(
        session,
        actor,
        EventType.CANARY_FIRED,
        row,
        via=via,
        ip=hit.ip,
        user_agent=hit.user_agent,
        referrer=hit.referrer,
        copy_id=row.copy_id,
        recipient_person_id=row.recipient_person_id,
        event_id=hit.event_id,
        where=where,
    )
    return hit


def record_callback(
    session: Session,
    *,
    token: str,
    ip: str | None,
    user_agent: str | None,
    referrer: str | None,
) -> bool:
    """What the public callback saw: kept (True) when the token is active and neither this
    address nor the token used up its hits of the window; otherwise nothing is written."""
    if not _TOKEN_RE.match(token):
        return False
    row = repository.active_by_token(session, token)
    if row is None:
        return False
    now = clock.now()
    since = now - WINDOW
    if repository.hits_since(session, row.id, since, ip=ip or "") >= HITS_PER_ADDRESS:
        return False
    if repository.hits_since(session, row.id, since) >= HITS_PER_TOKEN:
        return False
    _fire(
        session,
        CALLBACK,
        row,
        at=now,
        via="callback",
        ip=ip or "",
        user_agent=user_agent,
        referrer=referrer,
    )
    return True


def record_scan_hit(session: Session, *, actor: Actor, token_id: str, where: str) -> HitRead | None:
    """A scan found a honey token's strings at `where` (a path, a URL): the token fires as if
    called (CANARY_FIRED, a signal naming the copy's recipient). None for a retired token."""
    row = session.get(Token, token_id)
    if row is None or row.status != TokenStatus.ACTIVE:
        return None
    hit = _fire(
        session,
        actor,
        row,
        at=clock.now(),
        via="scan",
        ip=None,
        user_agent=None,
        referrer=None,
        where=where[:500],
    )
    return HitRead.model_validate(hit)
