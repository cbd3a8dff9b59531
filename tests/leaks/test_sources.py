"""Scan targets read into files: real folders, archives, git repositories made with the git
CLI, a moto S3 server and an http.server on 127.0.0.1."""

from __future__ import annotations

import bz2
import gzip
import io
import os
import subprocess
import tarfile
import threading
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import boto3
import docx
import openpyxl
import pytest
from pydantic import SecretStr

from crownjewels.core import archives
from crownjewels.leaks.errors import TargetRefused, Unreadable
from crownjewels.leaks.scan import sources
from crownjewels.leaks.scan.limits import S3Access
from crownjewels.leaks.scan.sources import Item, ScanLimits, kind_of, read_target
from crownjewels.leaks.schemas import TargetKind
from crownjewels.settings import Settings
from tests.local_http import LocalServer, serving

LIMITS = ScanLimits()
LOCAL = ScanLimits(fetch_private_addresses=True, fetch_timeout=5.0)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200


def read(target: str | Path, **kwargs: object) -> list[Item]:
    return list(read_target(str(target), **kwargs))  # type: ignore[arg-type]


def read_ok(target: str | Path, limits: ScanLimits = LIMITS, **kwargs: object) -> dict[str, bytes]:
    return {i.path: i.data for i in read(target, limits=limits, **kwargs) if i.skipped is None}


def skipped(items: list[Item]) -> dict[str, str]:
    return {i.path: i.skipped for i in items if i.skipped is not None}


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_bytes(entries: dict[str, bytes], mode: str = "w:gz") -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:  # type: ignore[call-overload]
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# -- text, file, folder -------------------------------------------------------------------------


def test_pasted_text_is_one_item_and_empty_text_is_refused() -> None:
    items = read("def ingest(batch):\n    return batch\n", kind=TargetKind.TEXT, limits=LIMITS)
    assert items == [Item("pasted text", b"def ingest(batch):\n    return batch\n", "text/plain")]
    with pytest.raises(TargetRefused, match="empty"):
        read("  \n", kind=TargetKind.TEXT, limits=LIMITS)
    with pytest.raises(TargetRefused, match="over the 10 bytes limit"):
        read("x" * 11, kind=TargetKind.TEXT, limits=ScanLimits(max_file_bytes=10))


def test_a_file_is_read_and_one_without_text_is_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("fed-batch at 37 C\n")
    assert read_ok(tmp_path / "notes.md") == {"notes.md": b"fed-batch at 37 C\n"}
    (tmp_path / "tool").write_bytes(ELF)
    with pytest.raises(Unreadable, match=r"tool cannot be scanned: .*no text or watermark"):
        read(tmp_path / "tool", limits=LIMITS)
    (tmp_path / "big.txt").write_text("y" * 2048)
    with pytest.raises(TargetRefused, match=r"big.txt is 2 KB, over the 1 KB limit"):
        read(tmp_path / "big.txt", limits=ScanLimits(max_file_bytes=1024))
    with pytest.raises(TargetRefused, match="no file or folder at"):
        read(tmp_path / "missing.txt", limits=LIMITS)


