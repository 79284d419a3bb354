"""A page that changes some sessions and parents of a programme updates their tallies by
difference instead of recounting the programme (projections/catch_up.py, `write_scoped`). The
figures must be exactly those of a whole recount: after random commands, each caught up on its
own (so each takes the scoped road), every table equals a rebuild from the first event, and the
oracle's figures."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import pytest

from application.clock import SCHOOL_TZ
from application.schedules import move_session
from domain.errors import DomainError
from projections import catch_up
from tests.helpers.projection_world import World, assert_matches_oracle, dump, random_commands


def corrections(w: World, rng: random.Random) -> None:
    """A move, a corrected or withdrawn assessment, or a reversed payout, when there is one."""
    svc = w.service
    programs = svc.programs()
    if not programs:
        return
    program = rng.choice(programs)
    kind = rng.random()
    if kind < 0.4:
        sessions = [s for s in svc.sessions(program.id) if not s.held and not s.cancelled]
        if sessions:
            s = rng.choice(sessions)
            move_session(svc, s.id, starts_at=datetime.combine(s.date + timedelta(days=rng.choice([-20, -3, 4, 30])),
                                                               s.starts_at.timetz()).astimezone(SCHOOL_TZ))
    elif kind < 0.7:
        parents = [svc.parent(p) for p in program.enrolled_parents()]
        results = [(p, a) for p in parents for a in p.assessments if a.program_id == program.id]
        if results:
            parent, result = rng.choice(results)
            if rng.random() < 0.5:
                svc.corrections.correct_assessment(parent.id, result.id, reason="typfout", score=rng.choice([2, 9]),
                                                   max_score=10)
            else:
                svc.corrections.correct_assessment(parent.id, result.id, reason="verkeerd kind", withdrawn=True)
    else:
        payouts = [p for p in program.payouts if not p.reversed]
        if payouts:
            svc.corrections.reverse_payout(program.id, rng.choice(payouts).id, reason="dubbel")


@pytest.mark.parametrize("seed", [3, 17])
def test_figures_updated_in_part_equal_a_whole_recount(world: World, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    scoped: list[str] = []
    write_scoped = catch_up.write_scoped

    def counting(tx: Any, program: str, *args: Any) -> None:
        scoped.append(program)
        write_scoped(tx, program, *args)

    monkeypatch.setattr(catch_up, "write_scoped", counting)
    rng = random.Random(seed)

    def after_each() -> None:
        if rng.random() < 0.1:
            try:
                corrections(world, rng)
            except DomainError:
                pass
        world.projections.catch_up()

    random_commands(world, rng, 300, after_each)
    assert len(scoped) > 30  # pages took the scoped road (a programme whose rules changed takes the whole one)
    assert assert_matches_oracle(world) > 0
    live = dump(world.projections)
    world.projections.rebuild()
    assert dump(world.projections) == live
