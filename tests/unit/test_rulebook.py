"""The rulebook over time (domain/rules.py, `Rulebook`): which rules are in force on a day, what
each sitting and result earns, and the closing day that settles the cap and completion."""

from __future__ import annotations

from datetime import date

from hypothesis import given, strategies as st

from domain.rules import (
    CompletionRule, DatedResult, DatedSitting, Earnings, RewardScheme, RuleChange, Rulebook, Sitting, Tally,
)

JAN, FEB, MAR = date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)
OLD = RewardScheme(per_session_cents=500, per_homework_cents=100, per_assessment_cents=1000, cap_cents=1200)
NEW = RewardScheme(per_session_cents=800, per_homework_cents=0, per_assessment_cents=200,
                   assessment_threshold=0.9, cap_cents=None)
PRESENT = Sitting("present", True, True)


def test_the_rules_in_force_change_on_the_effective_date_and_the_latest_recorded_wins_a_tie() -> None:
    book = Rulebook(CompletionRule(), OLD, (
        RuleChange(FEB, rewards=NEW), RuleChange(FEB, completion=CompletionRule(0.9)),
        RuleChange(FEB, rewards=OLD),
    ))
    assert book.in_force(JAN) == (CompletionRule(), OLD)
    assert book.in_force(FEB) == (CompletionRule(0.9), OLD)
    assert book.in_force(None) == (CompletionRule(), OLD)


def test_each_sitting_and_result_earns_by_the_scheme_of_its_day_and_the_closing_day_caps() -> None:
    book = Rulebook(CompletionRule(), OLD, (RuleChange(FEB, rewards=NEW),))
    sittings = [DatedSitting(JAN, PRESENT), DatedSitting(MAR, PRESENT)]
    results = [DatedResult(JAN, 6, 10), DatedResult(MAR, 8, 10)]  # 1000 (old); fails 0.9 (new)
    assert book.earned(sittings, results) == Earnings(1300, 100, 1000, 2400)  # new scheme: no cap
    assert book.earned(sittings[:1], results[:1]) == Earnings(500, 100, 1000, 1200)  # closing in January: capped


def test_completion_is_judged_by_the_rule_in_force_on_the_closing_day() -> None:
    book = Rulebook(CompletionRule(min_sessions_attended=2), OLD, (RuleChange(FEB, CompletionRule(min_sessions_attended=1)),))
    one = [DatedSitting(JAN, PRESENT)]
    tally = Tally.count(s.sitting for s in one)
    assert not book.is_met(tally, one, [])
    assert book.is_met(tally, one, [DatedResult(MAR, 1, 10)])  # an assessment in March closes later


statuses = st.sampled_from(["present", "absent", "excused", None])
sittings_st = st.lists(st.builds(
    DatedSitting, st.dates(JAN, MAR), st.builds(Sitting, statuses, st.booleans(), st.booleans())), max_size=12)
results_st = st.lists(st.builds(DatedResult, st.dates(JAN, MAR), st.integers(0, 10), st.just(10)), max_size=4)


@given(sittings_st, results_st)
def test_without_changes_the_rulebook_earns_what_the_one_scheme_earns(sittings, results) -> None:
    tally = Tally.count(s.sitting for s in sittings)
    passed = sum(1 for r in results if OLD.passes(r.score, r.max_score))
    assert Rulebook(CompletionRule(), OLD).earned(sittings, results) == OLD.earned(tally, passed)


@given(sittings_st, results_st)
def test_a_change_from_before_every_day_earns_what_the_new_scheme_earns(sittings, results) -> None:
    tally = Tally.count(s.sitting for s in sittings)
    passed = sum(1 for r in results if NEW.passes(r.score, r.max_score))
    book = Rulebook(CompletionRule(), OLD, (RuleChange(date(2025, 12, 1), rewards=NEW),))
    assert book.earned(sittings, results) == NEW.earned(tally, passed)
