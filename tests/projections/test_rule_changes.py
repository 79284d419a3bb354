"""Rules that change mid-year (docs/rules.md): each session, homework and assessment earns by the
scheme in force on its day; completion and the cap follow the rule in force on the parent's
closing day. On SQLite and PostgreSQL, every row held to the oracle (tests/oracle.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.rule_changes import change_rules, rules
from domain.errors import InvalidDateError, ProgramClosedError, RulesUnchangedError, TrialRulesFixedError
from tests.helpers.projection_world import World, assert_matches_oracle

D = date(2025, 2, 3)  # a Monday; sessions weekly from here
WEEK = timedelta(weeks=1)


def test_a_session_before_the_change_earns_by_the_old_scheme_after_by_the_new(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 500, "per_homework_cents": 100})
    a = world.parent(prog)
    sessions = [world.session(prog, D + i * WEEK, homework="Lezen") for i in range(3)]
    change_rules(world.service, prog, effective_from=D + WEEK, rewards={"per_session_cents": 800},
                 reason="bestuursbesluit")
    for s in sessions:
        world.service.take_roll_call(s, [(a, "present")])
        world.service.record_homework(s, [(a, True)])
    row = world.row("rewards", prog, a)
    assert (row["sessions_cents"], row["homework_cents"], row["earned_cents"]) == (500 + 800 + 800, 300, 2400)
    assert_matches_oracle(world)


def test_a_change_recorded_after_the_roll_calls_recomputes_the_figures(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 500})
    a = world.parent(prog)
    for i in range(2):
        world.service.take_roll_call(world.session(prog, D + i * WEEK), [(a, "present")])
    assert world.row("rewards", prog, a)["earned_cents"] == 1000
    change_rules(world.service, prog, effective_from=D + WEEK, rewards={"per_session_cents": 200}, reason="bezuiniging")
    assert world.row("rewards", prog, a)["earned_cents"] == 700
    assert_matches_oracle(world)


def test_assessments_earn_by_the_scheme_in_force_on_the_day_taken(world: World) -> None:
    prog = world.program(rewards={"per_assessment_cents": 1000, "assessment_threshold": 0.5})
    parent = world.service.register_parent(school="12AB", name="Ouder", children=[("Kind", 4)])
    world.service.enroll(prog, parent_id=parent.id, enrolled_on=D)
    child = next(iter(parent.children))
    change_rules(world.service, prog, effective_from=D + WEEK,
                 rewards={"per_assessment_cents": 300, "assessment_threshold": 0.8}, reason="strenger")
    for score, day in ((6, D), (6, D + WEEK), (9, D + 2 * WEEK)):  # 1000; fails 0.8; 300
        world.service.record_assessment(parent.id, program_id=prog, child_id=child, name="Cito",
                                        score=score, max_score=10, taken_on=day)
    assert world.row("rewards", prog, parent.id)["assessment_cents"] == 1300
    assert_matches_oracle(world)


def test_the_cap_and_completion_follow_the_rule_in_force_on_the_closing_day(world: World) -> None:
    prog = world.program(completion={"min_attendance_rate": 0.0, "min_sessions_attended": 3},
                         rewards={"per_session_cents": 500, "cap_cents": 800})
    a = world.parent(prog)
    s1, s2 = world.session(prog, D), world.session(prog, D + 2 * WEEK)
    change_rules(world.service, prog, effective_from=D + WEEK, completion={"min_sessions_attended": 2},
                 rewards={"cap_cents": None}, reason="twee is genoeg")
    world.service.take_roll_call(s1, [(a, "present")])  # the closing day is before the change: old rules
    assert (world.row("rewards", prog, a)["earned_cents"], world.row("completion", prog, a)["completed"]) == (500, False)
    assert_matches_oracle(world)
    world.service.take_roll_call(s2, [(a, "present")])  # now after it: the new cap (none) and rule
    assert (world.row("rewards", prog, a)["earned_cents"], world.row("completion", prog, a)["completed"]) == (1000, True)
    assert_matches_oracle(world)


def test_later_changes_and_changes_on_the_same_day_apply_in_date_order(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 100})
    a = world.parent(prog)
    for i in range(3):
        world.service.take_roll_call(world.session(prog, D + i * WEEK), [(a, "present")])
    change_rules(world.service, prog, effective_from=D + 2 * WEEK, rewards={"per_session_cents": 300}, reason="b")
    change_rules(world.service, prog, effective_from=D + WEEK, rewards={"per_session_cents": 200}, reason="a")
    change_rules(world.service, prog, effective_from=D + 2 * WEEK, rewards={"per_session_cents": 400}, reason="c")
    assert world.row("rewards", prog, a)["sessions_cents"] == 100 + 200 + 400
    history = rules(world.service, prog, on=D + WEEK)
    assert [c["reason"] for c in history["changes"]] == ["b", "a", "c"]
    assert history["in_force"]["rewards"]["per_session_cents"] == 200
    assert history["created"]["rewards"]["per_session_cents"] == 100
    assert_matches_oracle(world)


def test_refused_changes_record_nothing(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 100})
    trial = world.service.create_program(
        school="12AB", name="Proef", kind="custom", starts_on=D, completion=None, rewards=None,
        arms=[{"name": "control", "rewards": None}, {"name": "geld", "rewards": {"per_session_cents": 500}}],
    ).id
    refusals = [
        (prog, {"effective_from": D, "rewards": {"per_session_cents": 100}}, RulesUnchangedError),
        (prog, {"effective_from": date(2024, 12, 31), "rewards": {"per_session_cents": 9}}, InvalidDateError),
        (trial, {"effective_from": D, "rewards": {"per_session_cents": 9}}, TrialRulesFixedError),
    ]
    for program_id, body, error in refusals:
        version = world.service.program(program_id).version
        with pytest.raises(error):
            change_rules(world.service, program_id, reason="x", **body)
        assert world.service.program(program_id).version == version
    world.service.corrections.close_program(prog, reason="klaar")
    version = world.service.program(prog).version
    with pytest.raises(ProgramClosedError):
        change_rules(world.service, prog, effective_from=D, rewards={"per_session_cents": 9}, reason="x")
    assert world.service.program(prog).version == version
    assert rules(world.service, prog)["changes"] == []


def test_a_rebuild_from_zero_equals_the_live_figures_after_rule_changes(world: World) -> None:
    from betrokken.replay_check import replay_check

    prog = world.program(completion={"min_sessions_attended": 2}, rewards={"per_session_cents": 500, "cap_cents": 900})
    a, b = world.parent(prog), world.parent(prog)
    for i in range(3):
        world.service.take_roll_call(world.session(prog, D + i * WEEK), [(a, "present"), (b, "absent")])
    change_rules(world.service, prog, effective_from=D + WEEK, completion={"min_sessions_attended": 3},
                 rewards={"per_session_cents": 300, "cap_cents": None}, reason="nieuw schooljaarplan")
    world.projections.catch_up()
    assert world.row("rewards", prog, a)["earned_cents"] == 1100
    report = replay_check(world.config, world.service)
    assert report.identical, report.diffs
    assert report.rows > 0
