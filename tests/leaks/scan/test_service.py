"""Scans end to end against the real database and vault: a renamed excerpt of a secret's code
found in a file, a folder, a zip, a git repository's history, pasted text and a URL, with its
passages and verdict in words; a watermarked copy names its recipient; each match is a custody
event and a monitoring signal; the evidence is the SHA-256 and offsets, never the content."""

from __future__ import annotations

import hashlib
import http.server
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import boto3
import pytest
from pydantic import SecretStr
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor, system_actor
from crownjewels.core.db import Database
from crownjewels.core.errors import Forbidden, Invalid
from crownjewels.core.permissions import Permission as P
from crownjewels.core.permissions import Role
from crownjewels.custody import service as custody
from crownjewels.disclosure import service as disclosure
from crownjewels.disclosure.schemas import Channel
from crownjewels.leaks import escalation
from crownjewels.leaks.canary import service as canary
from crownjewels.leaks.canary.schemas import TokenCreate
from crownjewels.leaks.errors import AlreadyReviewed
from crownjewels.leaks.models import Match, Scan, ScannedFile, Token, TokenHit
from crownjewels.leaks.scan import review, service, view, watches
from crownjewels.leaks.scan.schemas import WatchCreate
from crownjewels.leaks.schemas import TargetKind, TokenKind
from crownjewels.monitoring.models import ActivityEvent
from crownjewels.vault import lifecycle
from crownjewels.vault import service as vault
from tests.conftest import savepoint_per_test
from tests.leaks.scan.world import INGEST, UNRELATED, World, excerpt, git, make_world
from tests.local_http import serving
from tests.parties.factories import actor_for, make_person, make_user


@pytest.fixture(scope="module")
def world(module_db: Database, tmp_path_factory: pytest.TempPathFactory) -> World:
    with module_db.unit_of_work() as session:
        return make_world(session, system_actor("test"), tmp_path_factory.mktemp("home"))


@pytest.fixture
def connection(module_connection: Connection, world: World) -> Iterator[Connection]:
    yield from savepoint_per_test(module_connection)


def _scan(session: Session, admin: Actor, world: World, target: str, **kw: object):  # type: ignore[no-untyped-def]
    return service.scan(session, actor=admin, settings=world.settings, target=target, **kw)  # type: ignore[arg-type]


