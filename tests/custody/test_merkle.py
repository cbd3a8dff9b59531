"""RFC 9162 §2.1 algorithms: proofs assembled from stored perfect nodes equal the naive
recursive definitions of the RFC for every size 1..64, verify, and fail when anything changes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crownjewels.custody import merkle

# --- the RFC's definitions, literally (the reference) ---------------------------------------


def ref_mth(d: Sequence[bytes]) -> bytes:
    return _mth(tuple(d))


@cache  # the same subtrees come back for every size and proof checked: hash each once
def _mth(d: tuple[bytes, ...]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + d[0]).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(d[:k]) + _mth(d[k:])).digest()


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


# --- the stored form ------------------------------------------------------------------------


def data(n: int) -> list[bytes]:
    return [f"event {i}".encode() for i in range(n)]


def build(d: list[bytes], chunks: list[int] | None = None) -> dict[merkle.Key, bytes]:
    """Stored nodes after appending `d` in chunks (as flush does, batch by batch)."""
    stored: dict[merkle.Key, bytes] = {}
    size, pos = 0, 0
    sizes = chunks or [len(d)]
    while pos < len(d):
        step = sizes[0] if sizes else len(d) - pos
        sizes = sizes[1:]
        part = d[pos : pos + max(1, step)]
        edge = {k: stored[k] for k in merkle.right_edge(size)}
        for level, idx, h in merkle.new_nodes(size, merkle.leaf_hashes(part), edge):
            assert (level, idx) not in stored
            stored[(level, idx)] = h
        size += len(part)
        pos += len(part)
    return stored


TREES = {n: (data(n), build(data(n))) for n in range(1, 65)}


@pytest.mark.parametrize("n", range(1, 65))
def test_every_size_matches_the_rfc(n: int) -> None:
    d, nodes = TREES[n]
    assert merkle.root(n, nodes) == ref_mth(d)
    assert len(nodes) == sum(n >> lv for lv in range(n.bit_length()))  # every perfect subtree
    for size in range(1, n + 1):
        root = ref_mth(d[:size])
        assert merkle.root(size, nodes) == root
        for m in range(size):
            proof = merkle.inclusion_proof(m, size, nodes)
            assert proof == ref_path(m, d[:size])
            leaf = merkle.leaf_hash(d[m])
            assert merkle.verify_inclusion(m, size, leaf, proof, root)
            assert not merkle.verify_inclusion(m, size, merkle.leaf_hash(b"x"), proof, root)
            if size > 1:
                assert not merkle.verify_inclusion((m + 1) % size, size, leaf, proof, root)
        for old in range(0, size + 1):
            proof = merkle.consistency_proof(old, size, nodes)
            assert proof == (ref_proof(old, d[:size]) if old else [])
            old_root = ref_mth(d[:old])
            assert merkle.verify_consistency(old, size, old_root, root, proof)
            if 0 < old < size:
                forked = ref_mth([*d[: old - 1], b"forged"])
                assert not merkle.verify_consistency(old, size, forked, root, proof)
                assert not merkle.verify_consistency(old, size, old_root, forked, proof)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9, 33, 64])
def test_needed_nodes_are_exactly_what_proofs_read(n: int) -> None:
    _, nodes = TREES[n]
    for m in range(n):
        keys = merkle.needed_inclusion(m, n)
        assert len(keys) <= 2 * n.bit_length() + 1
        merkle.inclusion_proof(m, n, {k: nodes[k] for k in keys})
    for old in range(n + 1):
        keys = merkle.needed_consistency(old, n)
        merkle.consistency_proof(old, n, {k: nodes[k] for k in keys})
    assert merkle.root(n, {k: nodes[k] for k in merkle.needed_root(n)}) == merkle.root(n, nodes)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 40), min_size=1, max_size=12))
def test_appending_in_any_chunks_stores_the_same_nodes(chunks: list[int]) -> None:
    d = data(sum(chunks))
    assert build(d, chunks) == build(d)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 3000), st.data())
def test_random_proofs_against_the_reference(n: int, draw: st.DataObject) -> None:
    d = data(n)
    nodes = build(d)
    m = draw.draw(st.integers(0, n - 1))
    size = draw.draw(st.integers(m + 1, n))
    old = draw.draw(st.integers(0, size))
    root = merkle.root(size, nodes)
    proof = merkle.inclusion_proof(m, size, nodes)
    assert merkle.verify_inclusion(m, size, merkle.leaf_hash(d[m]), proof, root)
    if n <= 300:
        assert root == ref_mth(d[:size])
        assert proof == ref_path(m, d[:size])
    cons = merkle.consistency_proof(old, size, nodes)
    assert merkle.verify_consistency(old, size, merkle.root(old, nodes), root, cons)
    if proof:
        bad = [*proof[:-1], bytes(32)]
        assert not merkle.verify_inclusion(m, size, merkle.leaf_hash(d[m]), bad, root)
    if cons:
        assert not merkle.verify_consistency(old, size, merkle.root(old, nodes), root, cons[:-1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 9000), min_size=1, max_size=5))
def test_root_builder_equals_the_stored_root(batches: list[int]) -> None:
    builder = merkle.RootBuilder()
    leaves: list[bytes] = []
    for count in batches:
        part = merkle.leaf_hashes(f"{len(leaves) + i}".encode() for i in range(count))
        builder.add(part)
        leaves.extend(part)
    assert builder.size == len(leaves)
    expected = merkle.root(len(leaves), _from_leaves(leaves)) if leaves else merkle.EMPTY_ROOT
    assert builder.root() == expected


def _from_leaves(leaves: list[bytes]) -> dict[merkle.Key, bytes]:
    return {(lv, ix): h for lv, ix, h in merkle.new_nodes(0, leaves, {})}


def test_bad_sizes_are_refused() -> None:
    _, nodes = TREES[5]
    with pytest.raises(ValueError, match="no such proof"):
        merkle.inclusion_proof(5, 5, nodes)
    with pytest.raises(ValueError, match="no such proof"):
        merkle.consistency_proof(6, 5, nodes)
    assert not merkle.verify_inclusion(5, 5, b"", [], b"")
    assert not merkle.verify_consistency(3, 2, b"", b"", [])
    assert not merkle.verify_consistency(2, 5, b"", b"", [])
    assert merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, b"any", [])
