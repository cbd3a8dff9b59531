"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0) §2.1 over the custody log: pure
functions, standard library only (the offline bundle verifier imports this module).

Leaf i is event seq i + 1: leaf hash = SHA-256(0x00 || canonical event bytes), interior node =
SHA-256(0x01 || left || right). The tree of n leaves splits at k, the largest power of two
smaller than n, so every left subtree met on the way down is *perfect* (2^level leaves) and
aligned (it starts at a multiple of its size). Such a subtree is named (level, index): the
leaves index * 2^level ... (index + 1) * 2^level - 1. Storage keeps exactly those nodes; the
proof functions below first list the perfect nodes they need (`needed_*`), the caller fetches
them in one read, and then assembles the proof from them (O(log n) nodes, never the whole tree).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from operator import methodcaller

Key = tuple[int, int]  #: (level, index) of a perfect subtree
Nodes = Mapping[Key, bytes]
EMPTY_ROOT = hashlib.sha256(b"").digest()  # MTH({}) = SHA-256 of the empty string
_digest = methodcaller("digest")


def leaf_hash(data: bytes) -> bytes:
    """MTH({d}) = SHA-256(0x00 || d)."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """An interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf_hashes(pieces: Iterable[bytes]) -> list[bytes]:
    """Leaf hashes of many encoded events (C-level loop)."""
    return list(map(_digest, map(hashlib.sha256, map(b"\x00".__add__, pieces))))


def parents(level: list[bytes]) -> list[bytes]:
    """The complete parents of a run of sibling nodes that starts at an even index."""
    joined = map(bytes.__add__, level[0::2], level[1::2])
    return list(map(_digest, map(hashlib.sha256, map(b"\x01".__add__, joined))))


def split(n: int) -> int:
    """k: the largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_power_of_two(n: int) -> bool:
    return n & (n - 1) == 0


# --- subtree hashes and proofs over perfect nodes -------------------------------------------


def _mth(start: int, n: int, get: Callable[[Key], bytes]) -> bytes:
    """MTH of leaves start .. start + n - 1 (start aligned as in the RFC recursion)."""
    if _is_power_of_two(n):
        level = n.bit_length() - 1
        return get((level, start >> level))
    k = split(n)
    return node_hash(_mth(start, k, get), _mth(start + k, n - k, get))


def _path(m: int, start: int, n: int, get: Callable[[Key], bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[start:start+n]), leaf m relative to start."""
    if n == 1:
        return []
    k = split(n)
    if m < k:
        return [*_path(m, start, k, get), _mth(start + k, n - k, get)]
    return [*_path(m - k, start + k, n - k, get), _mth(start, k, get)]


