"""Vault errors: each names what went wrong and, where an operator can fix it, how."""

from __future__ import annotations

from crownjewels.core.errors import Conflict, CrownJewelsError, Invalid, NotFound


class VaultError(CrownJewelsError):
    """Base of the vault's errors: keys, encrypted content, blob storage."""

    status_code = 500
    title = "Vault error"


class KeyFileError(VaultError):
    """A key file or key variable is missing, malformed or too widely readable."""

    title = "Key configuration error"


class WrongKey(VaultError):
    """The key given is not the one the data was encrypted or wrapped under."""

    title = "Wrong key"


class UnwrapFailed(VaultError):
    """A wrapped data key did not authenticate: damaged, or unwrapped with another context."""

    title = "Data key could not be unwrapped"


class CorruptContent(VaultError):
    """An encrypted stream failed authentication: damaged, truncated, reordered or spliced."""

    title = "Encrypted content is damaged"


class InvalidContext(Invalid):
    """A wrap context without a purpose, or with values that are not strings."""


class BlobNotFound(NotFound):
    """No blob with that id in the store."""


class BlobTooLarge(Invalid):
    """A blob larger than the configured maximum upload size."""

    status_code = 413
    title = "Too large"


class RefusedContent(Invalid):
    """An upload that is not what its content claims: a malformed PDF, DOCX or ZIP, a zip bomb."""

    title = "Content refused"


class DocumentNotFound(NotFound):
    """No document (or version) with that id that the actor may see."""


class DocumentDestroyed(CrownJewelsError):
    """The document was destroyed (crypto-shredded): its content is gone for good."""

    status_code = 410
    title = "Destroyed"


class DestructionBlocked(Conflict):
    """A legal hold or an unexpired retention period keeps the document."""
