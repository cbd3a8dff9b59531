"""Envelope encryption: fresh data keys, wrapped by a key-encryption key (KEK) from a provider.

Every document version gets its own 256-bit data key (`new_data_key`). The data key encrypts
the content (`vault.stream`); the data key itself is stored only wrapped, by a KEK that never
leaves its provider. Destroying a wrapped key destroys the content (crypto-shredding);
rotating the KEK re-wraps the small data keys (`rewrap`) without touching the content.

Wrapping (local KEKs): AES-256-GCM with a random 96-bit nonce and associated data that names
the KEK id and the caller's context (a string map that must hold `purpose`, like a KMS
encryption context), canonicalised with RFC 8785. AES-KW (RFC 3394/5649) was not chosen: it
has no associated data, so a wrapped key could be moved to another document or purpose
unnoticed; AES-GCM binds the context, detects tampering with the same 128-bit tag, and has the
same shape as the KMS calls an adapter makes. The random-nonce limit (2^32 wraps per KEK) is
far above the number of document versions one KEK will wrap before it is rotated.

Providers (`KeyProvider`): a key file (`create_key_file`, `load_key_file`; owner-only mode
enforced), an environment variable holding the base64 KEK (`env_key_provider`), and
`KeyRing` (the current KEK plus older ones, for rotation). An external KMS fits the same
protocol without the KEK ever entering this process:

- AWS KMS: `key_id` = "aws-kms:<key ARN>"; `wrap` = `Encrypt(KeyId, Plaintext=data_key,
  EncryptionContext=context)`, `unwrap` = `Decrypt(CiphertextBlob, EncryptionContext=context)`.
  GCP KMS and Azure Key Vault take the canonical context as additional authenticated data.
- HashiCorp Vault transit: `key_id` = "vault-transit:<key name>"; `wrap` = `POST
  transit/encrypt/<name>` with the base64 data key and the canonical context as
  `associated_data` (aes256-gcm96 keys; or as the derivation `context` for derived keys),
  `unwrap` = `transit/decrypt`. Transit's ciphertext ("vault:v3:...") carries its own key
  version, and `transit/rewrap` rotates it server-side.

A `WrappedKey` records the provider's key id and algorithm, so unwrapping with the wrong
provider fails with a message that names both keys, before any decryption is tried.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import stat
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import rfc8785
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from crownjewels.settings import Settings
from crownjewels.vault.errors import InvalidContext, KeyFileError, UnwrapFailed, WrongKey

DATA_KEY_BYTES = 32
KEK_BYTES = 32
LOCAL_ALGORITHM = "A256GCM"
_NONCE_BYTES = 12
_WRAP_AAD_LABEL = b"crownjewels-vault-wrap-v1\x00"
_KEY_ID_LABEL = b"crownjewels-kek-id-v1"
_WRAPPED_MAGIC = b"CJWK"
_WRAPPED_VERSION = 1

#: what a data key is for, e.g. {"purpose": "document-version", "document": "01J…", "version": "3"}
Context = Mapping[str, str]


def new_data_key() -> bytes:
    """A fresh random 256-bit data key (one per document version)."""
    return os.urandom(DATA_KEY_BYTES)


def canonical_context(key_id: str, context: Context) -> bytes:
    """The associated data binding a wrap to its KEK and context (RFC 8785 JSON)."""
    purpose = context.get("purpose")
    if not isinstance(purpose, str) or not purpose:
        raise InvalidContext('a wrap context needs a non-empty "purpose"', field="context")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in context.items()):
        raise InvalidContext("wrap context keys and values must be strings", field="context")
    return _WRAP_AAD_LABEL + rfc8785.dumps({"kek": key_id, "context": dict(context)})


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted by a KEK: which KEK, which algorithm, and the provider's bytes."""

    key_id: str
    algorithm: str
    ciphertext: bytes

    def to_bytes(self) -> bytes:
        """A self-describing encoding for storage: magic, version, then length-prefixed fields."""
        kid, alg = self.key_id.encode(), self.algorithm.encode()
        if len(kid) > 255 or len(alg) > 255 or len(self.ciphertext) > 0xFFFF:
            raise ValueError("key id, algorithm or ciphertext too long to encode")
        return b"".join(
            (
                _WRAPPED_MAGIC,
                struct.pack(">BB", _WRAPPED_VERSION, len(kid)),
                kid,
                struct.pack(">B", len(alg)),
                alg,
                struct.pack(">H", len(self.ciphertext)),
                self.ciphertext,
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> WrappedKey:
        """Parse `to_bytes` output; anything malformed raises UnwrapFailed."""
        try:
            if data[:4] != _WRAPPED_MAGIC or data[4] != _WRAPPED_VERSION:
                raise ValueError("bad magic or version")
            pos = 5
            fields: list[bytes] = []
            for width in (1, 1, 2):
                (n,) = struct.unpack_from(">B" if width == 1 else ">H", data, pos)
                pos += width
                if pos + n > len(data):
                    raise ValueError("field runs past the end")
                fields.append(data[pos : pos + n])
                pos += n
            if pos != len(data):
                raise ValueError("trailing bytes")
            return cls(fields[0].decode(), fields[1].decode(), fields[2])
        except (ValueError, IndexError, struct.error, UnicodeDecodeError) as exc:
            raise UnwrapFailed(f"malformed wrapped key ({exc})") from None


@runtime_checkable
class KeyProvider(Protocol):
    """Wraps and unwraps data keys with one KEK; the KEK itself stays inside the provider."""

    @property
    def key_id(self) -> str:
        """Names the KEK and its version, e.g. "local-3f9c…", "aws-kms:arn:…"."""
        ...

    def wrap(self, data_key: bytes, context: Context) -> WrappedKey:
        """Encrypt a data key, binding it to this KEK and the context."""
        ...

    def unwrap(self, wrapped: WrappedKey, context: Context) -> bytes:
        """Decrypt a data key; WrongKey or UnwrapFailed, never a wrong key returned."""
        ...


class LocalKeyProvider:
    """A KEK held in this process, read from a key file or an environment variable."""

    def __init__(self, kek: bytes, *, source: str) -> None:
        if len(kek) != KEK_BYTES:
            raise KeyFileError(f"{source} holds {len(kek)} bytes; a KEK is {KEK_BYTES} bytes")
        self._aead = AESGCM(kek)
        # A keyed fingerprint: names the KEK without revealing anything about it, and stays the
        # same when the key moves from a file to a variable.
        digest = hmac.new(kek, _KEY_ID_LABEL, hashlib.sha256).hexdigest()
        self._key_id = f"local-{digest[:24]}"
        self.source = source

    @property
    def key_id(self) -> str:
        return self._key_id

    def wrap(self, data_key: bytes, context: Context) -> WrappedKey:
        """AES-256-GCM(KEK, random nonce, data key, AAD = KEK id + canonical context)."""
        if len(data_key) != DATA_KEY_BYTES:
            raise ValueError(f"a data key is {DATA_KEY_BYTES} bytes, got {len(data_key)}")
        aad = canonical_context(self._key_id, context)
        nonce = os.urandom(_NONCE_BYTES)
        return WrappedKey(
            self._key_id, LOCAL_ALGORITHM, nonce + self._aead.encrypt(nonce, data_key, aad)
        )

    def unwrap(self, wrapped: WrappedKey, context: Context) -> bytes:
        if wrapped.key_id != self._key_id or wrapped.algorithm != LOCAL_ALGORITHM:
            raise WrongKey(
                f"this data key was wrapped by KEK {wrapped.key_id} ({wrapped.algorithm}), but "
                f"the configured KEK is {self._key_id} (from {self.source}); configure the KEK "
                "that wrapped it, or a key ring that still holds it"
            )
        aad = canonical_context(self._key_id, context)
        nonce, body = wrapped.ciphertext[:_NONCE_BYTES], wrapped.ciphertext[_NONCE_BYTES:]
        try:
            data_key = self._aead.decrypt(nonce, body, aad)
        except (InvalidTag, ValueError):
            raise UnwrapFailed(
                f"the data key wrapped by KEK {self._key_id} did not authenticate: the wrapped "
                f"key is damaged, or its context differs from {dict(context)!r}"
            ) from None
        return data_key


class KeyRing:
    """The current KEK for new wraps, plus older KEK versions still able to unwrap."""

    def __init__(self, current: KeyProvider, older: Iterable[KeyProvider] = ()) -> None:
        self.current = current
        self._by_id: dict[str, KeyProvider] = {p.key_id: p for p in older}
        self._by_id[current.key_id] = current

    @property
    def key_id(self) -> str:
        return self.current.key_id

    def wrap(self, data_key: bytes, context: Context) -> WrappedKey:
        return self.current.wrap(data_key, context)

    def unwrap(self, wrapped: WrappedKey, context: Context) -> bytes:
        provider = self._by_id.get(wrapped.key_id)
        if provider is None:
            known = ", ".join(sorted(self._by_id))
            raise WrongKey(
                f"this data key was wrapped by KEK {wrapped.key_id}, which is not in the key "
                f"ring ({known}); add that KEK version to the ring"
            )
        return provider.unwrap(wrapped, context)

    def needs_rewrap(self, wrapped: WrappedKey) -> bool:
        """True when the data key is wrapped by an older KEK version."""
        return wrapped.key_id != self.current.key_id


def rewrap(
    wrapped: WrappedKey, old_provider: KeyProvider, new_provider: KeyProvider, *, context: Context
) -> WrappedKey:
    """Re-wrap a data key under a new KEK (rotation); the content it encrypts is untouched."""
    return new_provider.wrap(old_provider.unwrap(wrapped, context), context)


def _decode_kek(text: str, source: str) -> bytes:
    try:
        kek = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyFileError(f"{source} is not valid base64") from None
    if len(kek) != KEK_BYTES:
        raise KeyFileError(f"{source} holds {len(kek)} bytes; a KEK is {KEK_BYTES} bytes")
    return kek


def create_key_file(path: Path) -> LocalKeyProvider:
    """Create a new random KEK in a file of mode 0600 (parent 0700); never overwrites one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    kek = os.urandom(KEK_BYTES)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KeyFileError(
            f"a key file already exists at {path}; refusing to overwrite it (that would make "
            "everything wrapped by it unreadable)"
        ) from None
    try:
        if os.name == "posix":
            os.fchmod(fd, 0o600)  # the umask cannot widen it, but a parent ACL could
        os.write(fd, base64.b64encode(kek) + b"\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    return LocalKeyProvider(kek, source=f"key file {path}")


def load_key_file(path: Path) -> LocalKeyProvider:
    """Read a KEK file; refuse one that group or others may read or write."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise KeyFileError(
            f"no key file at {path}: create one (vault.keys.create_key_file) or choose the "
            "env key provider"
        ) from None
    except OSError as exc:
        raise KeyFileError(f"cannot open key file {path}: {exc.strerror}") from None
    try:
        st = os.fstat(fd)  # the file we opened, not whatever the path points to now
        if os.name == "posix" and st.st_mode & 0o077:
            raise KeyFileError(
                f"key file {path} has mode {stat.S_IMODE(st.st_mode):04o}, readable or writable "
                f"by others; it must be owner-only. Fix it with: chmod 600 {path}"
            )
        with os.fdopen(os.dup(fd), "r", encoding="ascii") as fh:
            text = fh.read(4096)
    finally:
        os.close(fd)
    return LocalKeyProvider(_decode_kek(text, f"key file {path}"), source=f"key file {path}")


def env_key_provider(name: str, environ: Mapping[str, str] | None = None) -> LocalKeyProvider:
    """A KEK from an environment variable holding 32 bytes in base64."""
    env = os.environ if environ is None else environ
    value = env.get(name)
    if not value:
        raise KeyFileError(f"environment variable {name} is not set; it must hold a base64 KEK")
    return LocalKeyProvider(_decode_kek(value, f"${name}"), source=f"${name}")


def key_provider(settings: Settings) -> LocalKeyProvider:
    """The KEK provider the settings name (a key file under home by default)."""
    if settings.vault_key_provider == "env":
        return env_key_provider(settings.vault_key_env)
    return load_key_file(settings.resolved_vault_key_file())
