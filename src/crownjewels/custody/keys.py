"""The checkpoint signing key in the installation's home folder (created by `crownjewels init`):
`custody-signing.key` (PKCS#8 PEM, mode 0600) and `custody-signing.pub` (PEM)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from crownjewels.core.files import private_dir
from crownjewels.custody import signing
from crownjewels.custody.errors import NoSigningKey

PRIVATE_FILE = "custody-signing.key"
PUBLIC_FILE = "custody-signing.pub"


def ensure_signing_key(home: Path) -> str:
    """Create the key pair unless it exists; returns its key id."""
    private_path, public_path = home / PRIVATE_FILE, home / PUBLIC_FILE
    if private_path.exists():
        key = load_signing_key(home)
    else:
        private_dir(home)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
    if not public_path.exists():
        fd = os.open(public_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(signing.public_key_pem(key.public_key()))
    return signing.key_id(key.public_key())


def load_signing_key(home: Path) -> Ed25519PrivateKey:
    """The installation's private signing key, or NoSigningKey naming the fix."""
    path = home / PRIVATE_FILE
    if not path.exists():
        raise NoSigningKey(
            f"no checkpoint signing key at {path}; run `crownjewels init` to create it"
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise NoSigningKey(f"{path} does not hold an Ed25519 private key")
    return key


def load_public_key(home: Path) -> Ed25519PublicKey | None:
    """The installation's public key, or None when there is no key yet."""
    path = home / PRIVATE_FILE
    return load_signing_key(home).public_key() if path.exists() else None
