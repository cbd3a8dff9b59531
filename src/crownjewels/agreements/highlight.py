"""Evidence in place: the document text cut into plain runs and <mark>ed runs around the
sentences the findings cite, so a page can show each finding's evidence where it stands."""

from __future__ import annotations

from dataclasses import dataclass, field

from crownjewels.agreements.evidence import locate
from crownjewels.agreements.schemas import FindingRead, FindingStatus


@dataclass
class Piece:
    """A run of the document text: plain, or a <mark> around evidence of some findings."""

    text: str
    mark: str | None = None
    findings: list[str] = field(default_factory=list)
    #: what the marked sentence does: "contradicts" when any of its findings is contradicted,
    #: "satisfies" when all are satisfied, "" otherwise (the colour of the mark)
    tone: str = ""


@dataclass
class _Group:
    """Evidence spans that overlap, merged: one mark."""

    start: int
    end: int
    ids: list[str]
    mark: str = ""


def highlight(text: str, findings: list[FindingRead]) -> tuple[list[Piece], dict[str, str]]:
    """The text cut into plain runs and marks around the evidence (overlapping spans merged into
    one mark, `ev-1`, `ev-2` … in reading order), and for each finding the mark of its first
    (best) evidence sentence: what its row in the clause table links to. Evidence whose offsets
    do not index the sentence they were sealed with is left out. Joining the pieces' texts gives
    `text` back."""
    spans = sorted((e.start, e.end, f.id) for f in findings for e in f.evidence if locate(text, e))
    groups: list[_Group] = []
    for start, end, fid in spans:
        if groups and start < groups[-1].end:
            groups[-1].end = max(groups[-1].end, end)
            groups[-1].ids.append(fid)
        else:
            groups.append(_Group(start, end, [fid]))
    pieces: list[Piece] = []
    pos = 0
    for n, g in enumerate(groups, 1):
        if g.start > pos:
            pieces.append(Piece(text[pos : g.start]))
        g.mark = f"ev-{n}"
        pieces.append(Piece(text[g.start : g.end], g.mark, list(dict.fromkeys(g.ids))))
        pos = g.end
    if pos < len(text):
        pieces.append(Piece(text[pos:]))
    _tone(pieces, findings)
    first: dict[str, str] = {}
    for f in findings:
        best = next((e for e in f.evidence if locate(text, e)), None)
        if best is not None:
            first[f.id] = next(g.mark for g in groups if g.start <= best.start < g.end)
    return pieces, first


def _tone(pieces: list[Piece], findings: list[FindingRead]) -> None:
    status = {f.id: f.effective_status for f in findings}
    for piece in pieces:
        shown = {status[fid] for fid in piece.findings}
        if FindingStatus.CONTRADICTED in shown:
            piece.tone = "contradicts"
        elif shown == {FindingStatus.SATISFIED}:
            piece.tone = "satisfies"
