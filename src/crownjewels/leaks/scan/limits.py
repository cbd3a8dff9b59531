"""What a scan may read, and the raw finds of the readers (folder, archive, git, bucket, URL)
before sources.py names their type."""

from __future__ import annotations

from dataclasses import dataclass, field

from crownjewels.core import archives
from crownjewels.settings import Settings


@dataclass(frozen=True)
class S3Access:
    """Where scanned buckets are and how to sign in; None: boto3's own defaults."""

    endpoint_url: str | None = None
    region: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class ScanLimits:
    """Bounds on what one scan reads; past them a file is skipped, a target refused or the scan
    stopped, each time with a reason that names the setting to raise."""

    #: a file larger than this is skipped (CROWNJEWELS_LEAKS_MAX_FILE_BYTES)
    max_file_bytes: int = 20 << 20
    #: the scan stops after reading this many bytes of files (CROWNJEWELS_LEAKS_MAX_SCAN_BYTES)
    max_scan_bytes: int = 1 << 30
    #: the scan stops after this many files (CROWNJEWELS_LEAKS_MAX_FILES)
    max_files: int = 100_000
    #: a URL answering more is refused (CROWNJEWELS_LEAKS_FETCH_MAX_BYTES)
    fetch_max_bytes: int = 20 << 20
    #: a URL must answer in full within this (CROWNJEWELS_LEAKS_FETCH_TIMEOUT_SECONDS)
    fetch_timeout: float = 30.0
    fetch_max_redirects: int = 5
    #: fetch from loopback, private and link-local addresses too
    fetch_private_addresses: bool = False
    #: cloning and reading a repository (CROWNJEWELS_LEAKS_GIT_TIMEOUT_SECONDS)
    git_timeout: float = 600.0
    s3: S3Access = S3Access()
    #: an archive that is the target, or a file of a folder, repository or bucket
    archive: archives.ArchiveLimits = archives.UPLOAD
    #: an archive inside an archive, opened in memory
    nested_archive: archives.ArchiveLimits = archives.IN_MEMORY

    @classmethod
    def from_settings(cls, settings: Settings) -> ScanLimits:
        """The installation's limits (CROWNJEWELS_LEAKS_*)."""
        secret = settings.leaks_s3_secret_access_key
        return cls(
            max_file_bytes=settings.leaks_max_file_bytes,
            max_scan_bytes=settings.leaks_max_scan_bytes,
            max_files=settings.leaks_max_files,
            fetch_max_bytes=settings.leaks_fetch_max_bytes,
            fetch_timeout=settings.leaks_fetch_timeout_seconds,
            fetch_max_redirects=settings.leaks_fetch_max_redirects,
            fetch_private_addresses=settings.leaks_fetch_private_addresses,
            git_timeout=settings.leaks_git_timeout_seconds,
            s3=S3Access(
                endpoint_url=settings.leaks_s3_endpoint_url,
                region=settings.leaks_s3_region,
                access_key_id=settings.leaks_s3_access_key_id,
                secret_access_key=secret.get_secret_value() if secret is not None else None,
            ),
        )


@dataclass(frozen=True)
class Found:
    """A file a reader found: its bytes, or (`data` None) why it was not read."""

    path: str
    data: bytes | None
    skipped: str | None = None


def size_words(size: int) -> str:
    """A byte count as people read it: 52 MB, 20 MB, 700 KB, 12 bytes."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:,.1f}".removesuffix(".0") + f" {unit}"
    return f"{size:,} bytes"


def too_large(size: int, limits: ScanLimits) -> str:
    """The reason a file of `size` bytes is skipped."""
    return (
        f"{size_words(size)}, over the {size_words(limits.max_file_bytes)} limit for one file "
        "(CROWNJEWELS_LEAKS_MAX_FILE_BYTES)"
    )
