"""The rulebook (domain/rules.py) rule by rule, as docs/rules.md states it."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.rules import Balance, CompletionRule, Earnings, RewardScheme, Sitting, Tally, counts_for, rate, takes_part

SEPT = [(date(2026, 9, 1), date(2026, 10, 1))]
"""Enrolled on 1 September, withdrawn from 1 October."""


def tally(held: int = 0, attended: int = 0, excused: int = 0, assigned: int = 0, done: int = 0) -> Tally:
    return Tally(held, attended, excused, assigned, done)


# -- which sessions count ------------------------------------------------------------------------


@pytest.mark.parametrize("day, counts", [
    (date(2026, 8, 31), False),  # before the enrolment
    (date(2026, 9, 1), True),  # enrolled_on <= date
    (date(2026, 9, 30), True),
    (date(2026, 10, 1), False),  # date < withdrawn_on
])
def test_a_held_session_counts_for_a_parent_enrolled_on_its_date(day: date, counts: bool) -> None:
    assert counts_for(True, "p", day, None, SEPT) is counts


def test_a_session_not_held_counts_for_nobody() -> None:
    assert not counts_for(False, "p", date(2026, 9, 7), None, SEPT)
    assert takes_part("p", date(2026, 9, 7), None, SEPT)  # its roll call is still taken for them


def test_a_session_that_names_participants_counts_only_for_them() -> None:
    me, other = uuid4(), uuid4()
    assert counts_for(True, me, date(2026, 9, 7), [me], SEPT)
    assert not counts_for(True, other, date(2026, 9, 7), [me], SEPT)
    assert not counts_for(True, me, date(2026, 9, 7), [], SEPT)


def test_an_open_enrolment_and_a_re_enrolment_count_and_the_gap_does_not() -> None:
    periods = [("2026-09-01", "2026-09-15"), ("2026-10-01", None)]  # the facts' ISO text
    assert counts_for(True, "p", "2026-09-14", None, periods)
    assert not counts_for(True, "p", "2026-09-20", None, periods)
    assert counts_for(True, "p", "2027-06-30", None, periods)
    assert not counts_for(True, "p", "2026-09-07", None, [])  # never enrolled


# -- the tally -----------------------------------------------------------------------------------


def test_the_tally_counts_present_excused_and_no_record_as_absent() -> None:
    t = Tally.count([
        Sitting("present", True, True), Sitting("excused", True, False), Sitting("absent", False, False),
        Sitting(None, True, True), Sitting("present", False, False),
    ])
    assert t == tally(held=5, attended=2, excused=1, assigned=3, done=2)
    assert t.absent == 2
    assert t.attendance_rate == 2 / 4  # attended / (held - excused)
    assert t.homework_rate == 2 / 3


def test_homework_counts_only_where_it_was_assigned() -> None:
    assert Tally.count([Sitting("present", False, True)]).homework_completed == 0


def test_rates_are_null_when_there_is_nothing_to_divide_by() -> None:
    assert rate(1, 0) is None and rate(0, 2) == 0
    assert Tally.count([]).attendance_rate is None
    assert tally(held=2, excused=2).attendance_rate is None  # every session excused
    assert tally(held=2, attended=1).homework_rate is None  # no homework assigned


# -- completion ----------------------------------------------------------------------------------


def test_completion_needs_the_attendance_rate() -> None:
    rule = CompletionRule(min_attendance_rate=0.5)
    assert rule.is_met(tally(held=4, attended=2))
    assert not rule.is_met(tally(held=4, attended=1))


def test_a_null_attendance_rate_passes_only_a_zero_minimum() -> None:
    nothing = tally()
    assert not CompletionRule(min_attendance_rate=0.5).is_met(nothing)
    assert not CompletionRule(min_attendance_rate=0.01).is_met(tally(held=1, excused=1))
    assert CompletionRule(min_attendance_rate=0.0).is_met(nothing)


def test_excused_sessions_do_not_lower_the_attendance_rate() -> None:
    rule = CompletionRule(min_attendance_rate=1.0)
    assert rule.is_met(tally(held=4, attended=2, excused=2))
    assert not rule.is_met(tally(held=4, attended=2, excused=1))


def test_completion_needs_the_minimum_of_sessions_attended() -> None:
    rule = CompletionRule(min_attendance_rate=0.0, min_sessions_attended=2)
    assert not rule.is_met(tally(held=1, attended=1))
    assert rule.is_met(tally(held=5, attended=2))


def test_completion_needs_the_homework_rate_only_when_homework_was_assigned() -> None:
    rule = CompletionRule(min_attendance_rate=0.5, min_homework_rate=0.75)
    assert rule.is_met(tally(held=2, attended=2))  # no homework: a null rate passes
    assert rule.is_met(tally(held=4, attended=4, assigned=4, done=3))
    assert not rule.is_met(tally(held=4, attended=4, assigned=4, done=2))


# -- rewards -------------------------------------------------------------------------------------


SCHEME = RewardScheme(per_session_cents=500, per_homework_cents=200, per_assessment_cents=1000)


def test_earnings_are_sessions_attended_homework_done_and_assessments_passed() -> None:
    t = tally(held=4, attended=3, excused=1, assigned=2, done=2)
    assert SCHEME.earned(t, assessments_passed=1) == Earnings(1500, 400, 1000, 2900)


def test_earnings_are_capped() -> None:
    capped = RewardScheme(per_session_cents=500, per_homework_cents=200, per_assessment_cents=1000, cap_cents=2000)
    t = tally(held=4, attended=3, assigned=2, done=2)
    assert capped.earned(t, 1) == Earnings(1500, 400, 1000, 2000)  # the parts stay as earned
    assert capped.earned(tally(held=1, attended=1), 0).earned_cents == 500  # below the cap: as earned
    assert RewardScheme(per_session_cents=500, cap_cents=0).earned(t, 0).earned_cents == 0


def test_an_assessment_passes_at_the_threshold_as_a_fraction_of_the_maximum() -> None:
    scheme = RewardScheme(assessment_threshold=0.6)
    assert scheme.passes(24, 40)  # exactly 0.6
    assert not scheme.passes(23.9, 40)
    assert RewardScheme(assessment_threshold=0.0).passes(0, 40)


@pytest.mark.parametrize("score, max_score, threshold", [(3.3, 10, 0.33), (5.6, 8, 0.7), (17.4, 30, 0.58)])
def test_a_score_exactly_at_the_threshold_passes_though_floating_point_falls_short(
        score: float, max_score: float, threshold: float) -> None:
    # 3.3 / 10 is 0.32999999999999996 in floating point: the rule compares the numbers as typed
    assert RewardScheme(assessment_threshold=threshold).passes(score, max_score)
    assert not RewardScheme(assessment_threshold=threshold).passes(score - 0.1, max_score)


@pytest.mark.parametrize("attended, counted, minimum", [(7, 10, 0.7), (1, 3, 0.3333), (2, 3, 0.6666)])
def test_an_attendance_rate_exactly_at_or_just_above_its_minimum_completes(
        attended: int, counted: int, minimum: float) -> None:
    assert CompletionRule(min_attendance_rate=minimum).is_met(tally(held=counted, attended=attended))
    assert not CompletionRule(min_attendance_rate=minimum).is_met(tally(held=counted, attended=attended - 1))


def test_a_homework_rate_exactly_at_its_minimum_completes() -> None:
    rule = CompletionRule(min_attendance_rate=0.0, min_homework_rate=0.75)
    assert rule.is_met(tally(held=4, attended=4, assigned=4, done=3))
    assert not rule.is_met(tally(held=4, attended=4, assigned=4, done=2))


def test_outstanding_is_earned_minus_paid_and_eligible_when_positive() -> None:
    assert Balance(2900, 1000).outstanding_cents == 1900 and Balance(2900, 1000).eligible
    assert not Balance(2900, 2900).eligible
    # Earnings can fall below what was paid (a backdated withdrawal, a correction).
    assert Balance(500, 1000).outstanding_cents == -500 and not Balance(500, 1000).eligible


def test_the_stored_shape_of_the_rule_and_the_scheme_is_unchanged() -> None:
    assert CompletionRule().as_dict() == {"min_attendance_rate": 0.5, "min_homework_rate": 0.0, "min_sessions_attended": 0}
    assert RewardScheme().as_dict() == {
        "per_session_cents": 0, "per_homework_cents": 0, "per_assessment_cents": 0,
        "assessment_threshold": 0.5, "cap_cents": None, "payout": "cash",
    }
