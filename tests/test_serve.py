"""`crownjewels serve` as a real process: HTTPS with a certificate (a self-signed one made here)
and an access log that never writes a one-time link's token."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.cli_helpers import BINARY, Cli, _base_env


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    start = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)  # fixed dates: nothing reads today's clock
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * 30))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certfile, keyfile


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, proc: subprocess.Popen[str]) -> None:
    for _ in range(300):  # bounded: 30 s at most
        assert proc.poll() is None, proc.communicate()
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError("the server did not start")


@pytest.mark.slow
def test_serve_over_https_with_a_certificate_and_no_token_in_the_log(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home")
    cli.ok("init")
    certfile, keyfile = _self_signed(tmp_path)
    port = _free_port()
    env = {k: v for k, v in {**_base_env(), **cli.env}.items() if v is not None}
    proc = subprocess.Popen(
        [
            str(BINARY),
            "serve",
            "--port",
            str(port),
            "--certfile",
            str(certfile),
            "--keyfile",
            str(keyfile),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    token = "tok3n-Secret-Link-Value-123456"
    try:
        _wait(port, proc)
        context = ssl.create_default_context(cafile=str(certfile))
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/login", context=context) as page:
            assert page.status == 200
            assert page.headers["Strict-Transport-Security"].startswith("max-age=")
            assert "secure" in page.headers["Set-Cookie"].lower()
        with pytest.raises(urllib.error.HTTPError):  # an unknown link is refused: still logged
            urllib.request.urlopen(f"https://127.0.0.1:{port}/a/{token}", context=context)
        with urllib.request.urlopen(f"https://127.0.0.1:{port}/report", context=context) as page:
            assert page.status == 200  # the report channel: logged without the client's address
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "GET /login" in out, out  # the access log is on
    assert "/a/[redacted]" in out, out
    assert token not in out
    [report_line] = [line for line in out.splitlines() if '"GET /report HTTP' in line]
    assert "127.0.0.1" not in report_line and " - - " in f" {report_line}", report_line
    assert any("127.0.0.1" in line and "GET /login" in line for line in out.splitlines())
