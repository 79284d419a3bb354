"""TrainingProgram: templates, enrolment, withdrawal, payouts."""

from datetime import date
from uuid import uuid4

import pytest

from domain.errors import (
    AlreadyEnrolledError, DomainError, InvalidAmountError, InvalidDateError, NotEnrolledError,
    PayoutExceedsOutstandingError,
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


@pytest.mark.parametrize("bad", [
    {"completion": {"min_attendance_rate": 1.5}},
    {"completion": {"min_homework_rate": -0.1}},
    {"completion": {"min_sessions_attended": -1}},
    {"rewards": {"per_session_cents": -1}},
    {"rewards": {"per_session_cents": 2**70}},
    {"rewards": {"cap_cents": 10**9 + 1}},
    {"completion": {"min_sessions_attended": 10**7}},
    {"rewards": {"assessment_threshold": 2}},
    {"rewards": {"payout": "bitcoin"}},
])
def test_settings_out_of_range_are_refused(bad):
    with pytest.raises(DomainError):
        program(**bad)


def test_unknown_kind_is_refused():
    with pytest.raises(DomainError):
        program("yoga")


def test_a_parent_cannot_be_enrolled_twice():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    with pytest.raises(AlreadyEnrolledError):
        p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 2), actor="t")


def test_enrolment_covers_from_enrolment_until_the_day_before_withdrawal():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 10), actor="t")
    p.withdraw(parent_id=parent, withdrawn_on=date(2026, 10, 1), reason="verhuisd", actor="t")
    assert not p.is_enrolled_on(parent, date(2026, 9, 9))
    assert p.is_enrolled_on(parent, date(2026, 9, 10))
    assert p.is_enrolled_on(parent, date(2026, 9, 30))
    assert not p.is_enrolled_on(parent, date(2026, 10, 1))


def test_withdrawal_needs_an_enrolment_and_a_date_not_before_it():
    p, parent = program(), uuid4()
    with pytest.raises(NotEnrolledError):
        p.withdraw(parent_id=parent, withdrawn_on=date(2026, 10, 1), reason="x", actor="t")
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 10), actor="t")
    with pytest.raises(InvalidDateError):
        p.withdraw(parent_id=parent, withdrawn_on=date(2026, 9, 9), reason="x", actor="t")


def test_a_withdrawn_parent_may_enrol_again_later():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    p.withdraw(parent_id=parent, withdrawn_on=date(2026, 9, 15), reason="ziek", actor="t")
    with pytest.raises(InvalidDateError):
        p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 10), actor="t")
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 10, 1), actor="t")
    assert p.is_enrolled_on(parent, date(2026, 9, 14))
    assert not p.is_enrolled_on(parent, date(2026, 9, 20))
    assert p.is_enrolled_on(parent, date(2026, 10, 5))


def test_ensure_enrolled_on_names_every_parent_not_enrolled():
    p, a, b = program(), uuid4(), uuid4()
    p.enroll(parent_id=a, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    with pytest.raises(NotEnrolledError) as err:
        p.ensure_enrolled_on(date(2026, 9, 7), [a, b])
    assert err.value.details["parent_ids"] == [str(b)]


def test_payout_never_exceeds_outstanding():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    p.record_payout(parent_id=parent, amount_cents=600, method="cash", earned_cents=1000, actor="t")
    with pytest.raises(PayoutExceedsOutstandingError):
        p.record_payout(parent_id=parent, amount_cents=401, method="cash", earned_cents=1000, actor="t")
    p.record_payout(parent_id=parent, amount_cents=400, method="education_fund", earned_cents=1000, actor="t")
    assert p.paid_cents(parent) == 1000


@pytest.mark.parametrize("amount,method", [(0, "cash"), (-5, "cash"), (100, "giro"), (10**9 + 1, "cash")])
def test_payout_amount_and_method_are_checked(amount, method):
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    with pytest.raises(InvalidAmountError):
        p.record_payout(parent_id=parent, amount_cents=amount, method=method, earned_cents=10_000, actor="t")


def test_replay_rebuilds_enrolments_and_payouts():
    p, parent = program(), uuid4()
    p.enroll(parent_id=parent, child_id=None, enrolled_on=date(2026, 9, 1), actor="t")
    p.record_payout(parent_id=parent, amount_cents=100, method="cash", earned_cents=500, actor="t")
    p.withdraw(parent_id=parent, withdrawn_on=date(2026, 9, 20), reason="x", actor="t")
    copy = None
    for e in p.collect_events():
        copy = e.mutate(copy)
    assert copy.enrolments == p.enrolments and copy.payouts == p.payouts
    assert copy.completion == p.completion and copy.rewards == p.rewards
