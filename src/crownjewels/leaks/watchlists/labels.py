"""Feeds, queued items and watchlists as custody tables name them (WF-0001 Patent feed,
WR-0003, the watchlist of TS-0003) and find them (by the ref typed); registry.py registers
them with custody.labels."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.inventory import service as inventory
from crownjewels.leaks.models import Feed, Review, Watchlist


def _feeds(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Feed.id, Feed.ref, Feed.name).where(Feed.id.in_(ids)))
    return {
        fid: Label(text=f"{ref} {name}", short=ref, url=f"/leaks/watchlists#{ref}")
        for fid, ref, name in rows
    }


def _find_feeds(session: Session, typed: str) -> list[str]:
    return list(session.scalars(select(Feed.id).where(Feed.ref == typed.strip().upper())))


def _reviews(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = session.execute(select(Review.id, Review.ref).where(Review.id.in_(ids)))
    return {
        rid: Label(text=f"queued item {ref}", short=ref, url=f"/leaks/reviews?status=all#{ref}")
        for rid, ref in rows
    }


def _find_reviews(session: Session, typed: str) -> list[str]:
    return list(session.scalars(select(Review.id).where(Review.ref == typed.strip().upper())))


def _watchlists(session: Session, ids: set[str]) -> dict[str, Label]:
    rows = dict(
        session.execute(
            select(Watchlist.id, Watchlist.secret_id).where(Watchlist.id.in_(ids))
        ).all()
    )
    secrets = {s.id: s for s in inventory.secrets_by_ids(session, set(rows.values()))}
    return {
        wid: Label(
            text=f"watchlist of {secrets[sid].ref} {secrets[sid].name}",
            short=secrets[sid].ref,
            url=f"/leaks/watchlists#{secrets[sid].ref}",
        )
        for wid, sid in rows.items()
        if sid in secrets
    }


FEEDS = SubjectKind(noun="watch feed", label=_feeds, find=_find_feeds)
REVIEWS = SubjectKind(noun="queued watch item", label=_reviews, find=_find_reviews)
WATCHLISTS = SubjectKind(noun="watchlist", label=_watchlists)
