"""Payouts checked against the rewards projection (also when two are made at once), and a
property test: random staff commands give the oracle's figures for every (programme, parent)."""

from __future__ import annotations

import random
import threading
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.config import StoreConfig
from domain.errors import DomainError, PayoutExceedsOutstandingError
from tests.helpers.projection_world import World, assert_matches_oracle, open_world, random_commands

D = date(2025, 2, 3)


def test_racing_payouts_never_exceed_what_was_earned(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 1000})
    a = world.parent(prog)
    for i in range(3):
        s = world.session(prog, D + timedelta(weeks=i))
        world.service.take_roll_call(s, [(a, "present")])
    paid, refused = [], []
    barrier = threading.Barrier(8)

    def pay() -> None:
        barrier.wait()
        try:
            world.service.record_payout(prog, parent_id=a, amount_cents=700, method="cash")
            paid.append(700)
        except PayoutExceedsOutstandingError:
            refused.append(700)

    threads = [threading.Thread(target=pay) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (len(paid), len(refused)) == (4, 4)  # 4 x 700 <= 3000 < 5 x 700
    row = world.row("rewards", prog, a)
    assert (row["earned_cents"], row["paid_cents"], row["outstanding_cents"]) == (3000, 2800, 200)
    assert world.service.program(prog).paid_cents(a) == 2800


def test_payout_checks_the_rewards_projection(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 500})
    a = world.parent(prog)
    asked: list[int] = []
    projection_earned = world.service.earned_cents
    world.service.earned_cents = lambda program, parent_id: asked.append(1) or projection_earned(program, parent_id)
    try:
        world.service.record_payout(prog, parent_id=a, amount_cents=1, method="cash")
    except PayoutExceedsOutstandingError:
        pass
    assert asked
    s = world.session(prog, D)
    world.service.take_roll_call(s, [(a, "present")])
    world.service.record_payout(prog, parent_id=a, amount_cents=500, method="cash")  # read-your-writes
    assert world.projections.earned_cents(prog, a) == 500


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(rng=st.randoms(use_true_random=False), count=st.integers(1, 120), reads=st.integers(1, 4))
def test_random_commands_give_the_oracles_figures(tmp_path_factory, rng: random.Random, count: int, reads: int) -> None:
    config = StoreConfig(data_dir=tmp_path_factory.mktemp("prop"))
    w = open_world(config)
    try:
        for _ in range(reads):  # read between bursts, so the views are built incrementally
            random_commands(w, rng, count // reads + 1)
            assert_matches_oracle(w)
    finally:
        w.projections.close()
        w.service.close()


def test_random_commands_give_the_oracles_figures_on_both_stores(world: World) -> None:
    rng = random.Random(11)
    for _ in range(3):
        random_commands(world, rng, 120)
        assert assert_matches_oracle(world) > 0


def test_refused_commands_change_no_figures(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 500})
    a = world.parent(prog)
    before = world.projections.rewards(prog)
    for bad in (lambda: world.service.record_payout(prog, parent_id=a, amount_cents=1, method="cash"),
                lambda: world.service.enroll(prog, parent_id=a)):
        try:
            bad()
        except DomainError:
            pass
    assert world.projections.rewards(prog) == before
