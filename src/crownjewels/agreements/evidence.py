"""Evidence at rest: a finding stores where its sentence stands in the analysed text (offsets)
and a digest keyed by that whole text, never the sentence itself; the sentence is quoted again
only from the decrypted text, so crypto-shredding the document removes it too."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from crownjewels.agreements.schemas import EvidenceRead, FindingRead

#: domain separation: the key is derived from the text, never equal to its stored SHA-256
_KEY_LABEL = b"crownjewels clause evidence\x00"


def _key(text: str) -> bytes:
    return hashlib.sha256(_KEY_LABEL + text.encode("utf-8")).digest()


def digest(text: str, start: int, end: int) -> str:
    """HMAC-SHA256 of the sentence `text[start:end]` under a key derived from the whole text:
    whoever lacks the text cannot confirm a guessed sentence from it (a plain hash would let
    anyone confirm boilerplate like "The Recipient shall return all copies")."""
    return hmac.new(_key(text), text[start:end].encode("utf-8"), hashlib.sha256).hexdigest()


def seal(text: str, start: int, end: int) -> dict[str, Any]:
    """The stored form of one evidence sentence of `text`: offsets and digest, no words."""
    return {"start": start, "end": end, "digest": digest(text, start, end)}


def locate(text: str, evidence: EvidenceRead) -> bool:
    """Whether the evidence's offsets still index its sentence in this text. Findings stored
    before offsets were sealed have no digest: their offsets are trusted when in range (the
    page shows a text only when it matches the version's analysed-text hash)."""
    if not 0 <= evidence.start < evidence.end <= len(text):
        return False
    if evidence.digest is None:
        return True
    return hmac.compare_digest(digest(text, evidence.start, evidence.end), evidence.digest)


def _quote(text: str, evidence: EvidenceRead) -> EvidenceRead:
    sentence = text[evidence.start : evidence.end] if locate(text, evidence) else None
    return evidence.model_copy(update={"text": sentence})


def quoted(text: str, findings: list[FindingRead]) -> list[FindingRead]:
    """The findings with each locatable evidence sentence quoted from the decrypted `text`
    (the rest keep `text` None)."""
    return [
        f.model_copy(update={"evidence": [_quote(text, e) for e in f.evidence]}) for f in findings
    ]
