"""Every query of canary tokens and their hits over leaks' own tables. Readers of leak
detection (leaks:read) read every secret, so the lists are not narrowed further."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.leaks.models import Token, TokenHit
from crownjewels.leaks.schemas import TokenKind, TokenStatus


def by_ref(session: Session, ref: str) -> Token | None:
    """A token by its ref (CT-0001), case-insensitively."""
    return session.scalar(select(Token).where(func.upper(Token.ref) == ref.strip().upper()))


def active_by_token(session: Session, token: str) -> Token | None:
    """The active token whose secret path segment is `token`."""
    return session.scalar(
        select(Token).where(Token.token == token, Token.status == TokenStatus.ACTIVE)
    )


def tokens(
    session: Session,
    *,
    secret_id: str | None = None,
    status: TokenStatus | None = None,
    kind: TokenKind | None = None,
) -> list[Token]:
    """Tokens, newest first, narrowed to a secret, a status or a kind."""
    query = select(Token).order_by(Token.created_at.desc(), Token.ref.desc())
    if secret_id is not None:
        query = query.where(Token.secret_id == secret_id)
    if status is not None:
        query = query.where(Token.status == status)
    if kind is not None:
        query = query.where(Token.kind == kind)
    return list(session.scalars(query))


def hits_of(session: Session, token_id: str, limit: int = 500) -> list[TokenHit]:
    """A token's hits, newest first."""
    query = (
        select(TokenHit)
        .where(TokenHit.token_id == token_id)
        .order_by(TokenHit.at.desc(), TokenHit.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def hits_since(session: Session, token_id: str, since: datetime, ip: str | None = None) -> int:
    """How many hits of the token were kept since `since` (from one address, when given)."""
    query = select(func.count()).where(TokenHit.token_id == token_id, TokenHit.at >= since)
    if ip is not None:
        query = query.where(TokenHit.ip == ip)
    return session.scalar(query) or 0