def test_a_folder_is_read_recursively_and_every_skip_has_its_reason(tmp_path: Path) -> None:
    root = tmp_path / "drop"
    (root / "src" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("[core]\n")
    (root / "src" / "ingest.py").write_text("import os\n")
    (root / "src" / "deep" / "notes.txt").write_text("glycosylation\n")
    (root / "logo.png").write_bytes(PNG)
    (root / "tool").write_bytes(ELF)
    (root / "huge.txt").write_text("z" * 5000)
    (root / "link.py").symlink_to(root / "src" / "ingest.py")
    (root / "bundle.zip").write_bytes(
        zip_bytes({"a/readme.txt": b"inner", "inner.zip": zip_bytes({"x.py": b"x = 1\n"})})
    )
    items = read(root, limits=ScanLimits(max_file_bytes=4096))
    read_paths = {i.path: i.media_type for i in items if i.skipped is None}
    assert read_paths == {
        "src/ingest.py": "text/plain",
        "src/deep/notes.txt": "text/plain",
        "logo.png": "image/png",  # an image may carry a watermark: it is read
        "bundle.zip!a/readme.txt": "text/plain",
        "bundle.zip!inner.zip!x.py": "text/plain",
    }
    reasons = skipped(items)
    assert set(reasons) == {"tool", "huge.txt", "link.py"}
    assert "no text or watermark" in reasons["tool"]
    assert reasons["huge.txt"].startswith("4.9 KB, over the 4 KB limit for one file")
    assert reasons["link.py"] == "a symbolic link, not followed"
    assert kind_of(str(root)) == TargetKind.FOLDER


def test_only_one_archive_inside_another_is_opened(tmp_path: Path) -> None:
    third = zip_bytes({"secret.py": b"k = 3\n"})
    second = zip_bytes({"third.zip": third})
    (tmp_path / "first.zip").write_bytes(zip_bytes({"second.zip": second, "top.txt": b"t"}))
    items = read(tmp_path / "first.zip", limits=LIMITS)
    assert [i.path for i in items if i.skipped is None] == ["first.zip!top.txt"]
    assert (
        "only one archive within another is opened"
        in skipped(items)["first.zip!second.zip!third.zip"]
    )


@pytest.mark.parametrize(
    ("mode", "suffix"),
    [("w:gz", ".tar.gz"), ("w:bz2", ".tar.bz2"), ("w:xz", ".tar.xz"), ("w", ".tar")],
)
def test_tar_archives_are_read(tmp_path: Path, mode: str, suffix: str) -> None:
    path = tmp_path / f"leak{suffix}"
    path.write_bytes(tar_bytes({"pkg/a.py": b"a = 1\n", "pkg/b.txt": b"bee"}, mode))
    assert kind_of(str(path)) == TargetKind.ARCHIVE
    assert read_ok(path) == {
        f"leak{suffix}!pkg/a.py": b"a = 1\n",
        f"leak{suffix}!pkg/b.txt": b"bee",
    }


def test_a_single_compressed_file_is_decompressed_within_the_file_limit(tmp_path: Path) -> None:
    (tmp_path / "dump.sql.gz").write_bytes(gzip.compress(b"insert into t values (1);\n"))
    assert read_ok(tmp_path / "dump.sql.gz") == {
        "dump.sql.gz!dump.sql": b"insert into t values (1);\n"
    }
    (tmp_path / "big.bz2").write_bytes(bz2.compress(b"a" * 5000))
    items = read(tmp_path / "big.bz2", limits=ScanLimits(max_file_bytes=4096))
    assert "decompresses to more than the 4 KB limit" in skipped(items)["big.bz2!big"]


def test_damaged_and_oversized_archives_are_refused_with_a_plain_reason(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(Unreadable, match="not a valid ZIP archive"):
        read(tmp_path / "broken.zip", limits=LIMITS)
    (tmp_path / "many.zip").write_bytes(zip_bytes({f"f{n}.txt": b"x" for n in range(5)}))
    tight = ScanLimits(archive=archives.ArchiveLimits(max_entries=3))
    with pytest.raises(TargetRefused, match="holds 5 entries; at most 3"):
        read(tmp_path / "many.zip", limits=tight)
    (tmp_path / "many.tgz").write_bytes(tar_bytes({f"f{n}.txt": b"x" for n in range(5)}))
    # a tar has no index to judge first: what came before the limit is read, the rest reported
    items = read(tmp_path / "many.tgz", limits=tight)
    assert [i.path for i in items if i.skipped is None] == [f"many.tgz!f{n}.txt" for n in range(3)]
    assert "holds more than 3 entries" in skipped(items)["many.tgz!…"]
    # inside a folder, the same archive is skipped with that reason, the rest still read
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "many.zip").write_bytes((tmp_path / "many.zip").read_bytes())
    (folder / "ok.txt").write_text("ok")
    items = read(folder, limits=tight)
    assert [i.path for i in items if i.skipped is None] == ["ok.txt"]
    assert "at most 3 are accepted" in skipped(items)["many.zip"]


def test_a_scan_stops_at_its_file_and_byte_limits_and_says_so(tmp_path: Path) -> None:
    for n in range(4):
        (tmp_path / f"f{n}.txt").write_text("0123456789")
    items = read(tmp_path, limits=ScanLimits(max_files=2))
    assert [i.path for i in items] == ["f0.txt", "f1.txt", "f2.txt"]
    assert "limit of 2 files (CROWNJEWELS_LEAKS_MAX_FILES)" in str(items[-1].skipped)
    items = read(tmp_path, limits=ScanLimits(max_scan_bytes=25))
    assert [i.skipped is None for i in items] == [True, True, False]
    assert "limit of 25 bytes read" in str(items[-1].skipped)


def test_office_files_images_and_pdfs_are_named_by_their_bytes(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("fed-batch")
    buffer = io.BytesIO()
    document.save(buffer)
    assert sources.sniff(buffer.getvalue()) == sources.DOCX
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "titre"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert sources.sniff(buffer.getvalue()) == sources.XLSX
    assert sources.sniff(b"%PDF-1.7\n...") == sources.PDF
    assert sources.sniff("café crème\n".encode("latin-1")) == "text/plain"
    assert sources.sniff("naïve\n".encode("utf-16")) == "text/plain"
    assert sources.sniff(ELF) not in sources.READABLE


# -- git -----------------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Laura Kim",
        "GIT_AUTHOR_EMAIL": "laura@example.com",
        "GIT_COMMITTER_NAME": "Laura Kim",
        "GIT_COMMITTER_EMAIL": "laura@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, check=True, text=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two branches; a file changed, one deleted (still in history), one content on two paths."""
    repo = tmp_path_factory.mktemp("git") / "work"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "ingest.py").write_text("def ingest():\n    return 1\n")
    (repo / "gone.txt").write_text("deleted later\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    git(repo, "checkout", "-qb", "feature")
    (repo / "feature.py").write_text("FEATURE = True\n")
    (repo / "copy.py").write_text("def ingest():\n    return 1\n")  # same blob as ingest.py
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "feature")
    git(repo, "checkout", "-q", "main")
    (repo / "ingest.py").write_text("def ingest():\n    return 2\n")
    git(repo, "rm", "-q", "gone.txt")
    (repo / "logo.png").write_bytes(PNG)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "second")
    return repo


