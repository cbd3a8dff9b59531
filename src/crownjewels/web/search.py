"""The global search (/search?q=): secrets, vendors, people, agreements, grants and documents
by reference or name, grouped by kind. Each kind is searched by its own capability, scoped to
what the actor may see there, so a row the actor may not see never shows (nor its count)."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from crownjewels.access import service as access
from crownjewels.agreements import service as agreements
from crownjewels.core import search as core_search
from crownjewels.core.actor import Actor
from crownjewels.core.forms import redirect, render
from crownjewels.core.http import CurrentActor, DbSession
from crownjewels.inventory import service as inventory
from crownjewels.parties import service as parties
from crownjewels.vault import service as vault
from crownjewels.vendors import service as vendors

router = APIRouter(include_in_schema=False)

#: where a document's owner is shown, by owner kind (others are listed without a link)
OWNER_PAGES = {
    "secret": "/secrets/{}/documents",
    "agreement": "/agreements/{}",
    "vendor": "/vendors/{}",
    "assessment": "/assessments/{}",
}


@dataclass(frozen=True)
class Hit:
    """One result as the page lists it: the reference a person reads, a name, a line of
    detail, and the page it opens (None when there is none to open)."""

    ref: str
    name: str
    detail: str
    url: str | None


@dataclass
class Group:
    """The results of one kind."""

    kind: str
    key: str
    hits: list[Hit] = field(default_factory=list)


def _groups(session: Session, actor: Actor, q: str) -> list[Group]:
    """Every kind's hits, each from its own capability's scoped search."""
    grants = "/portal/grants/{}" if actor.portal_only else "/access/grants/{}"
    return [
        Group("Secrets", "secrets", [
            Hit(s.ref, s.name, f"{s.tier} · {s.owner_name or 'no owner'}", f"/secrets/{s.ref}")
            for s in inventory.search(session, actor=actor, q=q)
        ]),
        Group("Vendors", "vendors", [
            Hit(v.ref, v.name, str(v.status), f"/vendors/{v.ref}")
            for v in vendors.search(session, actor=actor, q=q)
        ]),
        Group("People", "people", [
            Hit(p.email, p.full_name, p.organisation_name or "", f"/people/{p.id}")
            for p in parties.search_people(session, actor=actor, q=q)
        ]),
        Group("Agreements", "agreements", [
            Hit(a.ref, a.title, f"{a.kind} · {a.status}", f"/agreements/{a.ref}")
            for a in agreements.search(session, actor=actor, q=q)
        ]),
        Group("Grants", "grants", [
            Hit(g.ref, g.purpose, f"{g.secret_ref or ''} to {g.person_name or g.organisation_name}"
                f" · {g.status}", grants.format(g.ref))
            for g in access.search(session, actor=actor, q=q)
        ]),
        Group("Documents", "documents", [
            Hit(d.id, d.title, f"of {d.owner_label}", _owner_page(d.owner_type, d.owner_label))
            for d in vault.search_documents(session, actor=actor, q=q)
        ]),
    ]  # fmt: skip


def _owner_page(owner_type: str, label: str) -> str | None:
    page = OWNER_PAGES.get(owner_type)
    return page.format(label) if page else None


@router.get("/search")
def search(request: Request, session: DbSession, actor: CurrentActor, q: str = "") -> Response:
    """Results grouped by kind; a reference typed exactly that names one thing opens it."""
    typed = " ".join(q.split())[: core_search.MAX_CHARS]
    groups = _groups(session, actor, typed) if typed else []
    exact = [h for g in groups for h in g.hits if h.ref.upper() == typed.upper() and h.url]
    if len(exact) == 1 and exact[0].url:
        return redirect(exact[0].url)
    found = [g for g in groups if g.hits]
    ctx = {"q": typed, "groups": found, "total": sum(len(g.hits) for g in found)}
    return render(request, "search.html", ctx)
