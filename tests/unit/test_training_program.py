"""TrainingProgram: templates, enrolment, withdrawal, payouts."""

from datetime import date, datetime, timedelta, timezone
from uuid import uuid4

import pytest

from domain.errors import (
    AlreadyEnrolledError, InvalidAmountError, InvalidDateError, InvalidRateError, InvalidRewardAmountError,
    InvalidSeriesLengthError, InvalidSessionCountError, NotEnrolledError, PayoutExceedsOutstandingError,
    SchoolMismatchError, UnknownPayoutMethodError, UnknownProgramKindError,
)
from domain.templates import KINDS, TEMPLATES
from domain.training_program import TrainingProgram


def program(kind="pact", **kw) -> TrainingProgram:
    return TrainingProgram.create(school="12AB", name="PACT najaar", kind=kind, starts_on=date(2026, 9, 1),
                                  completion=kw.get("completion"), rewards=kw.get("rewards"), actor="t")


def test_every_kind_of_api_md_has_a_template_with_a_documented_source():
    assert set(KINDS) == {"pact", "pittige_jaren", "real", "info_meetings", "custom"}
    assert TEMPLATES["pact"].completion.min_homework_rate == 0.75
    assert TEMPLATES["info_meetings"].completion.min_sessions_attended == 2
    assert TEMPLATES["real"].completion.min_attendance_rate == 0.75


def test_omitted_settings_come_from_the_kinds_template_and_given_ones_override():
    p = program("pittige_jaren", completion={"min_attendance_rate": 0.6}, rewards={"per_session_cents": 500})
    assert p.completion.min_attendance_rate == 0.6
    assert p.completion.min_sessions_attended == TEMPLATES["pittige_jaren"].completion.min_sessions_attended
    assert p.rewards.per_session_cents == 500 and p.rewards.cap_cents is None


@pytest.mark.parametrize("bad,refusal", [
    ({"completion": {"min_attendance_rate": 1.5}}, InvalidRateError),
    ({"completion": {"min_homework_rate": -0.1}}, InvalidRateError),
    ({"completion": {"min_sessions_attended": -1}}, InvalidSessionCountError),
    ({"rewards": {"per_session_cents": -1}}, InvalidRewardAmountError),
    ({"rewards": {"per_session_cents": 2**70}}, InvalidRewardAmountError),
    ({"rewards": {"cap_cents": 10**9 + 1}}, InvalidRewardAmountError),
    ({"completion": {"min_sessions_attended": 10**7}}, InvalidSessionCountError),
    ({"rewards": {"assessment_threshold": 2}}, InvalidRateError),
    ({"rewards": {"payout": "bitcoin"}}, UnknownPayoutMethodError),
])
def test_settings_out_of_range_are_refused(bad, refusal):
    with pytest.raises(refusal):
        program(**bad)


def test_unknown_kind_is_refused():
    with pytest.raises(UnknownProgramKindError):
        program("yoga")


def test_a_parent_cannot_be_enrolled_twice():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    with pytest.raises(AlreadyEnrolledError):
        p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 2), actor="t")


def test_enrolment_covers_from_enrolment_until_the_day_before_withdrawal():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 10), actor="t")
    p.withdraw(parent_id=parent, withdrawn_on=date(2026, 10, 1), reason="verhuisd", actor="t")
    assert not p.is_enrolled_on(parent, date(2026, 9, 9))
    assert p.is_enrolled_on(parent, date(2026, 9, 10))
    assert p.is_enrolled_on(parent, date(2026, 9, 30))
    assert not p.is_enrolled_on(parent, date(2026, 10, 1))


def test_withdrawal_needs_an_enrolment_and_a_date_not_before_it():
    p, parent = program(), uuid4()
    with pytest.raises(NotEnrolledError):
        p.withdraw(parent_id=parent, withdrawn_on=date(2026, 10, 1), reason="x", actor="t")
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 10), actor="t")
    with pytest.raises(InvalidDateError):
        p.withdraw(parent_id=parent, withdrawn_on=date(2026, 9, 9), reason="x", actor="t")


def test_a_withdrawn_parent_may_enrol_again_later():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    p.withdraw(parent_id=parent, withdrawn_on=date(2026, 9, 15), reason="ziek", actor="t")
    with pytest.raises(InvalidDateError):
        p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 10), actor="t")
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 10, 1), actor="t")
    assert p.is_enrolled_on(parent, date(2026, 9, 14))
    assert not p.is_enrolled_on(parent, date(2026, 9, 20))
    assert p.is_enrolled_on(parent, date(2026, 10, 5))


