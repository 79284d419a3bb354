"""Corrections on the aggregates alone: the rule first, then the fact; replay rebuilds the state."""

from datetime import date
from uuid import uuid4

import pytest

from domain import errors
from domain.retention import Involvement, hold_until, kept_until
from domain.training_program import TrainingProgram
from tests.unit.test_parent import register, replay


def program() -> TrainingProgram:
    p = TrainingProgram.create(school="12AB", name="PACT", kind="pact", starts_on=date(2025, 9, 1),
                               completion=None, rewards={"per_session_cents": 500}, actor="trainer")
    return p


def test_a_parent_s_details_are_corrected_only_where_they_differ_and_replay_agrees():
    p = register()
    assert p.correct_details(name="Fatima El Amrani", actor="trainer") is False  # nothing differs
    assert p.correct_details(name="Fatima El-Amrani", phone="0612345678", actor="trainer") is True
    assert (p.name, p.phone, p.language) == ("Fatima El-Amrani", "0612345678", "nl")
    assert p.correct_details(language=None, actor="trainer") is True and p.language is None
    copy = replay(p)
    assert (copy.name, copy.phone, copy.language) == (p.name, p.phone, p.language)


def test_an_erased_parent_is_not_corrected():
    p = register()
    p.erase(reason="verzoek", actor="admin")
    with pytest.raises(errors.ParentErasedError):
        p.correct_details(name="X", actor="trainer")
    with pytest.raises(errors.ParentErasedError):
        p.correct_child(next(iter(p.children)), name="Y", group=None, actor="trainer")


def test_the_school_year_moves_children_up_once_per_date_and_groep_8_leaves():
    p = register(children=[("Sara", 3), ("Adam", 8)])
    assert p.start_school_year(on=date(2026, 8, 31), actor="trainer") == (1, 1)
    assert p.start_school_year(on=date(2026, 8, 31), actor="trainer") == (0, 0)
    sara, adam = p.children.values()
    assert (sara.group, sara.left_on, adam.group, adam.left_on) == (4, None, 8, date(2026, 8, 31))
    assert p.start_school_year(on=date(2027, 8, 30), actor="trainer") == (1, 0)  # Adam left: not moved again
    copy = replay(p)
    assert list(copy.children.values()) == list(p.children.values())


def test_an_assessment_is_corrected_then_withdrawn_and_then_no_longer_corrected():
    p = register()
    child = next(iter(p.children))
    a = p.record_assessment(program_id=uuid4(), child_id=child, name="Cito", score=8, max_score=10,
                            taken_on=date(2025, 10, 1), actor="trainer")
    assert p.correct_assessment(a.id, score=6, max_score=None, withdrawn=False, reason="x", actor="t").score == 6
    with pytest.raises(errors.InvalidScoreError):
        p.correct_assessment(a.id, score=11, max_score=None, withdrawn=False, reason="x", actor="t")
    with pytest.raises(errors.NothingToCorrectError):
        p.correct_assessment(a.id, score=None, max_score=None, withdrawn=False, reason="x", actor="t")
    assert p.correct_assessment(a.id, score=None, max_score=None, withdrawn=True, reason="x", actor="t").withdrawn
    with pytest.raises(errors.AssessmentWithdrawnError):
        p.correct_assessment(a.id, score=5, max_score=None, withdrawn=False, reason="x", actor="t")
    with pytest.raises(errors.NotFoundError):
        p.assessment(uuid4())
    assert replay(p).assessments == p.assessments


def test_a_payout_is_reversed_once_and_stops_counting_as_paid():
    prog = program()
    parent = uuid4()
    prog.enroll(parent_id=parent, parent_school="12AB", child_id=None, enrolled_on=date(2025, 9, 1), actor="t")
    pay = prog.record_payout(parent_id=parent, amount_cents=500, method="cash", earned_cents=1000, actor="t")
    assert prog.paid_cents(parent) == 500
    assert prog.reverse_payout(pay.id, reason="dubbel", actor="t").reversed
    assert prog.paid_cents(parent) == 0
    with pytest.raises(errors.PayoutAlreadyReversedError):
        prog.reverse_payout(pay.id, reason="nog eens", actor="t")
    assert replay(prog).payouts == prog.payouts


def test_a_closed_programme_refuses_commands_until_reopened():
    prog = program()
    prog.close(on=date(2026, 1, 31), reason="klaar", actor="t")
    with pytest.raises(errors.ProgramClosedError):
        prog.enroll(parent_id=uuid4(), parent_school="12AB", child_id=None, enrolled_on=date(2026, 2, 1), actor="t")
    with pytest.raises(errors.ProgramClosedError):
        prog.close(on=date(2026, 2, 1), reason="nog eens", actor="t")
    prog.reopen(reason="te vroeg", actor="admin")
    with pytest.raises(errors.ProgramOpenError):
        prog.reopen(reason="nog eens", actor="admin")
    assert replay(prog).closed_on is None and prog.closed is False


def test_retention_and_holds_are_dated():
    assert hold_until(date(2026, 1, 1)) == date(2026, 2, 12)
    assert kept_until([Involvement("info_meetings", date(2025, 1, 31))], date(2024, 1, 1), {"info_meetings": 12}) == date(2026, 1, 31)
