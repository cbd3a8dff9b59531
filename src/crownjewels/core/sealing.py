"""Small secrets kept in the database (TOTP seeds) are sealed with a key derived from the
installation's secret key (HKDF-SHA256 -> Fernet: AES-128-CBC + HMAC-SHA256)."""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class Sealer:
    """Seals and opens short secrets with the installation key."""

    def __init__(self, secret_key: str, *, purpose: bytes = b"crownjewels/seal/v1") -> None:
        raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(
            secret_key.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(raw))

    def seal(self, plaintext: str) -> str:
        """The sealed (encrypted and authenticated) form of `plaintext`."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        """The plaintext; ValueError if it was sealed with another key or altered."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ValueError(
                "a sealed value cannot be opened: the secret key changed since it was sealed"
            ) from None
