"""Allocation by lot: blocks derived from the seed, balanced within one block per stratum for any
enrolment order, re-derivable by anyone once the seed is revealed, and refused once in use."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.allocation import Allocation, commitment, draw
from domain.errors import AllocationLockedError, ArmChangeRefusedError, InvalidAllocationError, SeedMismatchError
from domain.training_program import TrainingProgram

ARMS = ["cash", "fund", "control"]


def trial(**allocation: object) -> TrainingProgram:
    program = TrainingProgram.create(
        school="12AB", name="PACT-proef", kind="pact", starts_on=date(2026, 9, 1), completion=None, rewards=None,
        arms=[{"name": a} for a in ARMS], actor="test",
    )
    settings_ = {"method": "stratified_blocks", "strata": ["group"], "block_sizes": [3, 6], "ratios": None,
                 "seed": "zaadje-123", **allocation}
    program.set_up_allocation(actor="test", **settings_)  # type: ignore[arg-type]
    return program


def enrol(program: TrainingProgram, group: int, seed: str = "zaadje-123") -> tuple[UUID, str | None]:
    parent = uuid4()
    program.enroll(parent_id=parent, parent_school="12AB", child_id=None, enrolled_on=date(2026, 9, 1), actor="test")
    return parent, program.allocate(parent_id=parent, school="12AB", group=group, seed=seed, actor="test")


def test_the_commitment_is_the_seed_s_sha256_and_draws_are_hmac_sha256() -> None:
    import hmac
    assert commitment("zaadje-123") == hashlib.sha256(b"zaadje-123").hexdigest()
    expected = int.from_bytes(hmac.new(b"zaadje-123", b"group=3|0|size", hashlib.sha256).digest()[:8], "big")
    assert draw("zaadje-123", "group=3", 0, "size") == expected


def test_a_block_holds_each_arm_in_proportion_and_depends_on_the_seed() -> None:
    a = Allocation.set_up(arms=ARMS, method="stratified_blocks", strata=["group"], block_sizes=[6], ratios=None,
                          seed="zaadje-123")
    blocks = [a.block("zaadje-123", "group=3", n) for n in range(20)]
    assert all(Counter(b) == {"cash": 2, "fund": 2, "control": 2} for b in blocks)
    assert len({tuple(b) for b in blocks}) > 1  # permuted, not one fixed order
    assert [a.block("ander-zaad-9", "group=3", n) for n in range(20)] != blocks


def test_unequal_ratios_fill_blocks_in_proportion() -> None:
    a = Allocation.set_up(arms=ARMS, method="stratified_blocks", strata=[], block_sizes=[4, 8],
                          ratios={"cash": 1, "fund": 2, "control": 1}, seed="zaadje-123")
    sequence = [a.arm_at("zaadje-123", "all", i) for i in range(400)]
    counts = Counter(sequence)
    assert abs(counts["fund"] - 200) <= 4 and abs(counts["cash"] - 100) <= 2


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([3, 4, 5]), min_size=1, max_size=90), st.sampled_from([[3], [3, 6], [6, 9]]),
       st.text(min_size=8, max_size=20))
def test_arms_stay_balanced_within_one_block_per_stratum_for_any_enrolment_order(
    groups: list[int], block_sizes: list[int], seed: str
) -> None:
    program = trial(block_sizes=block_sizes, seed=seed)
    seen: dict[int, Counter[str]] = {}
    for group in groups:
        _, arm = enrol(program, group, seed)
        assert arm is not None
        counts = seen.setdefault(group, Counter())
        counts[arm] += 1
        # at every moment, in every stratum, no two arms differ by more than one block's share
        largest_share = max(block_sizes) // len(ARMS)
        values = [counts[a] for a in ARMS]
        assert max(values) - min(values) <= largest_share, (group, counts)
    # and anyone holding the seed re-derives every assignment from the events' stratum and slot
    allocation = program.trial.allocation
    assert allocation is not None
    for event in program.collect_events():
        if type(event).__name__ == "ArmAssigned":
            assert allocation.arm_at(seed, event.stratum, event.slot) == event.arm  # type: ignore[attr-defined]


def test_ratios_may_be_a_list_in_the_arms_order() -> None:
    a = Allocation.set_up(arms=ARMS, method="stratified_blocks", strata=[], block_sizes=None, ratios=[1, 2, 1], seed="7")
    assert a.ratios == {"cash": 1, "fund": 2, "control": 1} and a.block_sizes == [4, 8]


def test_simple_allocation_draws_each_slot_on_its_own() -> None:
    program = trial(method="simple", strata=None, block_sizes=None)
    arms = [enrol(program, 3)[1] for _ in range(60)]
    assert set(arms) == set(ARMS)


def test_a_wrong_seed_allocates_nobody() -> None:
    program = trial()
    with pytest.raises(SeedMismatchError):
        enrol(program, 3, seed="een-ander-zaad")


def test_the_allocation_is_fixed_once_someone_is_allocated_and_a_move_needs_an_override() -> None:
    program = trial()
    parent, arm = enrol(program, 3)
    with pytest.raises(AllocationLockedError):
        program.set_up_allocation(actor="test", method="simple", strata=None, block_sizes=None, ratios=None,
                                  seed="zaadje-456")
    other = next(a for a in ARMS if a != arm)
    with pytest.raises(ArmChangeRefusedError):
        program.change_arm(parent_id=parent, arm=other, override=False, reason="", actor="test")
    program.change_arm(parent_id=parent, arm=other, override=True, reason="tweeling", actor="admin")
    assert program.trial.arm_of[parent] == other and program.trial.overridden == {parent: "tweeling"}


@pytest.mark.parametrize("settings_", [
    {"method": "stratified_blocks", "block_sizes": [4]},  # not a multiple of 3 arms
    {"method": "stratified_blocks", "ratios": {"cash": 1, "fund": 1}},  # an arm without a ratio
    {"method": "simple", "strata": ["group"]},
    {"method": "minimisation"},
    {"method": "simple", "strata": None, "block_sizes": None, "seed": ""},
    {"method": "simple", "strata": None, "block_sizes": None, "ratios": [1, 2]},  # a list, one arm short
])
def test_settings_that_do_not_fit_the_arms_are_refused(settings_: dict[str, object]) -> None:
    with pytest.raises(InvalidAllocationError):
        trial(**settings_)


def test_a_re_enrolment_keeps_the_arm() -> None:
    program = trial()
    parent, arm = enrol(program, 3)
    program.withdraw(parent_id=parent, withdrawn_on=date(2026, 10, 1), reason="ziek", actor="test")
    program.enroll(parent_id=parent, parent_school="12AB", child_id=None, enrolled_on=date(2026, 11, 1), actor="test")
    assert program.allocate(parent_id=parent, school="12AB", group=3, seed="zaadje-123", actor="test") is None
    assert program.trial.arm_of[parent] == arm
