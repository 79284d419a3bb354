"""The start page's figures, a page of programmes in one read, equal what each programme's own
reads and its aggregate say (on SQLite and PostgreSQL)."""

from __future__ import annotations

import random
from datetime import date

from tests.helpers.projection_world import World, random_commands


def test_the_glance_of_a_page_equals_each_programme_s_own_figures(world: World) -> None:
    programs = [world.program() for _ in range(3)]
    for program in programs[:2]:
        parents = [world.parent(program) for _ in range(3)]
        world.service.withdraw(program, parent_id=parents[0], withdrawn_on=date(2025, 2, 1), reason="verhuisd")
    random_commands(world, random.Random(7), 60)
    empty = world.program()
    glance = world.projections.glance([*programs, empty])
    for program in [*programs, empty]:
        aggregate = world.service.program(program)
        summary = world.projections.summary(program)
        g = glance[program]
        assert g.enrolled == sum(1 for p in aggregate.enrolled_parents() if aggregate.current_enrolment(p))
        assert (g.sessions_planned, g.sessions_held, g.attendance_rate) == (
            summary["sessions_planned"], summary["sessions_held"], summary["attendance_rate"])
        assert g.completed == sum(1 for c in world.projections.completion(program) if c["completed"])
    assert glance[empty].enrolled == 0 and glance[empty].sessions_planned == 0
    assert world.projections.glance([]) == {}


def test_a_parent_s_programmes_are_found_in_the_projections(world: World) -> None:
    first, second, other = world.program(), world.program(), world.program()
    parent = world.parent(second)
    world.service.enroll(first, parent_id=parent, enrolled_on=date(2025, 3, 1))
    world.parent(other)
    assert world.projections.programs_of_parent(parent) == [second, first]