def commits(repo: Path) -> dict[str, str]:
    return {
        line.split()[1]: line.split()[0][:12]
        for line in git(repo, "log", "--all", "--format=%H %s").splitlines()
    }


def test_a_repository_is_read_across_branches_and_history_each_blob_once(repository: Path) -> None:
    ids = commits(repository)
    items = read(repository, limits=LIMITS)
    assert kind_of(str(repository)) == TargetKind.GIT
    # a commit on both branches is named by either
    found = {i.path.replace("@feature:", "@main:"): i.data for i in items if i.skipped is None}
    first = ids["first"]
    assert found == {
        f"ingest.py@main:{first}": b"def ingest():\n    return 1\n",
        f"gone.txt@main:{first}": b"deleted later\n",
        f"feature.py@main:{ids['feature']}": b"FEATURE = True\n",
        f"ingest.py@main:{ids['second']}": b"def ingest():\n    return 2\n",
        f"logo.png@main:{ids['second']}": PNG,
    }  # copy.py holds ingest.py's first blob: reported once, where it first appeared
    assert skipped(items) == {}
    assert f"feature.py@feature:{ids['feature']}" in {i.path for i in items}


def test_a_sha256_repository_reads_like_a_sha1_one(tmp_path: Path) -> None:
    """Its object names are 64 hex digits, and so is the all-zero name of a deleted file."""
    repo = tmp_path / "sha256"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main", "--object-format=sha256")
    (repo / "gone.txt").write_text("deleted later\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    git(repo, "rm", "-q", "gone.txt")
    git(repo, "commit", "-qm", "second")
    items = read(repo, limits=LIMITS)
    assert [(i.path.split("@")[0], i.data) for i in items] == [("gone.txt", b"deleted later\n")]
    assert skipped(items) == {}


def test_a_bare_repository_and_a_file_url_read_the_same(repository: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repository), str(bare))
    by_path = {p.split("@")[0] for p in read_ok(bare)}
    by_url = {p.split("@")[0] for p in read_ok(bare.as_uri())}
    assert by_path == by_url == {"ingest.py", "gone.txt", "feature.py", "logo.png"}
    assert kind_of(bare.as_uri()) == TargetKind.GIT


