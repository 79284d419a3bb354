"""The programme service on a real store: commands, replay after restart, scoping, history."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from application.actor import Actor
from betrokken.system import open_service
from domain.errors import (
    AlreadyEnrolledError, NotEnrolledError, NotFoundError, PayoutExceedsOutstandingError,
    SchoolMismatchError, UnknownChildError,
)

CEST = timezone(timedelta(hours=2))


def test_restarting_on_the_same_store_finds_everything(store, pact):
    svc = pact.service
    svc.take_roll_call(pact.session_id, [(pact.parents[0], "present"), (pact.parents[1], "excused")])
    svc.record_homework(pact.session_id, [(pact.parents[0], True)])
    svc.close()
    again = open_service(store)
    try:
        session = again.session(pact.session_id)
        assert session.attendance == {pact.parents[0]: "present", pact.parents[1]: "excused"}
        assert session.homework_done == {pact.parents[0]: True}
        assert [p.id for p in again.programs()] == [pact.program_id]
        assert [s.id for s in again.sessions(pact.program_id)] == [pact.session_id]
        assert {p.id for p in again.parents()} == set(pact.parents)
    finally:
        again.close()


def test_a_correction_keeps_the_earlier_status_in_the_history(pact):
    svc = pact.service
    svc.take_roll_call(pact.session_id, [(pact.parents[0], "absent")])
    svc.take_roll_call(pact.session_id, [(pact.parents[0], "present")])
    first = svc.repository.get(pact.session_id, version=2)
    assert first.attendance == {pact.parents[0]: "absent"}
    assert svc.session(pact.session_id).attendance == {pact.parents[0]: "present"}


def test_a_roll_call_for_a_parent_not_enrolled_on_the_date_records_nothing(pact):
    svc = pact.service
    late = svc.register_parent(school="12AB", name="Laat", children=[("K", 4)])
    svc.enroll(pact.program_id, parent_id=late.id, enrolled_on=date(2026, 9, 8))
    head = svc.recorder.max_notification_id()
    with pytest.raises(NotEnrolledError):
        svc.take_roll_call(pact.session_id, [(pact.parents[0], "present"), (late.id, "present")])
    assert svc.recorder.max_notification_id() == head
    assert svc.session(pact.session_id).attendance == {}


def test_a_withdrawn_parent_is_refused_from_the_withdrawal_date_on(pact):
    svc = pact.service
    svc.withdraw(pact.program_id, parent_id=pact.parents[0], withdrawn_on=date(2026, 9, 7), reason="verhuisd")
    with pytest.raises(NotEnrolledError):
        svc.take_roll_call(pact.session_id, [(pact.parents[0], "present")])
    svc.withdraw(pact.program_id, parent_id=pact.parents[1], withdrawn_on=date(2026, 9, 8), reason="werk")
    svc.take_roll_call(pact.session_id, [(pact.parents[1], "present")])


def test_enrolment_rules(pact, service):
    with pytest.raises(AlreadyEnrolledError):
        service.enroll(pact.program_id, parent_id=pact.parents[0])
    elsewhere = service.register_parent(school="34CD", name="Ander", children=[("K", 2)])
    with pytest.raises(SchoolMismatchError):
        service.enroll(pact.program_id, parent_id=elsewhere.id)
    from uuid import uuid4
    with pytest.raises(NotFoundError):
        service.enroll(pact.program_id, parent_id=uuid4())
    fresh = service.register_parent(school="12AB", name="Nieuw", children=[("K", 2)])
    with pytest.raises(UnknownChildError):
        service.enroll(pact.program_id, parent_id=fresh.id, child_id=uuid4())


def test_a_user_sees_only_their_own_schools(pact, service):
    other = Actor(name="juf", role="staff", schools=frozenset({"34CD"}))
    own = Actor(name="meester", role="staff", schools=frozenset({"12AB"}))
    for read in (lambda a: service.program(pact.program_id, a), lambda a: service.session(pact.session_id, a),
                 lambda a: service.parent(pact.parents[0], a)):
        with pytest.raises(NotFoundError):
            read(other)
        read(own)
    assert service.programs(other) == [] and len(service.programs(own)) == 1
    with pytest.raises(NotFoundError):
        service.take_roll_call(pact.session_id, [(pact.parents[0], "present")], actor=other)
    with pytest.raises(NotFoundError):
        service.register_parent(school="12AB", name="x", actor=other)
    assert service.session(pact.session_id).attendance == {}


def test_every_event_names_the_actor_that_caused_it(pact, service):
    trainer = Actor(name="trainer-anne", role="staff", schools=frozenset({"12AB"}))
    service.take_roll_call(pact.session_id, [(pact.parents[0], "present")], actor=trainer)
    events = list(service.events.get(pact.session_id))
    assert events[-1].actor == "trainer-anne"


def test_payouts_are_checked_against_what_was_earned(pact, service):
    service.take_roll_call(pact.session_id, [(pact.parents[0], "present")])
    with pytest.raises(PayoutExceedsOutstandingError):
        service.record_payout(pact.program_id, parent_id=pact.parents[0], amount_cents=501, method="cash")
    service.record_payout(pact.program_id, parent_id=pact.parents[0], amount_cents=500, method="cash")
    with pytest.raises(PayoutExceedsOutstandingError):
        service.record_payout(pact.program_id, parent_id=pact.parents[0], amount_cents=1, method="cash")


def test_a_weekly_series_is_scheduled_in_one_go(pact, service):
    sessions = service.schedule_series(pact.program_id, title="Pittige week", first_starts_at=datetime(2026, 10, 5, 19, tzinfo=CEST), weeks=3)
    assert [s.starts_at.date().isoformat() for s in sessions] == ["2026-10-05", "2026-10-12", "2026-10-19"]
    assert [s.title for s in sessions] == ["Pittige week 1", "Pittige week 2", "Pittige week 3"]
    assert len(service.sessions(pact.program_id)) == 4


def test_assessments_need_an_enrolment_in_the_programme(pact, service):
    parent = service.parent(pact.parents[0])
    child = next(iter(parent.children))
    service.record_assessment(pact.parents[0], program_id=pact.program_id, child_id=child, name="Tussentoets",
                              score=7, max_score=10, taken_on=date(2026, 10, 1))
    stranger = service.register_parent(school="12AB", name="Niet ingeschreven", children=[("K", 3)])
    with pytest.raises(NotEnrolledError):
        service.record_assessment(stranger.id, program_id=pact.program_id, child_id=next(iter(stranger.children)),
                                  name="Tussentoets", score=7, max_score=10, taken_on=date(2026, 10, 1))
    assert len(service.parent(pact.parents[0]).assessments) == 1
