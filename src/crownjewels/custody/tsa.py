"""RFC 3161 timestamps of checkpoint notes: ask a time-stamping authority (TSA) over HTTP and
verify its token (message imprint, nonce, the signature up to a trusted certificate). No
database; `rfc3161-client` does the ASN.1 and the CMS signature check."""

from __future__ import annotations

import hashlib
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import rfc3161_client
from cryptography import x509

from crownjewels.custody.errors import BadTimestamp, TsaNotConfigured, TsaUnavailable
from crownjewels.settings import Settings

QUERY_TYPE = "application/timestamp-query"
_GRANTED = (rfc3161_client.PKIStatus.GRANTED, rfc3161_client.PKIStatus.GRANTED_WITH_MODS)
_MAX_REPLY = 1 << 20


@dataclass(frozen=True)
class TsaConfig:
    """Where the TSA is and which certificates anchor its chain."""

    url: str
    roots: tuple[x509.Certificate, ...]
    timeout: float = 10.0

    @classmethod
    def from_settings(cls, settings: Settings) -> TsaConfig | None:
        """The configured TSA, or None when CROWNJEWELS_TSA_URL is unset."""
        if not settings.tsa_url:
            return None
        if settings.tsa_ca_file is None:
            raise TsaNotConfigured(
                "CROWNJEWELS_TSA_URL is set but CROWNJEWELS_TSA_CA_FILE is not: point it to a PEM "
                "file with the TSA's root CA certificate (its own certificate if self-signed)"
            )
        return cls(
            url=settings.tsa_url,
            roots=load_roots(settings.tsa_ca_file),
            timeout=settings.tsa_timeout_seconds,
        )


@dataclass(frozen=True)
class Stamp:
    """A verified timestamp token (DER TimeStampToken, a CMS ContentInfo) and what it says."""

    token: bytes
    gen_time: datetime
    tsa: str
    serial_number: int
    nonce: int | None

    @property
    def token_sha256(self) -> str:
        """Hex SHA-256 of the token (what custody events record next to it)."""
        return hashlib.sha256(self.token).hexdigest()


def load_roots(path: Path) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM bundle, or a clear error."""
    try:
        roots = tuple(x509.load_pem_x509_certificates(path.read_bytes()))
    except (OSError, ValueError) as exc:
        raise TsaNotConfigured(f"cannot read TSA certificates from {path}: {exc}") from None
    return roots


def request_stamp(data: bytes, config: TsaConfig) -> Stamp:
    """A timestamp over SHA-256(data) from the TSA (with a nonce and its certificate),
    verified before it is returned; TsaUnavailable when the TSA cannot be reached or refuses."""
    request = (
        rfc3161_client.TimestampRequestBuilder()
        .data(data)
        .hash_algorithm(rfc3161_client.HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    if not config.url.startswith(("http://", "https://")):
        raise TsaNotConfigured(f"the TSA URL {config.url!r} is not http:// or https://")
    http = urllib.request.Request(  # noqa: S310 (the scheme is checked just above)
        config.url,
        data=request.as_bytes(),
        headers={"content-type": QUERY_TYPE, "accept": "application/timestamp-reply"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=config.timeout) as reply:  # noqa: S310
            body = reply.read(_MAX_REPLY)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TsaUnavailable(f"the TSA at {config.url} did not answer: {reason}") from None
    try:
        response = rfc3161_client.decode_timestamp_response(body)
    except ValueError as exc:
        raise TsaUnavailable(f"the TSA at {config.url} sent no timestamp reply: {exc}") from None
    if response.status not in _GRANTED:
        said = "; ".join(response.status_string) or f"status {response.status}"
        raise TsaUnavailable(f"the TSA at {config.url} refused the request: {said}")
    return verify(response.time_stamp_token(), data, config.roots, nonce=request.nonce)


def verify(
    token: bytes, data: bytes, roots: tuple[x509.Certificate, ...], *, nonce: int | None = None
) -> Stamp:
    """Check a timestamp token over `data`: its imprint is SHA-256(data) (or SHA-384/512), its
    signature verifies with a TSA certificate (critical id-kp-timeStamping EKU) that chains to
    one of `roots`, and, when given, its nonce; BadTimestamp names what is wrong."""
    if not roots:
        raise BadTimestamp("no trusted TSA certificate to verify the timestamp against")
    try:
        response = rfc3161_client.decode_timestamp_response(wrap(token))
    except ValueError as exc:
        raise BadTimestamp(f"the timestamp token is not readable: {exc}") from None
    builder = rfc3161_client.VerifierBuilder(roots=list(roots))
    if nonce is not None:
        builder = builder.nonce(nonce)
    try:
        builder.build().verify_message(response, data)
    except rfc3161_client.VerificationError as exc:
        raise BadTimestamp(_explain(str(exc))) from None
    info = response.tst_info
    return Stamp(
        token=token,
        gen_time=info.gen_time,
        tsa=_signer_name(response),
        serial_number=info.serial_number,
        nonce=info.nonce,
    )


def wrap(token: bytes) -> bytes:
    """A TimeStampResp (status granted) around a bare TimeStampToken, as the parser expects."""
    inner = bytes.fromhex("3003020100") + token  # PKIStatusInfo { status granted (0) }
    return b"\x30" + _der_length(len(inner)) + inner


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _signer_name(response: rfc3161_client.TimeStampResponse) -> str:
    for der in response.signed_data.certificates:
        cert = x509.load_der_x509_certificate(der)
        if any(
            cert.serial_number == si.serial_number and cert.issuer == si.issuer
            for si in response.signed_data.signer_infos
        ):
            return cert.subject.rfc4514_string()
    return "unknown TSA"


def _explain(problem: str) -> str:
    """rfc3161-client's reasons in plain words (OpenSSL's error stacks cut to their gist)."""
    if problem.startswith("Mismatch between messages"):
        return (
            "the timestamp token does not cover this checkpoint note (the note or the token was "
            "altered)"
        )
    if problem.startswith("Nonce mismatch"):
        return "the TSA answered with another nonce than requested (a replayed reply?)"
    if problem.startswith("Error while verifying certificates"):
        reasons = re.findall(r'(?:reason|data): "([^"]+)"', problem)
        gist = reasons[-1] if reasons else problem
        return (
            "the timestamp token's signature does not verify against the trusted TSA "
            f"certificates ({gist}); the token was altered or comes from another TSA"
        )
    return f"the timestamp token does not verify: {problem}"