def test_large_blobs_are_skipped_and_a_tight_deadline_refuses(repository: Path) -> None:
    items = read(repository, limits=ScanLimits(max_file_bytes=20))
    assert {p.split("@")[0] for p in skipped(items)} == {"ingest.py", "logo.png"}
    with pytest.raises(TargetRefused, match="within 1e-09 seconds"):
        read(repository, limits=ScanLimits(git_timeout=1e-9))


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("--upload-pack=touch /tmp/x", "starts with '-'"),
        ("ext::sh -c touch% /tmp/x", "transport helper"),
        ("fd::7", "transport helper"),
        ("https://oauth2:ghp_secret@github.com/acme/repo.git", "holds a password or token"),
    ],
)
def test_unsafe_repository_addresses_are_refused_before_git_runs(target: str, reason: str) -> None:
    with pytest.raises(TargetRefused, match=reason):
        read(target, kind=TargetKind.GIT, limits=LIMITS)


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1:9/team/repo.git", "ssh://git@127.0.0.1/repo.git", "git@127.0.0.1:repo.git"],
)
def test_a_repository_on_a_private_address_is_refused_unless_allowed(target: str) -> None:
    """Like URL scans and feeds: a remote repository cannot reach this network's own hosts."""
    with pytest.raises(TargetRefused, match="CROWNJEWELS_LEAKS_FETCH_PRIVATE_ADDRESSES=true"):
        read(target, kind=TargetKind.GIT, limits=LIMITS)
    with pytest.raises(TargetRefused, match="could not be cloned"):  # allowed: git is asked
        read(target, kind=TargetKind.GIT, limits=replace(LOCAL, git_timeout=20.0))


@pytest.mark.parametrize("death", ["exit 3", "read -r request; exit 3"])
def test_git_dying_mid_read_refuses_the_scan_in_words(
    repository: Path, monkeypatch: pytest.MonkeyPatch, death: str
) -> None:
    """The object reader killed (out of memory, a corrupt pack) before or after its first
    request: the scan is refused with a reason, never a server error, never files 'missing'."""
    real = subprocess.Popen

    def dying(args: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        if "cat-file" in args:
            args = ["sh", "-c", death]
        return real(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(subprocess, "Popen", dying)
    with pytest.raises(TargetRefused, match="git stopped while reading it"):
        read(repository, limits=LIMITS)


def test_an_unreachable_or_non_repository_is_refused(tmp_path: Path) -> None:
    with pytest.raises(TargetRefused, match="could not be cloned"):
        read((tmp_path / "nowhere.git").as_uri(), limits=LIMITS)
    with pytest.raises(TargetRefused, match="not a git repository; scan it as a folder"):
        read(tmp_path, kind=TargetKind.GIT, limits=LIMITS)


# -- S3 ------------------------------------------------------------------------------------------


def s3_limits(moto_url: str, **kwargs: int) -> ScanLimits:
    access = S3Access(moto_url, "us-east-1", "testing", "testing")
    return ScanLimits(s3=access, **kwargs)  # type: ignore[arg-type]


def test_a_bucket_prefix_is_read_object_by_object(moto_url: str) -> None:
    bucket = f"leak-{uuid.uuid4().hex[:12]}"
    limits = s3_limits(moto_url, max_file_bytes=200)
    client = boto3.client(
        "s3", endpoint_url=moto_url, region_name="us-east-1",
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="exports/a.py", Body=b"a = 1\n")
    client.put_object(Bucket=bucket, Key="exports/sub/", Body=b"")
    client.put_object(Bucket=bucket, Key="exports/big.txt", Body=b"b" * 201)
    client.put_object(Bucket=bucket, Key="exports/set.zip", Body=zip_bytes({"c.txt": b"c"}))
    client.put_object(Bucket=bucket, Key="other/d.py", Body=b"d = 1\n")
    items = read(f"s3://{bucket}/exports/", limits=limits)
    assert {i.path: i.data for i in items if i.skipped is None} == {
        f"s3://{bucket}/exports/a.py": b"a = 1\n",
        f"s3://{bucket}/exports/set.zip!c.txt": b"c",
    }
    assert "over the 200 bytes limit" in skipped(items)[f"s3://{bucket}/exports/big.txt"]
    with pytest.raises(TargetRefused, match=f"no bucket named missing-{bucket[5:]}"):
        read(f"s3://missing-{bucket[5:]}/x", limits=limits)
    with pytest.raises(TargetRefused, match="not a valid bucket name"):
        read("s3://Bad_Bucket/x", limits=limits)


# -- URLs ----------------------------------------------------------------------------------------


class Handler(BaseHTTPRequestHandler):
    release = threading.Event()

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/text":
            self._send(200, b"the fed-batch process\n")
        elif self.path == "/archive":
            self._send(200, zip_bytes({"in/a.txt": b"inside"}))
        elif self.path == "/large":
            self._send(200, b"L" * 3000)
        elif self.path == "/streamed":
            self.send_response(200)
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"S" * 500)
            self.close_connection = True
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"a")
            self.wfile.flush()
            self.release.wait(10)
        elif self.path.startswith("/loop"):
            self._redirect("/loop-b" if self.path == "/loop-a" else "/loop-a")
        elif self.path.startswith("/hop"):
            n = int(self.path.removeprefix("/hop"))
            self._redirect(f"/hop{n - 1}" if n > 0 else "/text")
        elif self.path == "/elsewhere":
            self._redirect("file:///etc/passwd")
        else:
            self._send(404, b"no")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, where: str) -> None:
        self.send_response(302)
        self.send_header("Location", where)
        self.send_header("Content-Length", "0")
        self.end_headers()


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = LocalServer(("127.0.0.1", 0), Handler)
    with serving(server):
        yield f"http://127.0.0.1:{server.server_address[1]}"
        Handler.release.set()