def test_a_renamed_excerpt_is_found_with_its_passages_and_verdict(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    suspect = tmp_path / "utils.py"
    suspect.write_text(excerpt())
    done = _scan(session, admin, world, str(suspect)).scan
    assert done.ref.startswith("LS-") and done.status == "done" and done.files == 1
    (found,) = done.found
    assert found.secret_ref == world.secret_ref and found.document_name == "ingest.py"
    assert found.verdict.startswith(f"{found.longest_lines} consecutive lines of ")
    assert f"{world.secret_ref} ingest.py, identifiers renamed" in found.verdict
    assert found.longest_lines >= 20 and 0.2 < found.similarity < 0.95
    first = found.passages[0]
    assert first.source_lines[0] >= 30 and first.source_lines[1] <= 72
    assert first.suspect_lines[0] >= 1 and first.suspect_start < first.suspect_end
    # evidence: the file's SHA-256 and the offsets; never its content
    row = session.scalar(select(ScannedFile).where(ScannedFile.path == found.file_path))
    assert row is not None and row.sha256 == hashlib.sha256(excerpt().encode()).hexdigest()
    assert "compute_rate" not in repr(
        session.scalar(select(Match).where(Match.ref == found.ref)).__dict__
    )  # type: ignore[union-attr]


def test_a_match_is_a_custody_event_and_a_monitoring_signal(
    session: Session, admin: Actor, world: World
) -> None:
    done = service.scan(session, actor=admin, settings=world.settings, text=excerpt()).scan
    (found,) = done.found
    row = session.scalar(select(Match).where(Match.ref == found.ref))
    assert row is not None and row.event_id is not None
    event = session.scalar(select(ActivityEvent).where(ActivityEvent.id == row.event_id))
    assert event is not None and event.action == "signal" and event.secret_id == world.secret_id
    assert event.details["kind"] == "leak-match" and event.resource == found.ref
    kinds = [
        e.event_type for e in custody.history(session, subject_type="leak-match", subject_id=row.id)
    ]
    assert kinds == ["LEAK_MATCH_FOUND"]
    scan_row = session.scalar(select(Scan).where(Scan.ref == done.ref))
    assert scan_row is not None
    (completed,) = custody.history(session, subject_type="leak-scan", subject_id=scan_row.id)
    assert completed.event_type == "LEAK_SCAN_COMPLETED" and completed.details["matches"] == [
        found.ref
    ]
    assert done.target.startswith("pasted text")


def test_a_found_honey_string_fires_its_canary_instead_of_a_second_alert(
    session: Session, admin: Actor, world: World
) -> None:
    token = canary.plant(
        session,
        actor=admin,
        data=TokenCreate(secret=world.secret_ref, kind=TokenKind.HONEY),
        base_url="http://127.0.0.1:8000",
    )
    row = session.scalar(select(Token).where(Token.ref == token.ref))
    assert row is not None and row.honey
    done = service.scan(session, actor=admin, settings=world.settings, text=row.honey).scan
    (found,) = done.found
    match = session.scalar(select(Match).where(Match.ref == found.ref))
    assert match is not None and match.token_id == row.id
    assert token.ref in match.verdict
    (hit,) = session.scalars(select(TokenHit).where(TokenHit.token_id == row.id)).all()
    assert hit.via == "scan" and match.event_id == hit.event_id
    event = session.scalar(select(ActivityEvent).where(ActivityEvent.id == match.event_id))
    assert event is not None and event.details["kind"] == "canary"
    signals = session.scalars(
        select(ActivityEvent).where(
            ActivityEvent.action == "signal", ActivityEvent.resource == found.ref
        )
    ).all()
    assert signals == [], "no leak-match alert beside the canary's"
    canary.retire(session, actor=admin, ref=token.ref, reason="the decoy was withdrawn")
    again = service.scan(session, actor=admin, settings=world.settings, text=row.honey).scan
    assert again.found == [], "a retired token's strings are no longer looked for"


@pytest.mark.parametrize("filename", ["..", "x" * 290 + ".py", ""])
def test_an_upload_of_any_name_is_scanned(
    session: Session, admin: Actor, world: World, filename: str
) -> None:
    done = service.scan_upload(
        session, actor=admin, settings=world.settings, filename=filename, data=excerpt().encode()
    ).scan
    assert done.files == 1 and len(done.found) == 1


def test_unrelated_code_and_text_find_nothing(session: Session, admin: Actor, world: World) -> None:
    done = service.scan(session, actor=admin, settings=world.settings, text=UNRELATED).scan
    assert done.files == 1 and done.found == []


def test_a_folder_and_a_zip_name_the_file_inside(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    folder = tmp_path / "dump"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "utils.py").write_text(excerpt())
    (folder / "main.py").write_text(UNRELATED)
    (folder / "blob.bin").write_bytes(bytes(range(256)) * 8)
    done = _scan(session, admin, world, str(folder)).scan
    assert done.target_kind is TargetKind.FOLDER and done.files == 2
    assert [m.file_path for m in done.found] == ["src/utils.py"]
    assert sum(done.skipped.values()) == 1
    archive = tmp_path / "dump.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("pkg/utils.py", excerpt())
        z.writestr("README.md", "nothing here")
    zipped = _scan(session, admin, world, str(archive)).scan
    assert zipped.target_kind is TargetKind.ARCHIVE
    assert [m.file_path for m in zipped.found] == ["dump.zip!pkg/utils.py"]


def test_a_git_repository_is_scanned_through_its_history(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "utils.py").write_text(excerpt())
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "add utilities")
    (repo / "utils.py").write_text(UNRELATED)  # the leak is gone from the tip, not the history
    git(repo, "commit", "-q", "-am", "replace")
    done = _scan(session, admin, world, str(repo)).scan
    assert done.target_kind is TargetKind.GIT and done.files == 2
    (found,) = done.found
    assert found.file_path.startswith("utils.py@")


