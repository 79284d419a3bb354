"""Allocation by lot (docs/allocation.md): which arm each new enrolment of a trial gets.

The sequence follows from a secret seed alone, so it never runs out and anyone holding the
seed can re-derive every assignment: each stratum's permuted blocks come from
HMAC-SHA256(seed, stratum | block number | ...). While the trial runs only the seed's SHA-256
commitment is recorded; the seed is revealed when the trial is locked. Pure functions only."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from domain.errors import InvalidAllocationError

CONTROL = "control"
"""The arm that earns nothing (the comparison group)."""
METHODS = ("simple", "stratified_blocks")
STRATA = ("school", "group")
"""What a stratum may be made of: the parent's school, the enrolled child's group (groep)."""
MAX_ARMS = 8
MAX_BLOCK = 64
MIN_SEED = 1
"""A seed needs at least a character; a short one is easy to guess from its commitment (docs/allocation.md)."""


def seed_bytes(seed: str) -> bytes:
    """The seed as UTF-8 (a lone surrogate, which JSON can smuggle in, has none: refused)."""
    try:
        return seed.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidAllocationError("the seed must be plain text (UTF-8)", setting="seed") from None


def commitment(seed: str) -> str:
    """The SHA-256 of the seed (UTF-8), hex: recorded when the allocation is set up."""
    return hashlib.sha256(seed_bytes(seed)).hexdigest()


def draw(seed: str, *parts: object) -> int:
    """A 64-bit number derived from the seed and the parts: HMAC-SHA256(seed, "p1|p2|..."), first 8 bytes."""
    message = "|".join(str(p) for p in parts).encode("utf-8")
    return int.from_bytes(hmac.new(seed_bytes(seed), message, hashlib.sha256).digest()[:8], "big")


def stratum_key(strata: Iterable[str], *, school: str, group: int | None) -> str:
    """The stratum of an enrolment as text, e.g. "school=12AB|group=5" ("all" without strata)."""
    values = {"school": school, "group": "?" if group is None else str(group)}
    parts = [f"{s}={values[s]}" for s in strata]
    return "|".join(parts) or "all"


@dataclass(frozen=True)
class Allocation:
    """How a trial allocates: method, strata, block sizes and arm ratios (the seed is kept apart)."""

    method: str
    strata: list[str] = field(default_factory=list)
    block_sizes: list[int] = field(default_factory=list)
    ratios: dict[str, int] = field(default_factory=dict)
    commitment: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def set_up(
        cls,
        *,
        arms: list[str],
        method: str,
        strata: list[str] | None,
        block_sizes: list[int] | None,
        ratios: Mapping[str, int] | Sequence[int] | None,
        seed: str,
    ) -> "Allocation":
        """Check the settings against the trial's arms (equal ratios and blocks of two rounds when omitted)."""
        if method not in METHODS:
            raise InvalidAllocationError(f"method must be one of {', '.join(METHODS)}", setting="method")
        if len(arms) < 2:
            raise InvalidAllocationError("a trial needs at least two arms to allocate to", setting="arms")
        if len(seed) < MIN_SEED or not seed_bytes(seed):
            raise InvalidAllocationError(f"the seed must be at least {MIN_SEED} characters", setting="seed")
        if ratios is not None and not isinstance(ratios, Mapping):  # a list in the arms' order
            if len(ratios) != len(arms):
                raise InvalidAllocationError("ratios must give every arm a whole number from 1 to 10", setting="ratios")
            ratios = dict(zip(arms, ratios))
        chosen = dict(ratios) if ratios else {a: 1 for a in arms}
        if set(chosen) != set(arms) or any(not isinstance(r, int) or not 1 <= r <= 10 for r in chosen.values()):
            raise InvalidAllocationError("ratios must give every arm a whole number from 1 to 10", setting="ratios")
        ordered = {a: chosen[a] for a in arms}  # the arms' own order, whatever the input's
        unit = sum(ordered.values())
        strata = list(strata or [])
        if any(s not in STRATA for s in strata) or len(set(strata)) != len(strata):
            raise InvalidAllocationError(f"strata are drawn from {', '.join(STRATA)}", setting="strata")
        sizes = list(block_sizes or ([unit, 2 * unit] if method == "stratified_blocks" else []))
        if method == "stratified_blocks":
            if not sizes or any(not isinstance(b, int) or b <= 0 or b % unit or b > MAX_BLOCK for b in sizes):
                raise InvalidAllocationError(
                    f"block sizes must be multiples of the ratios' sum ({unit}), at most {MAX_BLOCK}",
                    setting="block_sizes",
                )
        elif block_sizes or strata:
            raise InvalidAllocationError("simple allocation takes no strata or block sizes", setting="method")
        return cls(method, strata, sizes, ordered, commitment(seed))

    @property
    def unit(self) -> int:
        return sum(self.ratios.values())

    def block(self, seed: str, stratum: str, number: int) -> list[str]:
        """Block `number` (from 0) of a stratum: its size drawn from the block sizes, its arms in
        proportion to the ratios, shuffled (Fisher-Yates, j = draw(seed, stratum, number, i) mod (i+1))."""
        size = self.block_sizes[draw(seed, stratum, number, "size") % len(self.block_sizes)]
        rounds = size // self.unit
        arms = [a for a, r in self.ratios.items() for _ in range(r * rounds)]
        for i in range(len(arms) - 1, 0, -1):
            j = draw(seed, stratum, number, i) % (i + 1)
            arms[i], arms[j] = arms[j], arms[i]
        return arms

    def arm_at(self, seed: str, stratum: str, slot: int) -> str:
        """The arm of a stratum's slot (from 0). Simple allocation draws each slot on its own."""
        if self.method == "simple":
            point = draw(seed, stratum, slot) % self.unit
            for arm, ratio in self.ratios.items():
                if point < ratio:
                    return arm
                point -= ratio
            raise AssertionError("unreachable: the point lies below the ratios' sum")
        number = 0
        while True:
            block = self.block(seed, stratum, number)
            if slot < len(block):
                return block[slot]
            slot -= len(block)
            number += 1

    def reveals(self, seed: str) -> bool:
        """Whether the seed is the one committed to."""
        return hmac.compare_digest(commitment(seed), self.commitment)