def test_a_url_is_fetched_and_an_archive_there_opened(site: str) -> None:
    assert read_ok(f"{site}/text", LOCAL) == {f"{site}/text": b"the fed-batch process\n"}
    assert read_ok(f"{site}/archive", LOCAL) == {f"{site}/archive!in/a.txt": b"inside"}
    assert read_ok(f"{site}/hop3", LOCAL) == {f"{site}/hop3": b"the fed-batch process\n"}
    assert kind_of(f"{site}/text") == TargetKind.URL


@pytest.mark.parametrize(
    ("path", "limits", "reason"),
    [
        (
            "/large",
            ScanLimits(fetch_private_addresses=True, fetch_max_bytes=2048),
            "answered 2.9 KB, over the 2 KB limit",
        ),
        (
            "/streamed",
            ScanLimits(fetch_private_addresses=True, fetch_max_bytes=2048),
            "answered more, over the 2 KB limit",
        ),
        (
            "/slow",
            ScanLimits(fetch_private_addresses=True, fetch_timeout=0.3),
            "did not answer in full within 0.3 seconds",
        ),
        ("/missing", LOCAL, "answered 404 \\(not found\\)"),
        ("/loop-a", LOCAL, "redirects in a loop"),
        ("/hop9", LOCAL, "redirected more than 5 times"),
        ("/elsewhere", LOCAL, "leads to a file address; only http and https"),
        ("/text", LIMITS, "an address of a private network or of this machine"),
    ],
)
def test_a_url_out_of_bounds_is_refused_with_the_reason(
    site: str, path: str, limits: ScanLimits, reason: str
) -> None:
    with pytest.raises(TargetRefused, match=reason):
        read(f"{site}{path}", limits=limits)


def test_credentials_in_a_url_are_refused_and_never_shown(site: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        read(site.replace("http://", "http://laura:hunter2@") + "/text", limits=LOCAL)
    assert "hunter2" not in refused.value.message
    assert "user name or password" in refused.value.message


# -- settings ------------------------------------------------------------------------------------


def test_limits_come_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        home=tmp_path,
        leaks_max_file_bytes=1234,
        leaks_fetch_timeout_seconds=7.5,
        leaks_fetch_private_addresses=True,
        leaks_s3_endpoint_url="http://127.0.0.1:9000",
        leaks_s3_secret_access_key=SecretStr("s3cr3t"),
    )
    limits = ScanLimits.from_settings(settings)
    assert limits.max_file_bytes == 1234
    assert limits.fetch_timeout == 7.5
    assert limits.fetch_private_addresses is True
    assert limits.s3.endpoint_url == "http://127.0.0.1:9000"
    assert limits.s3.secret_access_key == "s3cr3t"
    assert "s3cr3t" not in repr(limits)


def test_kinds_are_guessed_from_how_a_target_is_written(tmp_path: Path) -> None:
    assert kind_of("s3://bucket/prefix") == TargetKind.S3
    assert kind_of("https://git.example.com/team/repo.git") == TargetKind.GIT
    assert kind_of("git@git.example.com:team/repo.git") == TargetKind.GIT
    assert kind_of("https://example.com/leak.txt") == TargetKind.URL
    (tmp_path / "a.txt").write_text("a")
    assert kind_of(str(tmp_path / "a.txt")) == TargetKind.FILE
    with pytest.raises(TargetRefused, match="nothing to scan"):
        kind_of(" ")