def test_a_url_is_fetched_from_a_local_server(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    (tmp_path / "paste.txt").write_text(excerpt())
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving(server):
        url = f"http://127.0.0.1:{server.server_address[1]}/paste.txt"
        done = _scan(session, admin, world, url).scan
    assert done.target_kind is TargetKind.URL and len(done.found) == 1


def test_a_bucket_prefix_is_scanned_object_by_object(
    session: Session, admin: Actor, world: World, moto_url: str
) -> None:
    bucket = f"leak-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3", endpoint_url=moto_url, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="exports/pipeline/ingest_copy.py", Body=excerpt().encode())
    s3.put_object(Bucket=bucket, Key="exports/notes.txt", Body=UNRELATED.encode())
    s3.put_object(Bucket=bucket, Key="elsewhere/ingest.py", Body=excerpt().encode())
    settings = world.settings.model_copy(
        update={
            "leaks_s3_endpoint_url": moto_url,
            "leaks_s3_region": "us-east-1",
            "leaks_s3_access_key_id": "testing",
            "leaks_s3_secret_access_key": SecretStr("testing"),
        }
    )
    done = service.scan(
        session, actor=admin, settings=settings, target=f"s3://{bucket}/exports/"
    ).scan
    assert done.target_kind is TargetKind.S3 and done.files == 2, "only the prefix is read"
    (found,) = done.found
    assert found.file_path == f"s3://{bucket}/exports/pipeline/ingest_copy.py"


