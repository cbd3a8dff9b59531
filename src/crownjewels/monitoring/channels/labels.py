"""Alert channels as custody tables name them (by name, linked to their page) and find them
(by the name typed); registry.py registers them with custody.labels."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.monitoring.models import Channel


def _channels(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Channel.id, Channel.name).where(Channel.id.in_(ids)))
    return {
        cid: Label(text=name, short="alert channel", url=f"/admin/channels/{quote(name)}")
        for cid, name in rows
    }


def find_channels(session: Session, typed: str) -> list[str]:
    """Ids of the channels named `typed` (case-insensitive)."""
    query = select(Channel.id).where(func.lower(Channel.name) == typed.strip().lower())
    return list(session.scalars(query))


CHANNELS = SubjectKind(noun="alert channel", label=_channels, find=find_channels)
