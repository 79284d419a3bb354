"""The education fund as a ledger: in a fund arm payouts accrue to the child's fund, releases
and forfeits take from it, and for any sequence of commands the balance never goes below zero."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.errors import DomainError, FundArmCashPayoutError
from domain.training_program import TrainingProgram

FUND = {"per_session_cents": 500, "payout": "education_fund"}


def fund_trial() -> tuple[TrainingProgram, UUID]:
    program = TrainingProgram.create(
        school="12AB", name="Fonds", kind="pact", starts_on=date(2026, 9, 1), completion=None, rewards=None,
        arms=[{"name": "fund", "rewards": FUND}, {"name": "control"}], actor="test",
    )
    program.set_up_allocation(actor="test", method="simple", strata=None, block_sizes=None,
                              ratios={"fund": 10, "control": 1}, seed="fondszaad-1")
    while True:  # a parent the lot puts in the fund arm
        parent = uuid4()
        program.enroll(parent_id=parent, parent_school="12AB", child_id=uuid4(), enrolled_on=date(2026, 9, 1), actor="t")
        if program.allocate(parent_id=parent, school="12AB", group=None, seed="fondszaad-1", actor="t") == "fund":
            return program, parent


def test_a_cash_payout_in_a_fund_arm_is_refused() -> None:
    program, parent = fund_trial()
    with pytest.raises(FundArmCashPayoutError):
        program.record_payout(parent_id=parent, amount_cents=100, method="cash", earned_cents=500, actor="t")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["pay", "release", "forfeit"]), st.integers(min_value=-5, max_value=400)),
                max_size=40))
def test_the_balance_never_goes_below_zero_for_any_sequence(commands: list[tuple[str, int]]) -> None:
    program, parent = fund_trial()
    for kind, amount in commands:
        try:
            if kind == "pay":
                program.record_payout(parent_id=parent, amount_cents=amount, method="education_fund",
                                      earned_cents=2_000, actor="t")
            elif kind == "release":
                program.release_fund(parent_id=parent, amount_cents=amount, evidence="mbo",
                                     released_on=date(2031, 9, 1), actor="t")
            else:
                program.forfeit_fund(parent_id=parent, amount_cents=amount, reason="verhuisd",
                                     forfeited_on=date(2031, 9, 1), actor="t")
        except DomainError:
            pass
        balance = program.fund_in_cents(parent) - program.trial.fund_out_cents(parent)
        assert 0 <= balance <= 2_000