def test_ensure_enrolled_on_names_every_parent_not_enrolled():
    p, a, b = program(), uuid4(), uuid4()
    p.enroll(parent_id=a, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    with pytest.raises(NotEnrolledError) as err:
        p.ensure_enrolled_on(date(2026, 9, 7), [a, b])
    assert err.value.details["parent_ids"] == [str(b)]


def test_payout_never_exceeds_outstanding():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    p.record_payout(parent_id=parent, amount_cents=600, method="cash", earned_cents=1000, actor="t")
    with pytest.raises(PayoutExceedsOutstandingError):
        p.record_payout(parent_id=parent, amount_cents=401, method="cash", earned_cents=1000, actor="t")
    p.record_payout(parent_id=parent, amount_cents=400, method="education_fund", earned_cents=1000, actor="t")
    assert p.paid_cents(parent) == 1000


@pytest.mark.parametrize("amount,method,refusal", [
    (0, "cash", InvalidAmountError),
    (-5, "cash", InvalidAmountError),
    (100, "giro", UnknownPayoutMethodError),
    (10**9 + 1, "cash", InvalidAmountError),
])
def test_payout_amount_and_method_are_checked(amount, method, refusal):
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    with pytest.raises(refusal):
        p.record_payout(parent_id=parent, amount_cents=amount, method=method, earned_cents=10_000, actor="t")


def test_replay_rebuilds_enrolments_and_payouts():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    p.record_payout(parent_id=parent, amount_cents=100, method="cash", earned_cents=500, actor="t")
    p.withdraw(parent_id=parent, withdrawn_on=date(2026, 9, 20), reason="x", actor="t")
    copy = None
    for e in p.collect_events():
        copy = e.mutate(copy)
    assert copy.enrolments == p.enrolments and copy.payouts == p.payouts
    assert copy.completion == p.completion and copy.rewards == p.rewards


def test_only_a_parent_of_the_programmes_school_is_enrolled():
    p, parent = program(), uuid4()
    with pytest.raises(SchoolMismatchError):
        p.enroll(parent_id=parent, parent_school="34CD", child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    assert not p.was_enrolled(parent)


def test_a_parent_never_enrolled_is_refused_and_a_withdrawn_one_was_enrolled():
    p, parent = program(), uuid4()
    with pytest.raises(NotEnrolledError):
        p.ensure_was_enrolled(parent)
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    p.withdraw(parent_id=parent, withdrawn_on=date(2026, 9, 20), reason="x", actor="t")
    p.ensure_was_enrolled(parent)


FIRST = datetime(2026, 10, 5, 19, tzinfo=timezone(timedelta(hours=2)))


def series(p, **kw):
    args = dict(title="Bijeenkomst", first_starts_at=FIRST, weeks=3, location=None, homework=None,
                participants=None, actor="t")
    return p.schedule_series(**{**args, **kw})


def test_a_series_is_weekly_with_numbered_titles_in_the_programme():
    p = program()
    sessions = series(p)
    assert [s.title for s in sessions] == ["Bijeenkomst 1", "Bijeenkomst 2", "Bijeenkomst 3"]
    assert [s.starts_at - FIRST for s in sessions] == [timedelta(weeks=i) for i in range(3)]
    assert {s.program_id for s in sessions} == {p.id}
    assert [s.title for s in series(p, weeks=1)] == ["Bijeenkomst"]


@pytest.mark.parametrize("weeks", [0, -1, 61])
def test_a_series_runs_one_to_sixty_weeks(weeks):
    with pytest.raises(InvalidSeriesLengthError):
        series(program(), weeks=weeks)


def test_a_home_visit_is_only_for_enrolled_parents():
    p, parent, stranger = program(), uuid4(), uuid4()
    p.enroll(parent_id=parent, parent_school=p.school, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    with pytest.raises(NotEnrolledError) as refused:
        series(p, weeks=1, participants=[parent, stranger])
    assert refused.value.details["parent_ids"] == [str(stranger)]
    (visit,) = series(p, weeks=1, participants=[parent])
    assert visit.participants == [parent]
