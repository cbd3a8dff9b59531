"""A git repository read for a scan: every branch, tag and other ref with its whole history,
each distinct file content (blob) once, at the first path and commit it appears in (oldest
first), shown as `path@branch:commit`.

The repository, local or remote, is first cloned as a mirror into a temporary folder that is
removed afterwards (or when the scan stops early): its own configuration (which could name
commands to run) is never read, and a local one is only read, never changed. The git command
line runs with hooks off, no prompt for credentials (a repository that needs them must get
them from the server's own git credential helper or SSH agent), only the http, https, ssh, git
and file transports (never `ext::`), and one time budget (CROWNJEWELS_LEAKS_GIT_TIMEOUT_SECONDS)
for cloning and for waiting on git while reading (the time the scan spends comparing each file
is not counted). An address that starts with `-` or uses a `transport::` form is refused before
git sees it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from crownjewels.leaks.errors import TargetRefused
from crownjewels.leaks.scan import fetch
from crownjewels.leaks.scan.fetch import display
from crownjewels.leaks.scan.limits import Found, ScanLimits, too_large

#: every git command gets these: no hooks, only the safe transports, no colour or pager
SAFE_CONFIG = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "protocol.allow=never",
    "-c", "protocol.file.allow=always",
    "-c", "protocol.http.allow=always",
    "-c", "protocol.https.allow=always",
    "-c", "protocol.ssh.allow=always",
    "-c", "protocol.git.allow=always",
    "-c", "color.ui=false",
    # a redirect could lead past the address check below to the installation's own network
    "-c", "http.followRedirects=false",
)  # fmt: skip
_SCHEMES = ("http://", "https://", "ssh://", "git://", "file://", "git+ssh://", "ssh+git://")
#: scp-like `user@host:path` (no scheme)
_SCP = re.compile(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:[^/\\].*|^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:/.*")
_REGULAR = ("100644", "100755", "100664")
_LINK = "120000"
_SUBMODULE = "160000"


def is_remote(target: str) -> bool:
    """Whether `target` is written as a repository address rather than a local path."""
    lowered = target.lower()
    return lowered.startswith(_SCHEMES) or bool(_SCP.match(target)) or "::" in target


def is_repository(path: Path) -> bool:
    """Whether a local folder is a working copy (holds .git) or a bare repository."""
    dot_git = path / ".git"
    if (dot_git / "HEAD").is_file():
        return True
    if dot_git.is_file():  # a linked worktree or a submodule: "gitdir: <where>"
        return dot_git.read_bytes()[:8] == b"gitdir: "
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def read_repository(target: str, limits: ScanLimits) -> Iterator[Found]:
    """Every distinct file content of the repository at `target` (a path or an address)."""
    source, shown = _source(target)
    if not limits.fetch_private_addresses:
        _public_host(source, shown)
    deadline = time.monotonic() + limits.git_timeout
    work = Path(tempfile.mkdtemp(prefix="crownjewels-scan-"))
    try:
        repo = work / "repo.git"
        _clone(source, repo, shown, deadline, limits)
        yield from _blobs(repo, shown, deadline, limits)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _source(target: str) -> tuple[str, str]:
    """What git is given and what people are shown; refuses unsafe or unknown forms."""
    text = target.strip()
    if any(ord(c) < 32 for c in text):
        raise TargetRefused("the repository address holds control characters; check it")
    if text.startswith("-"):
        raise TargetRefused(
            f"{text!r} starts with '-', which git would read as an option; give a path or an "
            "https://, ssh:// or file:// address"
        )
    if "::" in text:
        raise TargetRefused(
            f"{text!r} uses a git transport helper (the 'name::address' form, e.g. ext::), "
            "which could run commands; give an https://, ssh://, git:// or file:// address"
        )
    lowered = text.lower()
    if lowered.startswith(_SCHEMES) and urlsplit(text).password is not None:
        raise TargetRefused(
            "the repository address holds a password or token, which the scan's record would "
            "keep; give the address without it (git's credential helper or the SSH agent of "
            "this server supplies it)"
        )
    if lowered.startswith(_SCHEMES) or _SCP.match(text):
        return text, display(text)
    path = Path(text).expanduser()
    if not path.is_dir():
        raise TargetRefused(
            f"there is no repository at {text}; give the folder of a git repository or its "
            "https://, ssh:// or file:// address"
        )
    if not is_repository(path):
        raise TargetRefused(
            f"{text} is a folder but not a git repository; scan it as a folder instead"
        )
    return str(path.resolve()), text


#: how a refused repository address reads (the private-address rule of URL scans and feeds)
_WORDING = replace(
    fetch.SCAN,
    noun="the repository {url}",
    users="repository scans",
)


def _public_host(source: str, shown: str) -> None:
    """Refuse a remote repository whose host resolves to a loopback, private or link-local
    address (as URL scans and feeds do), unless private addresses are allowed; local paths and
    file:// addresses are this server's own files and are not network fetches."""
    if source.lower().startswith("file://") or not is_remote(source):
        return
    scp = _SCP.match(source)
    if scp and "://" not in source:
        host = source.split("@", 1)[1].split(":", 1)[0]
        port = 22
    else:
        parts = urlsplit(source)
        host, port = parts.hostname or "", parts.port or 0
    if host:
        fetch.public_address(host, port, replace(_WORDING, noun=_WORDING.noun.format(url=shown)))


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GCM_INTERACTIVE="never",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
        GIT_SSH_COMMAND="ssh -o BatchMode=yes",
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL="C",
    )
    return env


