"""A programme run as a trial: its arms (each with its own reward scheme), its allocation by
lot, who is in which arm, and the education fund's releases and forfeits. The state and the
rules the TrainingProgram aggregate asks before it records a trial's events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Mapping, Sequence, TypedDict
from uuid import UUID

from domain.allocation import CONTROL, MAX_ARMS, Allocation, stratum_key
from domain.errors import (
    AllocationLockedError,
    ArmChangeRefusedError,
    FundBalanceError,
    FundArmCashPayoutError,
    InvalidAmountError,
    InvalidArmsError,
    SeedMismatchError,
    TrialLockedError,
)
from domain.limits import MAX_CENTS
from domain.rules import RewardScheme
from domain.templates import reward_scheme

ARM_NAME_LENGTH = 40


class ArmSetting(TypedDict):
    """An arm as ArmsDefined records it: its name and its complete reward scheme (RewardScheme.as_dict)."""

    name: str
    rewards: dict[str, Any]


class ArmRatio(TypedDict):
    """An arm's share of each block, as AllocationSetUp records it."""

    arm: str
    ratio: int


def control_scheme() -> RewardScheme:
    """The control arm earns nothing."""
    return RewardScheme(per_session_cents=0, per_homework_cents=0, per_assessment_cents=0, cap_cents=0)


@dataclass(frozen=True)
class FundMove:
    """Money leaving a child's education fund: released (with what was shown) or forfeited (with why)."""

    id: UUID
    parent_id: UUID
    child_id: UUID | None
    kind: str  # released | forfeited
    amount_cents: int
    note: str  # the evidence shown, or the reason
    on: date


@dataclass
class Trial:
    """The trial side of a programme; empty (no arms) for an ordinary programme."""

    arms: dict[str, RewardScheme] = field(default_factory=dict)
    allocation: Allocation | None = None
    arm_of: dict[UUID, str] = field(default_factory=dict)
    overridden: dict[UUID, str] = field(default_factory=dict)  # parent -> the admin's reason
    slots: dict[str, int] = field(default_factory=dict)  # stratum -> slots taken
    seed: str | None = None  # revealed when the trial is locked
    fund_moves: list[FundMove] = field(default_factory=list)

    # -- arms ---------------------------------------------------------------------------------

    @staticmethod
    def arm_settings(kind: str, arms: Sequence[Mapping[str, Any]]) -> list[ArmSetting]:
        """The arms as stored: distinct names, each reward scheme complete (control's all zero)."""
        names = [str(a.get("name", "")) for a in arms]
        if not 2 <= len(arms) <= MAX_ARMS or len(set(names)) != len(names):
            raise InvalidArmsError(f"a trial has 2 to {MAX_ARMS} arms with distinct names", arms=names)
        if any(not n or len(n) > ARM_NAME_LENGTH or not n.replace("_", "").isalnum() for n in names):
            raise InvalidArmsError("an arm's name is a word of letters, digits and _ (e.g. cash, control)")
        return [
            {"name": n, "rewards": (control_scheme() if n == CONTROL else reward_scheme(kind, a.get("rewards"))).as_dict()}
            for n, a in zip(names, arms)
        ]

    def define(self, arms: list[ArmSetting]) -> None:
        self.arms = {a["name"]: RewardScheme(**a["rewards"]) for a in arms}

    def scheme_of(self, parent_id: UUID) -> RewardScheme | None:
        """The reward scheme of the parent's arm (None when not allocated)."""
        arm = self.arm_of.get(parent_id)
        return self.arms.get(arm) if arm is not None else None

    # -- allocation ---------------------------------------------------------------------------

    def allocation_for(self, *, seed: str, **settings: Any) -> Allocation:
        """A checked allocation for these arms; refused once anyone is allocated or the trial is locked."""
        if self.arm_of or self.seed is not None:
            raise AllocationLockedError("the allocation cannot change once an enrolment was allocated")
        if not self.arms:
            raise InvalidArmsError("the programme has no arms to allocate to")
        return Allocation.set_up(arms=list(self.arms), seed=seed, **settings)

    def set_allocation(
        self, method: str, strata: list[str], block_sizes: list[int], ratios: list[ArmRatio], commitment: str
    ) -> None:
        self.allocation = Allocation(method, list(strata), list(block_sizes), {r["arm"]: r["ratio"] for r in ratios}, commitment)

    def next_slot(self, parent_id: UUID, *, school: str, group: int | None, seed: str) -> tuple[str, int, str] | None:
        """(stratum, slot, arm) for a new enrolment; None when nobody is allocated here or the
        parent already has an arm (a re-enrolment keeps it)."""
        if self.allocation is None or parent_id in self.arm_of:
            return None
        if self.seed is not None:
            raise TrialLockedError("the trial is locked: it allocates nobody any more")
        if not self.allocation.reveals(seed):
            raise SeedMismatchError("the seed kept for this trial is not the one committed to")
        stratum = stratum_key(self.allocation.strata, school=school, group=group)
        slot = self.slots.get(stratum, 0)
        return stratum, slot, self.allocation.arm_at(seed, stratum, slot)

    def assign(self, parent_id: UUID, arm: str, stratum: str, slot: int) -> None:
        self.arm_of[parent_id] = arm
        self.slots[stratum] = slot + 1

    def ensure_may_move(self, parent_id: UUID, arm: str, override: bool) -> None:
        """Only an admin's override moves a parent, and only to an arm the trial has."""
        if arm not in self.arms:
            raise InvalidArmsError(f"the programme has no arm {arm!r}", arm=arm)
        if not override:
            raise ArmChangeRefusedError("a parent stays in the arm the lot gave them", arm=self.arm_of.get(parent_id))

    def override(self, parent_id: UUID, arm: str, reason: str) -> None:
        self.arm_of[parent_id] = arm
        self.overridden[parent_id] = reason

    def ensure_may_lock(self, seed: str) -> None:
        """The trial is locked once, with the seed committed to."""
        if self.allocation is None:
            raise InvalidArmsError("the programme has no allocation to lock")
        if self.seed is not None:
            raise TrialLockedError("the trial is already locked")
        if not self.allocation.reveals(seed):
            raise SeedMismatchError("this is not the seed committed to when the allocation was set up")

    # -- payouts and the education fund -------------------------------------------------------

    def ensure_payout_method(self, parent_id: UUID, method: str) -> None:
        """A family in a fund arm is paid into the child's fund, never in cash."""
        scheme = self.scheme_of(parent_id)
        if scheme is not None and scheme.payout == "education_fund" and method == "cash":
            raise FundArmCashPayoutError("this family's arm pays into the child's education fund, not in cash")

    def fund_out_cents(self, parent_id: UUID) -> int:
        """What left the child's fund (released and forfeited)."""
        return sum(m.amount_cents for m in self.fund_moves if m.parent_id == parent_id)

    def ensure_fund_holds(self, parent_id: UUID, amount_cents: int, in_cents: int) -> None:
        """A release or forfeit takes no more than the fund holds: the balance never goes below zero."""
        if not 0 < amount_cents <= MAX_CENTS:
            raise InvalidAmountError(f"amount_cents must be between 1 and {MAX_CENTS}", amount_cents=amount_cents)
        balance = in_cents - self.fund_out_cents(parent_id)
        if amount_cents > balance:
            raise FundBalanceError(
                f"{amount_cents} cents is more than the {balance} cents the fund holds", balance_cents=balance
            )