def test_a_watermarked_copy_names_its_recipient(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    issued = disclosure.issue_copy(
        session,
        actor=admin,
        vault_=vault.open_vault(world.settings),
        key=disclosure.issuer(world.settings).key,
        document_id=world.text_document,
        purpose="supplier audit",
        channel=Channel.CLI,
        recipient=world.alice_id,
    )
    found_file = tmp_path / "found.txt"
    found_file.write_bytes(issued.data)
    done = _scan(session, admin, world, str(found_file)).scan
    assert done.identified == 1
    (found,) = done.found
    assert found.verdict.startswith(
        f"a watermarked copy: copy {issued.copy.id} issued to Alice Smith (Acme Ltd) on "
    )
    assert found.copy_id == issued.copy.id


def test_the_side_by_side_reads_the_secret_from_the_vault(
    session: Session, admin: Actor, world: World
) -> None:
    outcome = service.scan(
        session, actor=admin, settings=world.settings, text=excerpt(), keep_text=True
    )
    (found,) = outcome.scan.found
    shown = view.view(
        session,
        actor=admin,
        settings=world.settings,
        ref=found.ref,
        suspect_text=outcome.texts[found.file_path],
    )
    first = shown.passages[0]
    source_lines = INGEST.splitlines()
    marked = [text for _, text, hit in first.source.lines if hit]
    assert marked and all(line in source_lines for line in marked)
    assert any("compute_rate" in text for _, text, hit in first.suspect.lines if hit)
    later = view.view(session, actor=admin, settings=world.settings, ref=found.ref)
    assert later.passages[0].suspect.lines == [] and "not kept" in (later.suspect_note or "")


def test_review_confirm_dismiss_and_investigate(
    session: Session, admin: Actor, world: World, alone: None
) -> None:
    first, second = (
        service.scan(session, actor=admin, settings=world.settings, text=excerpt()).scan.found[0]
        for _ in range(2)
    )
    with pytest.raises(Invalid, match="say why"):
        review.dismiss(session, actor=admin, ref=first.ref, reason=" ")
    dismissed = review.dismiss(
        session, actor=admin, ref=first.ref, reason="our own open-source release"
    )
    assert (
        dismissed.status == "dismissed" and dismissed.review_note == "our own open-source release"
    )
    with pytest.raises(AlreadyReviewed, match="already dismissed"):
        review.confirm(session, actor=admin, ref=first.ref)
    with pytest.raises(Invalid, match="no investigation can be opened"):
        review.investigate(session, actor=admin, ref=second.ref, note="posted on a forum")
    escalation.register("test", lambda s, a, f: f"IN-{f.reference}")
    try:
        opened = review.investigate(session, actor=admin, ref=second.ref, note="posted on a forum")
    finally:
        escalation.unregister("test")
    assert opened.case == f"IN-{second.ref}" and opened.match.status == "confirmed"
    row = session.scalar(select(Match).where(Match.ref == second.ref))
    assert row is not None
    kinds = {
        e.event_type for e in custody.history(session, subject_type="leak-match", subject_id=row.id)
    }
    assert kinds == {"LEAK_MATCH_FOUND", "LEAK_MATCH_REVIEWED", "LEAK_MATCH_ESCALATED"}


def test_a_document_shredded_while_the_scan_read_is_left_out_of_its_write(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    """The reading and the writing are two transactions: a document destroyed between them
    is counted as skipped, and the scan is written without it instead of failing."""
    suspect = tmp_path / "utils.py"
    suspect.write_text(excerpt())
    reading = service.read(session, actor=admin, settings=world.settings, target=str(suspect))
    assert [h.document_id for r in reading.reads for h in r.hits] == [world.code_document]
    lifecycle.destroy(
        session,
        actor=admin,
        vault=vault.open_vault(world.settings),
        document_id=world.code_document,
        reason="obsolete",
    )
    done = service.record(session, reading).scan
    assert done.found == [] and done.matches == 0
    assert done.skipped == {"matched a document destroyed while the scan read": 1}


@dataclass(frozen=True)
class _Holding(Actor):
    """An actor holding exactly `held` (a custom role's permissions)."""

    held: set[P] = field(default_factory=set)

    @property
    def permissions(self) -> frozenset[P]:
        return frozenset(self.held)


def test_who_may_scan_what(session: Session, admin: Actor, world: World, tmp_path: Path) -> None:
    auditor = actor_for(
        session, make_user(session, admin, Role.AUDITOR, person=make_person(session, admin))
    )
    with pytest.raises(Forbidden, match="leaks:review"):
        service.scan(session, actor=auditor, settings=world.settings, text=excerpt())
    assert service.list_scans(session, actor=auditor)[1] >= 0
    with pytest.raises(Invalid, match="no file or folder"):
        _scan(session, admin, world, str(tmp_path / "missing"))
    # who may scan files, text and URLs but not the server's paths learns nothing of them
    reviewer = _Holding(kind="user", id="r", name="Reviewer", held={P.LEAKS_REVIEW})
    for path in (tmp_path, tmp_path / "missing"):
        with pytest.raises(Forbidden, match="needs the leaks:manage permission"):
            service.scan(session, actor=reviewer, settings=world.settings, target=str(path))
    with pytest.raises(Invalid, match="empty"):
        service.scan(session, actor=admin, settings=world.settings, text="  ")


def test_a_watch_reports_only_new_matches(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    (folder / "utils.py").write_text(excerpt())
    made = watches.add(
        session, actor=admin, data=WatchCreate(name="Shared drive", target=str(folder))
    )
    assert made.ref.startswith("LW-") and made.target_kind is TargetKind.FOLDER
    assert watches.due(session) == [made.ref]
    first = watches.run(session, actor=admin, settings=world.settings, ref=made.ref).scan
    assert len(first.found) == 1 and first.watch_ref == made.ref
    assert watches.due(session) == []
    again = watches.run(session, actor=admin, settings=world.settings, ref=made.ref).scan
    assert again.found == [] and again.skipped == {"matches reported before": 1}
    (folder / "copy2.py").write_text(excerpt() + "\nEXTRA = 1\n")
    third = watches.run(session, actor=admin, settings=world.settings, ref=made.ref).scan
    assert [m.file_path for m in third.found] == ["copy2.py"]
    assert watches.pause(session, actor=admin, ref=made.ref).status == "paused"
    assert watches.remove(session, actor=admin, ref=made.ref).status == "removed"
    assert watches.list_watches(session, actor=admin) == []
    with pytest.raises(Invalid, match="re-scans a folder"):
        watches.add(
            session,
            actor=admin,
            data=WatchCreate(name="One file", target=str(folder / "utils.py")),
        )


def test_a_failed_watch_run_is_kept_with_its_reason(
    session: Session, admin: Actor, world: World, tmp_path: Path
) -> None:
    made = watches.add(
        session,
        actor=admin,
        data=WatchCreate(name="Gone", target=str(tmp_path), kind=TargetKind.FOLDER),
    )
    ref = watches.failed(session, actor=admin, ref=made.ref, error="the folder is gone")
    shown = service.get_scan(session, actor=admin, ref=ref)
    assert shown.status == "failed" and shown.error == "the folder is gone"
    assert watches.get(session, actor=admin, ref=made.ref).last_scan_ref == ref