def _remaining(deadline: float, shown: str, limits: ScanLimits) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow(shown, limits)
    return remaining


def _too_slow(shown: str, limits: ScanLimits) -> TargetRefused:
    return TargetRefused(
        f"the repository {shown} could not be cloned and read within {limits.git_timeout:g} "
        "seconds (CROWNJEWELS_LEAKS_GIT_TIMEOUT_SECONDS); scan a smaller repository or raise "
        "the limit"
    )


def _clone(source: str, repo: Path, shown: str, deadline: float, limits: ScanLimits) -> None:
    command = ["git", *SAFE_CONFIG, "clone", "--mirror", "--quiet", "--", source, str(repo)]
    try:
        done = subprocess.run(  # noqa: S603 - a fixed command; the address is after "--"
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=_environment(),
            timeout=_remaining(deadline, shown, limits),
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise _too_slow(shown, limits) from None
    except FileNotFoundError:
        raise TargetRefused(
            "git is not installed on this server; install git to scan repositories"
        ) from None
    if done.returncode != 0:
        reason = _reason(done.stderr.decode("utf-8", "replace"), source, shown)
        raise TargetRefused(
            f"the repository {shown} could not be cloned ({reason}); check the address and "
            "that this server may read it without a prompt"
        )


def _reason(stderr: str, source: str, shown: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith("fatal:")] or lines or ["git failed"]
    text = fatal[-1].removeprefix("fatal:").strip().replace(source, shown)
    return text[:300]


def _blobs(repo: Path, shown: str, deadline: float, limits: ScanLimits) -> Iterator[Found]:
    git = ["git", "--git-dir", str(repo), *SAFE_CONFIG]
    log_command = [
        *git,
        "log", "--all", "--reverse", "--topo-order", "--format=%x00%H %S",
        "--raw", "--no-abbrev", "-z", "--no-renames", "-m", "--no-ext-diff", "--no-textconv",
    ]  # fmt: skip
    env = _environment()
    with (
        tempfile.TemporaryFile() as log_errors,
        subprocess.Popen(  # noqa: S603 - fixed commands in a clone of our own
            log_command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log_errors,
            env=env,
        ) as log,
        subprocess.Popen(  # noqa: S603
            [*git, "cat-file", "--batch-command"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        ) as cat,
    ):
        watchdog = _Watchdog(_remaining(deadline, shown, limits), (log, cat))
        expired = watchdog.expired
        try:
            assert log.stdout is not None
            assert cat.stdin is not None
            assert cat.stdout is not None
            seen: set[bytes] = set()
            for commit, ref, mode, blob, path in _changes(log.stdout, watchdog):
                key = bytes.fromhex(blob)
                if key in seen:
                    continue
                seen.add(key)
                where = f"{path}@{_branch(ref)}:{commit[:12]}"
                if mode == _LINK:
                    yield Found(where, None, "a symbolic link, not followed")
                elif mode == _SUBMODULE:
                    yield Found(where, None, "a submodule (another repository): scan it on its own")
                elif mode in _REGULAR:
                    size = _info(cat.stdin, cat.stdout, blob, watchdog)
                    if size is None:
                        yield Found(where, None, "missing from the repository (a partial clone?)")
                    elif size > limits.max_file_bytes:
                        yield Found(where, None, too_large(size, limits))
                    else:
                        yield Found(where, _contents(cat.stdin, cat.stdout, blob, watchdog))
            cat.stdin.close()
            log.wait()
            if expired.is_set():
                raise _too_slow(shown, limits)
            if log.returncode != 0:
                log_errors.seek(0)
                reason = _reason(log_errors.read().decode("utf-8", "replace"), str(repo), shown)
                raise TargetRefused(f"the history of {shown} could not be read ({reason})")
        except (OSError, ValueError) as stopped:
            if expired.is_set():
                raise _too_slow(shown, limits) from None
            # git itself died mid-read (killed, out of memory, a corrupt pack): the scan is
            # refused with what git said, not a server error
            raise TargetRefused(
                f"the history of {shown} could not be read (git stopped while reading it: "
                f"{stopped}); scan it again, or clone it and scan the folder"
            ) from None
        finally:
            watchdog.close()
            for process in (log, cat):
                if process.poll() is None:
                    process.kill()
            if cat.stdin is not None:
                with suppress(OSError):  # a request still buffered for a reader that died
                    cat.stdin.close()


class _Watchdog:
    """Kills the git processes once the time spent waiting for them passes `budget` seconds;
    the time the scan spends on each file between two reads is not counted."""

    def __init__(self, budget: float, processes: tuple[subprocess.Popen[bytes], ...]) -> None:
        self.left = budget
        self.since: float | None = None
        self.expired = threading.Event()
        self._processes = processes
        self._closed = threading.Event()
        self._lock = threading.Lock()
        threading.Thread(target=self._watch, daemon=True).start()

    @contextmanager
    def waiting(self) -> Iterator[None]:
        with self._lock:
            self.since = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self.left -= time.monotonic() - (self.since or 0.0)
                self.since = None

    def close(self) -> None:
        self._closed.set()

    def _watch(self) -> None:
        while not self._closed.wait(0.05):
            with self._lock:
                spent = 0.0 if self.since is None else time.monotonic() - self.since
                over = self.left - spent <= 0
            if over:
                self.expired.set()
                for process in self._processes:
                    process.kill()
                return


def _changes(stream: IO[bytes], watchdog: _Watchdog) -> Iterator[tuple[str, str, str, str, str]]:
    """(commit, ref, mode, blob, path) of every added or changed file, in `git log -z --raw`
    order: `\\0<commit> <ref>\\0` then `:<old mode> <new mode> <old> <new> <status>\\0<path>\\0`."""
    commit = ref = ""
    meta: str | None = None
    for token in _tokens(stream, watchdog):
        text = token.decode("utf-8", "replace")
        if meta is not None:
            fields = meta.split()
            meta = None
            if len(fields) >= 5 and fields[3].strip("0"):  # all zeros (40 or 64): deleted
                yield commit, ref, fields[1], fields[3], text
            continue
        stripped = text.lstrip("\n")
        if stripped.startswith(":"):
            meta = stripped[1:]
        elif stripped:
            commit, _, ref = stripped.partition(" ")


def _tokens(stream: IO[bytes], watchdog: _Watchdog) -> Iterator[bytes]:
    rest = b""
    while True:
        with watchdog.waiting():
            chunk = stream.read1(64 << 10) if hasattr(stream, "read1") else stream.read(64 << 10)
        if not chunk:
            break
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _info(stdin: IO[bytes], stdout: IO[bytes], blob: str, watchdog: _Watchdog) -> int | None:
    with watchdog.waiting():
        stdin.write(f"info {blob}\n".encode())
        stdin.flush()
        header = stdout.readline().decode().split()
    if not header:
        raise ValueError("the object reader stopped early")
    if len(header) != 3 or header[1] != "blob":  # "<blob> missing"
        return None
    return int(header[2])


def _contents(stdin: IO[bytes], stdout: IO[bytes], blob: str, watchdog: _Watchdog) -> bytes:
    with watchdog.waiting():
        stdin.write(f"contents {blob}\n".encode())
        stdin.flush()
        header = stdout.readline().decode().split()
        if len(header) != 3:
            raise ValueError("the object reader stopped early")
        data = _read_exactly(stdout, int(header[2]))
        stdout.read(1)  # the newline after the content
    return data


def _read_exactly(stdout: IO[bytes], size: int) -> bytes:
    parts: list[bytes] = []
    got = 0
    while got < size:
        chunk = stdout.read(size - got)
        if not chunk:
            raise ValueError("the object reader stopped early")
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def _branch(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref.removeprefix(prefix)
    return ref.removeprefix("refs/")
