"""Evidence items as custody tables name them ("EV-0003 of IN-0001: forensic image of …"),
linked to their page, and found by the ref typed; registry.py registers `EVIDENCE`."""

from __future__ import annotations

from sqlalchemy.orm import Session

from crownjewels.custody.labels import Label, SubjectKind
from crownjewels.incidents.evidence import repository


def _items(session: Session, ids: set[str]) -> dict[str, Label]:
    return {
        i: Label(
            text=f"{ref} of {case}: {_short(description)}",
            short=ref,
            url=f"/incidents/{case}/evidence/{ref}",
        )
        for i, ref, case, description in repository.labelled(session, ids)
    }


def _short(text: str, limit: int = 60) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _find(session: Session, typed: str) -> list[str]:
    return repository.ids_by_ref(session, typed)


EVIDENCE = SubjectKind(noun="evidence item", label=_items, find=_find)
