"""What goes in and out of canary tokens: a token as shown (with its URL and hits), a hit, the
request to plant one, and the file a document token comes as."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from crownjewels.leaks.schemas import TokenKind, TokenStatus


class TokenCreate(BaseModel):
    """Plant a token for a secret: its kind and a label saying where it is put."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    secret: str = Field(min_length=1, max_length=320, description="the secret's ref, e.g. TS-0003")
    kind: TokenKind
    label: str | None = Field(
        default=None,
        max_length=200,
        description="where it goes, and a document token's title (default: the secret's name)",
    )


class HitRead(BaseModel):
    """One call home (or a scan finding the honey strings)."""

    model_config = ConfigDict(from_attributes=True)

    at: datetime
    ip: str | None
    user_agent: str | None
    referrer: str | None
    via: str
    #: the monitoring activity event the hit raised (None: flood-limited, not raised)
    event_id: int | None = None


class TokenRead(BaseModel):
    """A token as people see it: what it guards, where it calls home and how often it did."""

    ref: str
    kind: TokenKind
    status: TokenStatus
    label: str
    secret_id: str
    secret_ref: str
    secret_name: str
    #: the URL that fires it (None for honey strings, which a scan finds instead)
    url: str | None
    #: the registered copy it was planted in, and that copy's recipient
    copy_id: str | None
    recipient_name: str | None
    honey: str | None
    hits: int
    last_hit_at: datetime | None
    created_by: str
    created_at: datetime
    retired_at: datetime | None


class TokenDetail(TokenRead):
    """A token with its hits, newest first."""

    hit_list: list[HitRead]


@dataclass(frozen=True)
class Artefact:
    """A token's file to put where the trap should be: a DOCX, a PDF, or the honey text."""

    filename: str
    media_type: str
    data: bytes
