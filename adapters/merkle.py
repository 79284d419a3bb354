"""The RFC 6962 / RFC 9162 Merkle tree hashing: tree heads, inclusion and consistency proofs.

leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right); a tree of n > 1 leaves
splits at k, the largest power of two smaller than n (RFC 9162 section 2.1). Pure functions
over lists of leaf hashes; what an entry is (a seal) is the caller's business."""

from __future__ import annotations

import hashlib
from typing import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof was asked for, or checked, with sizes or positions that do not fit the tree."""


def leaf_hash(entry: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || entry)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The tree head of these leaf hashes (the hash of the empty string for none)."""
    if not leaves:
        return EMPTY_ROOT
    # Bottom-up, level by level: an odd node at the end of a level is carried up unchanged,
    # which gives exactly the RFC's left-heavy split.
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path of leaf `index` (0-based) in the tree of all `leaves` (RFC 9162 2.1.3.1)."""
    if not 0 <= index < len(leaves):
        raise ProofError(f"leaf {index} is not in a tree of {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = split(len(leaves))
    if index < k:
        return inclusion_proof(leaves[:k], index) + [root(leaves[k:])]
    return inclusion_proof(leaves[k:], index - k) + [root(leaves[:k])]


def consistency_proof(leaves: Sequence[bytes], m: int) -> list[bytes]:
    """The proof that the tree of the first `m` leaves is a prefix of the tree of all `leaves`
    (RFC 9162 2.1.4.1)."""
    if not 0 < m <= len(leaves):
        raise ProofError(f"no consistency proof from {m} to {len(leaves)}")
    return _subproof(leaves, m, True)


def _subproof(leaves: Sequence[bytes], m: int, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = split(n)
    if m <= k:
        return _subproof(leaves[:k], m, complete) + [root(leaves[k:])]
    return _subproof(leaves[k:], m - k, False) + [root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """Whether `proof` shows leaf hash `leaf` at `index` in the tree of `size` with this root
    (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        return False
    climbed = _climb(index, size - 1, leaf, proof)
    return climbed is not None and climbed[1] == expected_root


def verify_consistency(m: int, n: int, root_m: bytes, root_n: bytes, proof: Sequence[bytes]) -> bool:
    """Whether `proof` shows the tree of size m with root_m is a prefix of the tree of size n
    with root_n (RFC 9162 2.1.4.2)."""
    if not 0 < m <= n:
        return False
    if m == n:
        return not proof and root_m == root_n
    path = list(proof)
    if m & (m - 1) == 0:  # m a power of two: the old root is itself a node of the new tree
        path.insert(0, root_m)
    if not path:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    climbed = _climb(fn, sn, path[0], path[1:])
    return climbed == (root_m, root_n)


def _climb(fn: int, sn: int, start: bytes, path: Sequence[bytes]) -> tuple[bytes, bytes] | None:
    """RFC 9162's walk up from node `fn` of a tree whose last node is `sn`: the hash built from
    the left-hand proof nodes only (the older tree's head) and from all of them (the newer
    tree's head); None when the proof is too long or too short."""
    fr = sr = start
    for c in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return (fr, sr) if sn == 0 else None


class TreeHeads:
    """The tree head of every prefix of a stream of leaves, in O(log n) memory: a compact range
    of perfect subtrees, largest first (how CT's compact Merkle tree works)."""

    def __init__(self) -> None:
        self.size = 0
        self._subtrees: list[tuple[int, bytes]] = []  # (leaf count, hash), counts decreasing

    def append(self, leaf: bytes) -> None:
        """Add the next leaf hash."""
        count, node = 1, leaf
        while self._subtrees and self._subtrees[-1][0] == count:
            left = self._subtrees.pop()[1]
            count, node = count * 2, node_hash(left, node)
        self._subtrees.append((count, node))
        self.size += 1

    def root(self) -> bytes:
        """The head of the tree of the leaves appended so far."""
        if not self._subtrees:
            return EMPTY_ROOT
        node = self._subtrees[-1][1]
        for _, left in reversed(self._subtrees[:-1]):
            node = node_hash(left, node)
        return node
