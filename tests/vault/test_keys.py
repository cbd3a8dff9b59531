"""Envelope encryption: wrapping, context binding, key files and variables, rotation."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from crownjewels.settings import Settings
from crownjewels.vault import keys
from crownjewels.vault.errors import InvalidContext, KeyFileError, UnwrapFailed, WrongKey

CTX = {"purpose": "document-version", "document": "01JDOC", "version": "1"}


def provider() -> keys.LocalKeyProvider:
    return keys.LocalKeyProvider(os.urandom(32), source="test")


def test_wrap_unwrap_round_trip_and_fresh_data_keys() -> None:
    kek = provider()
    dk = keys.new_data_key()
    assert len(dk) == 32 and dk != keys.new_data_key()
    wrapped = kek.wrap(dk, CTX)
    assert wrapped.key_id == kek.key_id and wrapped.algorithm == "A256GCM"
    assert dk not in wrapped.ciphertext
    assert kek.unwrap(wrapped, CTX) == dk
    # two wraps of the same key differ (random nonce)
    assert kek.wrap(dk, CTX).ciphertext != wrapped.ciphertext


def test_wrapped_key_encoding_round_trips_and_rejects_garbage() -> None:
    kek = provider()
    wrapped = kek.wrap(keys.new_data_key(), CTX)
    assert keys.WrappedKey.from_bytes(wrapped.to_bytes()) == wrapped
    for bad in (b"", b"CJWK", wrapped.to_bytes()[:-1], wrapped.to_bytes() + b"x", b"XXXX\x01"):
        with pytest.raises(UnwrapFailed, match="malformed wrapped key"):
            keys.WrappedKey.from_bytes(bad)


@pytest.mark.parametrize(
    "other",
    [
        {**CTX, "document": "01JOTHER"},
        {**CTX, "purpose": "attachment"},
        {**CTX, "extra": "x"},
        {"purpose": "document-version"},
    ],
)
def test_context_is_bound(other: dict[str, str]) -> None:
    kek = provider()
    wrapped = kek.wrap(keys.new_data_key(), CTX)
    with pytest.raises(UnwrapFailed, match="context differs"):
        kek.unwrap(wrapped, other)


@pytest.mark.parametrize("ctx", [{}, {"purpose": ""}, {"document": "x"}])
def test_context_needs_a_purpose(ctx: dict[str, str]) -> None:
    with pytest.raises(InvalidContext, match="purpose"):
        provider().wrap(keys.new_data_key(), ctx)


def test_tampered_wrapped_key_fails_cleanly() -> None:
    kek = provider()
    wrapped = kek.wrap(keys.new_data_key(), CTX)
    for i in range(len(wrapped.ciphertext)):
        bad = bytearray(wrapped.ciphertext)
        bad[i] ^= 1
        with pytest.raises(UnwrapFailed):
            kek.unwrap(keys.WrappedKey(wrapped.key_id, wrapped.algorithm, bytes(bad)), CTX)


def test_wrong_kek_names_both_keys() -> None:
    a, b = provider(), provider()
    wrapped = a.wrap(keys.new_data_key(), CTX)
    with pytest.raises(WrongKey, match=f"wrapped by KEK {a.key_id}.*configured KEK is {b.key_id}"):
        b.unwrap(wrapped, CTX)
    # a forged key id does not help: the tag still fails
    forged = keys.WrappedKey(b.key_id, wrapped.algorithm, wrapped.ciphertext)
    with pytest.raises(UnwrapFailed):
        b.unwrap(forged, CTX)


def test_key_file_is_created_owner_only_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "home" / "vault.key"
    created = keys.create_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    loaded = keys.load_key_file(path)
    assert loaded.key_id == created.key_id
    dk = keys.new_data_key()
    assert loaded.unwrap(created.wrap(dk, CTX), CTX) == dk


def test_key_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "vault.key"
    keys.create_key_file(path)
    before = path.read_bytes()
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        keys.create_key_file(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o602])
def test_key_file_with_looser_permissions_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "vault.key"
    keys.create_key_file(path)
    path.chmod(mode)
    with pytest.raises(KeyFileError, match=f"mode {mode:04o}.*chmod 600 {path}"):
        keys.load_key_file(path)
    path.chmod(0o400)  # owner-only read is fine
    keys.load_key_file(path)


def test_key_file_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(KeyFileError, match="no key file at"):
        keys.load_key_file(tmp_path / "missing.key")
    bad = tmp_path / "bad.key"
    bad.write_text("not base64!!\n")
    bad.chmod(0o600)
    with pytest.raises(KeyFileError, match="not valid base64"):
        keys.load_key_file(bad)
    bad.write_text(base64.b64encode(b"short").decode())
    with pytest.raises(KeyFileError, match="holds 5 bytes"):
        keys.load_key_file(bad)
    link = tmp_path / "link.key"
    keys.create_key_file(tmp_path / "real.key")
    link.symlink_to(tmp_path / "real.key")
    with pytest.raises(KeyFileError, match="cannot open"):
        keys.load_key_file(link)


def test_env_provider_matches_the_same_key_in_a_file(tmp_path: Path) -> None:
    path = tmp_path / "vault.key"
    from_file = keys.create_key_file(path)
    env = {"CJ_KEK": path.read_text()}
    from_env = keys.env_key_provider("CJ_KEK", env)
    assert from_env.key_id == from_file.key_id
    dk = keys.new_data_key()
    assert from_env.unwrap(from_file.wrap(dk, CTX), CTX) == dk
    with pytest.raises(KeyFileError, match="CJ_OTHER is not set"):
        keys.env_key_provider("CJ_OTHER", env)
    with pytest.raises(KeyFileError, match="not valid base64"):
        keys.env_key_provider("CJ_KEK", {"CJ_KEK": "%%%"})


def test_provider_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    created = keys.create_key_file(tmp_path / "vault.key")
    assert keys.key_provider(Settings(home=tmp_path)).key_id == created.key_id
    monkeypatch.setenv("CJ_TEST_KEK", base64.b64encode(os.urandom(32)).decode())
    st = Settings(home=tmp_path, vault_key_provider="env", vault_key_env="CJ_TEST_KEK")
    assert keys.key_provider(st).key_id != created.key_id
    assert isinstance(keys.key_provider(st), keys.KeyProvider)


def test_rotation_rewraps_without_touching_the_data_key() -> None:
    old, new = provider(), provider()
    dk = keys.new_data_key()
    wrapped = old.wrap(dk, CTX)
    rewrapped = keys.rewrap(wrapped, old, new, context=CTX)
    assert rewrapped.key_id == new.key_id
    assert new.unwrap(rewrapped, CTX) == dk
    with pytest.raises(WrongKey):
        old.unwrap(rewrapped, CTX)
    with pytest.raises(WrongKey):  # rewrap with the wrong "old" KEK changes nothing
        keys.rewrap(wrapped, new, old, context=CTX)


def test_key_ring_unwraps_every_version_and_wraps_with_the_current() -> None:
    v1, v2 = provider(), provider()
    dk = keys.new_data_key()
    old_wrapped = v1.wrap(dk, CTX)
    ring = keys.KeyRing(v2, older=[v1])
    assert ring.key_id == v2.key_id
    assert ring.unwrap(old_wrapped, CTX) == dk
    assert ring.needs_rewrap(old_wrapped)
    fresh = keys.rewrap(old_wrapped, ring, ring, context=CTX)
    assert fresh.key_id == v2.key_id and not ring.needs_rewrap(fresh)
    with pytest.raises(WrongKey, match="not in the key ring"):
        keys.KeyRing(v2).unwrap(old_wrapped, CTX)
