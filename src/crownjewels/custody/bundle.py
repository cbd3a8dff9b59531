"""The offline verifier of an evidence bundle (custody.export writes them): only the zip and a
public key, no database, no settings; standard library, `cryptography`, the two pure modules
`merkle` and `signing`, and core's zip limits (a bundle is a ZIP from outside: a bomb is refused
before a byte is expanded). The steps are the ones README.txt in every bundle states in words."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crownjewels.core import archives
from crownjewels.custody import merkle, signing

FORMAT = "crownjewels-custody-bundle-v1"
ENCODING_TAG = "crownjewels-custody-v1"  # the canonical encoding v1 (docs/custody.md)
_FIELDS = ("seq", "at_us", "actor", "event_type", "subject_type", "subject_id", "prev_hash")


class BadBundle(ValueError):
    """A file that is not a readable evidence bundle."""


@dataclass
class Report:
    """The outcome: ok when nothing is wrong; problems and facts in plain words."""

    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    subject: str = ""
    key_id: str = ""
    #: what the subject is called (TS-0014 Sauce formula), as the manifest says; not verified
    subject_name: str = ""

    @property
    def ok(self) -> bool:
        """True when every check passed."""
        return not self.problems


def encode(event: dict[str, Any]) -> bytes:
    """The canonical bytes of an event (the nine lines of encoding v1)."""
    return "\n".join([ENCODING_TAG, *(str(event[f]) for f in _FIELDS), event["details"]]).encode()


def _load(path: Path) -> dict[str, Any]:
    """The bundle's files, read through the zip limits (its JSON is parsed in memory)."""
    not_a_bundle = f"{path} is not a Crown Jewels evidence bundle"
    try:
        with path.open("rb") as stream, archives.open_zip(stream, archives.IN_MEMORY) as archive:
            return {
                "manifest": json.loads(archive.read("manifest.json")),
                "events": json.loads(archive.read("events.json")),
                "checkpoints": json.loads(archive.read("checkpoints.json")),
                "public_key": archive.read("public_key.pem"),
            }
    except (archives.BadArchive, archives.ArchiveRefused) as exc:
        raise BadBundle(f"{not_a_bundle}: {exc.message}") from None
    except KeyError:
        raise BadBundle(
            f"{not_a_bundle}: it lacks one of manifest.json, events.json, checkpoints.json and "
            "public_key.pem; export it again with `crownjewels custody export`"
        ) from None
    except (OSError, ValueError) as exc:
        raise BadBundle(f"{not_a_bundle}: {exc}") from None


def verify(path: Path, *, trusted_key: bytes | None = None) -> Report:
    """Check a bundle: key, checkpoint signatures, consistency between checkpoints, every
    event's hash, links and inclusion proof, and that no event of the subject is missing."""
    data = _load(path)
    manifest = data["manifest"]
    if manifest.get("format") != FORMAT:
        raise BadBundle(f"{path}: unknown bundle format {manifest.get('format')!r}")
    report = Report(
        subject=str(manifest.get("subject", "")),
        subject_name=str(manifest.get("subject_name", "")),
    )
    try:
        key = signing.load_public_key(data["public_key"])
        trusted = signing.load_public_key(trusted_key) if trusted_key is not None else None
    except signing.BadNote as exc:
        raise BadBundle(f"{path}: {exc}") from None
    report.key_id = signing.key_id(key)
    if trusted is not None and signing.key_id(trusted) != report.key_id:
        report.problems.append(
            f"bundle signed by another installation (key {report.key_id[:16]}..., "
            f"not the trusted key {signing.key_id(trusted)[:16]}...)"
        )
        return report
    if manifest.get("key_id") != report.key_id:
        report.problems.append("manifest.json names another key than public_key.pem")
    roots = _check_checkpoints(data["checkpoints"], key, report)
    _check_events(data["events"], roots, report)
    _check_complete(data["events"], report)
    if trusted is None:
        report.facts.append(
            "no --public-key given: checked against the key inside the bundle only; compare its "
            f"key id {report.key_id} with the installation's"
        )
    return report


def _check_checkpoints(items: list[dict[str, Any]], key: Any, report: Report) -> dict[int, bytes]:
    roots: dict[int, bytes] = {}
    previous = 0
    for item in sorted(items, key=lambda c: int(c["tree_size"])):
        size = int(item["tree_size"])
        try:
            note = signing.verify(item["note"], key)
        except signing.BadNote as exc:
            report.problems.append(f"checkpoint {size}: {exc}")
            continue
        if note.tree_size != size or note.root_hash.hex() != item["root_hash"]:
            report.problems.append(f"checkpoint {size}: its fields differ from its signed note")
            continue
        old = int(item["consistency_from"])
        proof = [bytes.fromhex(p) for p in item["consistency_proof"]]
        old_root = roots.get(old, merkle.EMPTY_ROOT if old == 0 else None)
        if old != previous or old_root is None:
            report.problems.append(
                f"checkpoint {size}: no consistency proof from checkpoint {previous}"
            )
        elif not merkle.verify_consistency(old, size, old_root, note.root_hash, proof):
            report.problems.append(
                f"forked history: checkpoint {size} does not extend checkpoint {old} "
                "(the log was rewritten or cut short between them)"
            )
        roots[size] = note.root_hash
        previous = size
    report.facts.append(f"{len(roots)} signed checkpoints, sizes up to {previous}")
    return roots


def _check_events(events: list[dict[str, Any]], roots: dict[int, bytes], report: Report) -> None:
    before: dict[str, Any] | None = None
    for event in events:
        seq = int(event["seq"])
        data = encode(event)
        if hashlib.sha256(data).hexdigest() != event["hash"]:
            report.problems.append(
                f"event #{seq} was altered: its content no longer matches its hash"
            )
        if (
            before is not None
            and int(before["seq"]) == seq - 1
            and event["prev_hash"] != before["hash"]
        ):
            report.problems.append(f"event #{seq} does not link to event #{seq - 1}")
        inclusion = event["inclusion"]
        size = int(inclusion["tree_size"])
        proof = [bytes.fromhex(p) for p in inclusion["proof"]]
        root = roots.get(size)
        if root is None:
            report.problems.append(f"event #{seq}: no signed checkpoint of tree size {size}")
        elif not merkle.verify_inclusion(seq - 1, size, merkle.leaf_hash(data), proof, root):
            report.problems.append(
                f"event #{seq} is not in signed checkpoint {size}: it was altered or the "
                "history forked"
            )
        before = event
    report.facts.append(f"{len(events)} events checked")


def _check_complete(events: list[dict[str, Any]], report: Report) -> None:
    if not events or events[-1]["event_type"] != "CUSTODY_EXPORTED":
        report.problems.append("the bundle lacks its CUSTODY_EXPORTED record: events were cut off")
        return
    record = events[-1]
    details = json.loads(record["details"])
    if record["subject_id"] != report.subject:
        report.problems.append(
            f"the export record is about {record['subject_id']}, not {report.subject}"
        )
    subject = [e for e in events[:-1] if f"{e['subject_type']}:{e['subject_id']}" == report.subject]
    pairs = "".join(f"{e['seq']} {e['hash']}\n" for e in subject)
    if (
        len(subject) != len(events) - 1
        or len(subject) != details.get("events")
        or (subject and int(subject[-1]["seq"]) != details.get("last_seq"))
        or hashlib.sha256(pairs.encode()).hexdigest() != details.get("events_sha256")
    ):
        report.problems.append(
            f"events are missing or extra: the export recorded {details.get('events')} events of "
            f"{report.subject} up to #{details.get('last_seq')}, the bundle holds {len(subject)}"
        )
