"""RFC 3161 timestamps of checkpoints against a local TSA (tests/custody/tsa_server.py), on
SQLite and PostgreSQL: the token is stored and verified; a tampered token or note is refused
with a clear message; a TSA that is down does not block the checkpoint, which is timestamped
on a later run."""

from __future__ import annotations

import hashlib
import logging
import socket
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from crownjewels.core.actor import Actor
from crownjewels.core.db import Database
from crownjewels.custody import checkpoints, jobs, timestamps, tsa
from crownjewels.custody import service as custody
from crownjewels.custody.errors import BadTimestamp, TsaNotConfigured, TsaUnavailable
from crownjewels.custody.models import CustodyCheckpoint, CustodyEvent
from crownjewels.custody.schemas import EventType
from crownjewels.settings import Settings
from tests.custody.tsa_server import Authority, RunningTsa, running_tsa

KEY = Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def authority() -> Authority:
    return Authority.create()


@pytest.fixture
def local_tsa(authority: Authority) -> RunningTsa:
    with running_tsa(authority) as server:
        yield server  # type: ignore[misc]


def _config(server: RunningTsa) -> tsa.TsaConfig:
    return tsa.TsaConfig(url=server.url, roots=(server.authority.ca_cert,), timeout=5)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsr"


def _record(session: Session, actor: Actor, n: int = 3) -> None:
    for i in range(n):
        custody.record(
            session,
            actor=actor,
            event_type=EventType.SECRET_UPDATED,
            subject_type="test",
            subject_id="ts",
            details={"i": i},
        )


def test_the_token_is_stored_in_the_row_recorded_and_verified(
    session: Session, admin: Actor, local_tsa: RunningTsa
) -> None:
    _record(session, admin)
    made = checkpoints.create(session, actor=admin, key=KEY, timestamper=_config(local_tsa))
    assert made.timestamped
    row = session.get(CustodyCheckpoint, made.tree_size)
    assert row is not None and row.timestamp_token
    custody.flush(session)
    # the token covers the note, which covers the CHECKPOINT_SIGNED event (its last leaf)
    signed = session.get(CustodyEvent, made.tree_size)
    assert signed is not None and signed.event_type == EventType.CHECKPOINT_SIGNED
    assert session.get(CustodyEvent, made.tree_size + 1) is None
    found = timestamps.verify(
        session, actor=admin, tree_size=made.tree_size, roots=(local_tsa.authority.ca_cert,)
    )
    assert found.stored_in == "row"
    assert found.tsa == "CN=Test TSA"
    assert found.token_sha256 == hashlib.sha256(row.timestamp_token).hexdigest()
    assert timestamps.pending(session) == []


def test_a_tampered_token_or_note_is_refused(local_tsa: RunningTsa) -> None:
    note = b"crownjewels/custody/abc\n5\nroot\ntime 2026-11-23T00:00:00Z\n"
    stamp = tsa.request_stamp(note, _config(local_tsa))
    roots = (local_tsa.authority.ca_cert,)
    assert tsa.verify(stamp.token, note, roots).serial_number == stamp.serial_number
    with pytest.raises(BadTimestamp, match="does not cover this checkpoint note"):
        tsa.verify(stamp.token, note.replace(b"\n5\n", b"\n6\n"), roots)
    tampered = bytearray(stamp.token)
    tampered[-20] ^= 0x01  # inside the RSA signature
    with pytest.raises(BadTimestamp, match="signature does not verify"):
        tsa.verify(bytes(tampered), note, roots)
    with pytest.raises(BadTimestamp, match="signature does not verify"):
        tsa.verify(stamp.token, note, (Authority.create("Other TSA").ca_cert,))
    with pytest.raises(BadTimestamp, match="not readable"):
        tsa.verify(b"\x30\x03garbage", note, roots)


def test_a_tampered_stored_token_names_the_checkpoint(
    session: Session, admin: Actor, local_tsa: RunningTsa
) -> None:
    _record(session, admin)
    made = checkpoints.create(session, actor=admin, key=KEY, timestamper=_config(local_tsa))
    other = (Authority.create("Other TSA").ca_cert,)
    with pytest.raises(BadTimestamp, match=f"checkpoint {made.tree_size}: .*does not verify"):
        timestamps.verify(session, actor=admin, tree_size=made.tree_size, roots=other)


def test_a_tsa_that_is_down_does_not_block_the_checkpoint(
    db: Database, admin: Actor, authority: Authority, caplog: pytest.LogCaptureFixture
) -> None:
    down = tsa.TsaConfig(url=_closed_port_url(), roots=(authority.ca_cert,), timeout=2)
    with pytest.raises(TsaUnavailable, match="did not answer"):
        tsa.request_stamp(b"note", down)
    with db.unit_of_work() as session:
        _record(session, admin)
        with caplog.at_level(logging.WARNING, logger="crownjewels.custody.checkpoints"):
            made = checkpoints.create(session, actor=admin, key=KEY, timestamper=down)
    assert not made.timestamped
    assert f"checkpoint {made.tree_size} signed without an RFC 3161 timestamp" in caplog.text
    with db.unit_of_work(write=False) as session:
        assert made.tree_size in [size for size, _ in timestamps.pending(session)]

    # Still down: the pass stops at the first failure and says why.
    run = jobs.stamp_pending(db, actor=admin, config=down)
    assert run.stamped == [] and run.failure and "did not answer" in run.failure

    with running_tsa(authority) as server:
        run = jobs.stamp_pending(db, actor=admin, config=_config(server))
        assert made.tree_size in run.stamped and run.failure is None
        again = jobs.stamp_pending(db, actor=admin, config=_config(server))
        assert again.stamped == []
    with db.unit_of_work(write=False) as session:
        found = timestamps.verify(
            session, actor=admin, tree_size=made.tree_size, roots=(authority.ca_cert,)
        )
        assert found.stored_in == "event"
        assert timestamps.pending(session) == []
        listed, _ = checkpoints.list_checkpoints(session, actor=admin)
        assert next(c for c in listed if c.tree_size == made.tree_size).timestamped
        assert custody.verify(session, actor=admin, public_key=KEY.public_key()).ok


def test_a_late_token_is_recorded_once(
    session: Session, admin: Actor, local_tsa: RunningTsa
) -> None:
    _record(session, admin)
    made = checkpoints.create(session, actor=admin, key=KEY)
    row = session.get(CustodyCheckpoint, made.tree_size)
    assert row is not None
    stamp = tsa.request_stamp(row.note.encode(), _config(local_tsa))
    assert timestamps.record_late(session, actor=admin, tree_size=made.tree_size, stamp=stamp)
    assert not timestamps.record_late(session, actor=admin, tree_size=made.tree_size, stamp=stamp)


def test_settings_need_a_trust_anchor(tmp_path: Path, local_tsa: RunningTsa) -> None:
    assert tsa.TsaConfig.from_settings(Settings(home=tmp_path)) is None
    with pytest.raises(TsaNotConfigured, match="CROWNJEWELS_TSA_CA_FILE"):
        tsa.TsaConfig.from_settings(Settings(home=tmp_path, tsa_url=local_tsa.url))
    ca = local_tsa.write_ca(tmp_path)
    config = tsa.TsaConfig.from_settings(
        Settings(home=tmp_path, tsa_url=local_tsa.url, tsa_ca_file=ca)
    )
    assert config is not None and config.roots == (local_tsa.authority.ca_cert,)