def _subproof(m: int, start: int, n: int, whole: bool, get: Callable[[Key], bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:start+n], b)."""
    if m == n:
        return [] if whole else [_mth(start, n, get)]
    k = split(n)
    if m <= k:
        return [*_subproof(m, start, k, whole, get), _mth(start + k, n - k, get)]
    return [*_subproof(m - k, start + k, n - k, False, get), _mth(start, k, get)]


def _recorded(run: Callable[[Callable[[Key], bytes]], object]) -> set[Key]:
    """The perfect nodes a computation reads (the algorithms never branch on hash values)."""
    keys: set[Key] = set()

    def get(key: Key) -> bytes:
        keys.add(key)
        return EMPTY_ROOT

    run(get)
    return keys


def _check_sizes(index_or_old: int, size: int, *, strict: bool) -> None:
    bad = index_or_old >= size if strict else index_or_old > size
    if index_or_old < 0 or size < 1 or bad:
        raise ValueError(f"no such proof: {index_or_old} in a tree of {size}")


def needed_root(size: int) -> set[Key]:
    """The perfect nodes that make up the root of a tree of `size` leaves."""
    return _recorded(lambda get: _mth(0, size, get)) if size else set()


def needed_inclusion(index: int, size: int) -> set[Key]:
    """The perfect nodes an inclusion proof of leaf `index` in a tree of `size` reads."""
    _check_sizes(index, size, strict=True)
    return _recorded(lambda get: (_path(index, 0, size, get), get((0, index))))


def needed_consistency(old: int, new: int) -> set[Key]:
    """The perfect nodes a consistency proof between sizes `old` and `new` reads."""
    _check_sizes(old, new, strict=False)
    return _recorded(lambda get: _subproof(old, 0, new, True, get) if old else None)


def root(size: int, nodes: Nodes) -> bytes:
    """MTH of the first `size` leaves from perfect nodes."""
    return _mth(0, size, nodes.__getitem__) if size else EMPTY_ROOT


def inclusion_proof(index: int, size: int, nodes: Nodes) -> list[bytes]:
    """PATH(index, D[size]) from perfect nodes."""
    _check_sizes(index, size, strict=True)
    return _path(index, 0, size, nodes.__getitem__)


def consistency_proof(old: int, new: int, nodes: Nodes) -> list[bytes]:
    """PROOF(old, D[new]) from perfect nodes; empty for old == 0 or old == new."""
    _check_sizes(old, new, strict=False)
    if old == 0:
        return []
    return _subproof(old, 0, new, True, nodes.__getitem__)


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ------------------------------------------


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: list[bytes], expected_root: bytes
) -> bool:
    """True when `proof` shows `leaf` at `index` in the tree of `size` with `expected_root`."""
    if index < 0 or index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == expected_root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: list[bytes]
) -> bool:
    """True when `proof` shows the tree (`new`, `new_root`) extends (`old`, `old_root`)."""
    if old < 0 or old > new:
        return False
    if old == 0:  # the empty tree is a prefix of every tree; the RFC sends no proof
        return not proof
    if old == new:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if _is_power_of_two(old):
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    if fn & 1:
        while fn & 1:
            fn >>= 1
            sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


# --- building -------------------------------------------------------------------------------


def new_nodes(old_size: int, leaves: list[bytes], edge: Nodes) -> list[tuple[int, int, bytes]]:
    """Every perfect node that appending `leaves` to a tree of `old_size` completes, as
    (level, index, hash), leaves included. `edge` holds the old tree's right edge: the perfect
    nodes (level, (old_size >> level) - 1) for each bit set in old_size (see `right_edge`)."""
    out: list[tuple[int, int, bytes]] = []
    first, level, run = old_size, 0, leaves
    while run:
        out.extend((level, first + i, h) for i, h in enumerate(run))
        if first & 1:  # the first new node is a right child: its left sibling is stored
            run = [edge[(level, first - 1)], *run]
            first -= 1
        run = parents(run[: len(run) & ~1])
        first >>= 1
        level += 1
    return out


def right_edge(size: int) -> set[Key]:
    """The perfect nodes on the right edge of a tree of `size` leaves (one per bit set)."""
    return {(lv, (size >> lv) - 1) for lv in range(size.bit_length()) if size >> lv & 1}


class RootBuilder:
    """MTH of a stream of leaf hashes, fed in batches; O(log n) memory."""

    CHUNK = 4096

    def __init__(self) -> None:
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []  # perfect subtrees, sizes decreasing
        self._pending: list[bytes] = []

    def add(self, leaves: list[bytes]) -> None:
        """Append leaf hashes."""
        self._pending.extend(leaves)
        self.size += len(leaves)
        chunk = self.CHUNK
        if len(self._pending) < chunk:
            return
        full = len(self._pending) - len(self._pending) % chunk
        for start in range(0, full, chunk):
            level, run = 0, self._pending[start : start + chunk]
            while len(run) > 1:
                run, level = parents(run), level + 1
            self._push(level, run[0])
        del self._pending[:full]

    def _push(self, level: int, digest: bytes) -> None:
        while self._stack and self._stack[-1][0] == level:
            digest = node_hash(self._stack.pop()[1], digest)
            level += 1
        self._stack.append((level, digest))

    def root(self) -> bytes:
        """MTH of every leaf added so far."""
        stack = list(self._stack)
        rest = self._pending
        while rest:
            k = 1 << (len(rest).bit_length() - 1)  # the largest perfect piece at the front
            run, level = rest[:k], 0
            while len(run) > 1:
                run, level = parents(run), level + 1
            stack.append((level, run[0]))
            rest = rest[k:]
        if not stack:
            return EMPTY_ROOT
        digest = stack[-1][1]
        for _, left in reversed(stack[:-1]):
            digest = node_hash(left, digest)
        return digest
