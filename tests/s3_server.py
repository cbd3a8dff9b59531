"""A local S3 server for the tests that read or write buckets: moto in server mode on
127.0.0.1, never a real cloud. A test module imports the fixture (`from tests.s3_server import
moto_url`) and gets one server for the module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from tests.smtp_server import free_port


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """The address of a fresh moto S3 server, stopped when the module's tests are done."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()
