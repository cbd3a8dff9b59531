"""API tokens (part of the parties service): only their SHA-256 is stored; scoped (read, or
read and write); expiring; revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.core import adverse, clock
from crownjewels.core.actor import Actor
from crownjewels.core.db import durable
from crownjewels.core.errors import Conflict, Invalid, Unauthenticated
from crownjewels.core.permissions import Permission
from crownjewels.custody import service as custody
from crownjewels.custody.schemas import EventType
from crownjewels.parties import repository
from crownjewels.parties.accounts import actor_for_user
from crownjewels.parties.errors import TokenNotFound, UserNotFound
from crownjewels.parties.models import ApiToken, User
from crownjewels.parties.schemas import TokenCreate, TokenIssued, TokenRead

TOKEN_PREFIX = "cj_"
#: read; write (with read); ingest: sending activity to monitoring and nothing else
VALID_SCOPES = frozenset({"read", "write", "ingest"})


def _hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is a safe lookup key (no salt needed).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, *, actor: Actor, data: TokenCreate, user_id: str | None = None
) -> TokenIssued:
    """A new API token for the actor (or, for an admin, for another user); shown once."""
    actor.require(Permission.TOKENS_OWN)
    owner_id = user_id or actor.id
    if owner_id != actor.id:
        actor.require(Permission.USERS_MANAGE)
    owner = session.get(User, owner_id)
    if owner is None:
        raise UserNotFound(f"no user {owner_id!r}; `crownjewels users list` shows them")
    scopes = sorted(set(data.scopes))
    unknown = set(scopes) - VALID_SCOPES
    if unknown or not scopes:
        raise Invalid(
            f"unknown token scope(s) {sorted(unknown)}; use read, read and write, or ingest "
            "(sending monitoring activity only)",
            field="scopes",
        )
    if "write" in scopes and "read" not in scopes:
        scopes = sorted({*scopes, "read"})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = clock.now()
    token = ApiToken(
        user_id=owner.id,
        name=data.name,
        prefix=secret[:10],
        token_hash=_hash_token(secret),
        scopes=scopes,
        created_at=now,
        expires_at=now + timedelta(days=data.days),
    )
    session.add(token)
    session.flush()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.TOKEN_CREATED,
        subject_type="token",
        subject_id=token.id,
        details={
            "after": {
                "user_id": owner.id,
                "name": data.name,
                "scopes": scopes,
                "expires_at": token.expires_at,
            }
        },
    )
    return TokenIssued(**TokenRead.model_validate(token).model_dump(), token=secret)


def list_tokens(session: Session, *, actor: Actor) -> list[TokenRead]:
    """The actor's own tokens, newest first."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == actor.id).order_by(ApiToken.created_at.desc())
    )
    return [TokenRead.model_validate(t) for t in rows]


def revoke_token(session: Session, *, actor: Actor, token_id: str) -> TokenRead:
    """Revoke a token (one's own; an admin any)."""
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.id and not actor.can(Permission.USERS_MANAGE)):
        raise TokenNotFound(f"no token {token_id!r} of yours; `crownjewels tokens list` shows them")
    if token.revoked_at is not None:
        raise Conflict(f"token {token.name!r} was already revoked on {token.revoked_at:%Y-%m-%d}")
    if token.user_id != actor.id:  # someone else's: against a protected person, approved first
        holder = session.get(User, token.user_id)
        adverse.check(
            session,
            actor=actor,
            person_id=holder.person_id if holder else None,
            action=adverse.REVOKE_TOKEN,
            target=token.name,
        )
    token.revoked_at = clock.now()
    custody.record(
        session,
        actor=actor,
        event_type=EventType.TOKEN_REVOKED,
        subject_type="token",
        subject_id=token.id,
        details={"before": {"revoked_at": None}, "after": {"revoked_at": token.revoked_at}},
    )
    return TokenRead.model_validate(token)


def actor_for_token(session: Session, *, token: str) -> Actor:
    """The Actor an API token stands for; Unauthenticated if unknown, expired or revoked."""
    row = repository.token_by_hash(session, _hash_token(token.strip()))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated(
            "the API token is unknown or revoked; create one with `crownjewels tokens create`"
        )
    if row.expires_at <= clock.now():
        raise Unauthenticated(
            f"the API token expired on {row.expires_at:%Y-%m-%d}; create a new one"
        )
    actor = actor_for_user(session, user_id=row.user_id, mfa=False)
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        # kept whatever the request does: a GET's read-only unit of work and a refused
        # request both roll back, and the token's last use is what a review asks about
        token_id = row.id
        durable(session, lambda own: repository.touch_token(own, token_id, now))
    return Actor(
        kind="user",
        id=actor.id,
        name=actor.name,
        roles=actor.roles,
        person_id=actor.person_id,
        mfa=False,
        scopes=frozenset(row.scopes),
    )
