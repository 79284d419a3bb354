"""The RFC 6962 / 9162 tree over the seals: hashing, tree heads, inclusion and consistency proofs,
checked against the certificate-transparency reference code's 8-leaf test vectors and, for every
size up to 17, against a deliberately naive recursive reading of the RFC."""

from __future__ import annotations

import hashlib

import pytest

from adapters.merkle import (
    EMPTY_ROOT, TreeHeads, consistency_proof, inclusion_proof, leaf_hash, node_hash, root, verify_consistency, verify_inclusion,
)

# The inputs of CT's merkle_tree_test.cc and RFC 9162's examples: eight leaves of 0..16 bytes.
INPUTS = [bytes.fromhex(x) for x in (
    "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
)]
ROOTS = [bytes.fromhex(x) for x in (
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
# (leaf index, tree size, audit path) from the same test file.
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
# (old size, new size, proof).
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
LEAVES = [leaf_hash(x) for x in INPUTS]


# -- a naive reading of RFC 9162 section 2.1, written apart from adapters/merkle.py -------------

def naive_k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def naive_mth(entries: list[bytes]) -> bytes:
    if not entries:
        return hashlib.sha256(b"").digest()
    if len(entries) == 1:
        return hashlib.sha256(b"\x00" + entries[0]).digest()
    k = naive_k(len(entries))
    return hashlib.sha256(b"\x01" + naive_mth(entries[:k]) + naive_mth(entries[k:])).digest()


def naive_path(m: int, entries: list[bytes]) -> list[bytes]:
    if len(entries) == 1:
        return []
    k = naive_k(len(entries))
    if m < k:
        return naive_path(m, entries[:k]) + [naive_mth(entries[k:])]
    return naive_path(m - k, entries[k:]) + [naive_mth(entries[:k])]


def naive_subproof(m: int, entries: list[bytes], b: bool) -> list[bytes]:
    n = len(entries)
    if m == n:
        return [] if b else [naive_mth(entries)]
    k = naive_k(n)
    if m <= k:
        return naive_subproof(m, entries[:k], b) + [naive_mth(entries[k:])]
    return naive_subproof(m - k, entries[k:], False) + [naive_mth(entries[:k])]


ENTRIES = [hashlib.sha256(bytes([i])).digest() for i in range(17)]  # like seals: 32 bytes each


def test_leaf_and_node_hashes_carry_the_rfc_domain_prefixes():
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_the_tree_heads_of_the_reference_vectors(size):
    assert root(LEAVES[:size]) == ROOTS[size - 1]


@pytest.mark.parametrize("index, size, path", INCLUSION)
def test_the_inclusion_proofs_of_the_reference_vectors(index, size, path):
    proof = inclusion_proof(LEAVES[:size], index)
    assert [p.hex() for p in proof] == path
    assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size - 1])


@pytest.mark.parametrize("m, n, path", CONSISTENCY)
def test_the_consistency_proofs_of_the_reference_vectors(m, n, path):
    proof = consistency_proof(LEAVES[:n], m)
    assert [p.hex() for p in proof] == path
    assert verify_consistency(m, n, ROOTS[m - 1], ROOTS[n - 1], proof)


@pytest.mark.parametrize("n", range(1, 18))
def test_every_size_and_every_proof_agrees_with_the_naive_reading(n):
    leaves = [leaf_hash(e) for e in ENTRIES[:n]]
    head = root(leaves)
    assert head == naive_mth(ENTRIES[:n])
    for i in range(n):
        proof = inclusion_proof(leaves, i)
        assert proof == naive_path(i, ENTRIES[:n])
        assert verify_inclusion(leaves[i], i, n, proof, head)
        assert not verify_inclusion(leaves[i], (i + 1) % n, n, proof, head) or n == 1
    for m in range(1, n + 1):
        proof = consistency_proof(leaves, m)
        assert proof == naive_subproof(m, ENTRIES[:n], True)
        assert verify_consistency(m, n, naive_mth(ENTRIES[:m]), head, proof)


@pytest.mark.parametrize("n", [2, 5, 8, 13, 17])
def test_a_proof_against_a_rewritten_log_fails(n):
    leaves = [leaf_hash(e) for e in ENTRIES[:n]]
    rewritten = list(leaves)
    rewritten[0] = leaf_hash(b"rewritten, with a fresh seal")
    new_head = root(rewritten)
    for m in range(1, n):
        # The old tree head (kept by an auditor) against the rewritten log's proof and head.
        assert not verify_consistency(m, n, root(leaves[:m]), new_head, consistency_proof(rewritten, m))
    for i in range(n):
        assert not verify_inclusion(leaves[i], i, n, inclusion_proof(leaves, i), new_head)


def test_a_damaged_or_misplaced_proof_fails():
    proof = inclusion_proof(LEAVES, 5)
    assert not verify_inclusion(LEAVES[5], 5, 8, proof[:-1], ROOTS[7])
    assert not verify_inclusion(LEAVES[5], 5, 8, proof + [ROOTS[0]], ROOTS[7])
    assert not verify_inclusion(LEAVES[5], 8, 8, proof, ROOTS[7])
    cproof = consistency_proof(LEAVES, 6)
    assert not verify_consistency(6, 8, ROOTS[5], ROOTS[7], cproof[:-1])
    assert not verify_consistency(6, 8, ROOTS[4], ROOTS[7], cproof)
    assert not verify_consistency(6, 8, ROOTS[5], ROOTS[7], [cproof[1], cproof[0], cproof[2]])
    assert not verify_consistency(9, 8, ROOTS[5], ROOTS[7], cproof)


def test_streamed_tree_heads_equal_the_heads_of_every_prefix():
    heads = TreeHeads()
    assert heads.root() == EMPTY_ROOT
    for n, entry in enumerate(ENTRIES, start=1):
        heads.append(leaf_hash(entry))
        assert (heads.size, heads.root()) == (n, naive_mth(ENTRIES[:n]))
