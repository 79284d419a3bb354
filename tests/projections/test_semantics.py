"""The rules of docs/rules.md, rule by rule, on SQLite and PostgreSQL; each test
also holds every row to the oracle (tests/oracle.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from domain.errors import NotEnrolledError, PayoutExceedsOutstandingError
from tests.helpers.projection_world import World, assert_matches_oracle

D = date(2025, 2, 3)  # a Monday; sessions weekly from here
WEEK = timedelta(weeks=1)


def test_excused_absence_does_not_lower_the_attendance_rate(world: World) -> None:
    prog = world.program()
    a = world.parent(prog)
    s1, s2, s3 = (world.session(prog, D + i * WEEK) for i in range(3))
    world.service.take_roll_call(s1, [(a, "present")])
    world.service.take_roll_call(s2, [(a, "excused")])
    world.service.take_roll_call(s3, [(a, "absent")])
    assert world.row("attendance", prog, a) == {
        "parent_id": str(a), "sessions_held": 3, "attended": 1, "excused": 1, "absent": 1, "attendance_rate": 0.5}
    assert_matches_oracle(world)


def test_no_record_counts_as_absent_and_unheld_sessions_are_listed_with_zeros(world: World) -> None:
    prog = world.program()
    a, b = world.parent(prog), world.parent(prog)
    s1, s2 = world.session(prog, D), world.session(prog, D + WEEK)
    world.service.take_roll_call(s1, [(a, "present")])
    assert world.row("attendance", prog, b) == {
        "parent_id": str(b), "sessions_held": 1, "attended": 0, "excused": 0, "absent": 1, "attendance_rate": 0.0}
    sessions = world.projections.attendance(prog)["sessions"]
    assert [(s["session_id"], s["present"], s["absent"], s["excused"]) for s in sessions] == [
        (str(s1), 1, 1, 0), (str(s2), 0, 0, 0)]
    assert_matches_oracle(world)


def test_sessions_are_listed_by_start_and_parents_by_enrolment(world: World) -> None:
    prog = world.program()
    a, b, c = world.parent(prog), world.parent(prog), world.parent(prog)
    late = world.session(prog, D + 2 * WEEK)
    early = world.session(prog, D)
    # Earlier instant although a later wall-clock hour: 20:00 at +05:00 is 15:00 UTC.
    same_day_earlier = world.session(prog, D + WEEK, hour=20, tz=timezone(timedelta(hours=5)))
    same_day_later = world.session(prog, D + WEEK, hour=17)
    ids = [s["session_id"] for s in world.projections.attendance(prog)["sessions"]]
    assert ids == [str(early), str(same_day_earlier), str(same_day_later), str(late)]
    assert [r["parent_id"] for r in world.projections.rewards(prog)] == [str(a), str(b), str(c)]
    assert_matches_oracle(world)


def test_a_session_counts_only_from_the_enrolment_date_on(world: World) -> None:
    prog = world.program()
    a = world.parent(prog)
    s1, s2 = world.session(prog, D), world.session(prog, D + WEEK)
    world.service.take_roll_call(s1, [(a, "present")])
    late = world.parent(prog, enrolled_on=D + WEEK)  # enrolled on the second session's date: it counts
    world.service.take_roll_call(s2, [(a, "present"), (late, "present")])
    assert world.row("attendance", prog, late)["sessions_held"] == 1
    with pytest.raises(NotEnrolledError):
        world.service.take_roll_call(s1, [(late, "present")])
    assert_matches_oracle(world)


def test_session_date_is_taken_in_its_own_offset(world: World) -> None:
    prog = world.program()
    # 00:30 at +02:00 is still the previous day in UTC; the parent enrolled on the local date.
    a = world.parent(prog, enrolled_on=D)
    s = world.session(prog, D, hour=0, tz=timezone(timedelta(hours=2)))
    world.service.take_roll_call(s, [(a, "present")])
    assert world.row("attendance", prog, a)["attended"] == 1
    assert_matches_oracle(world)


def test_withdrawal_stops_counting_and_keeps_what_was_earned(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 500})
    a, b = world.parent(prog), world.parent(prog)
    s1, s2 = world.session(prog, D), world.session(prog, D + WEEK)
    world.service.take_roll_call(s1, [(a, "present"), (b, "present")])
    world.service.withdraw(prog, parent_id=a, reason="verhuisd", withdrawn_on=D + WEEK)
    world.service.take_roll_call(s2, [(b, "present")])
    assert world.row("attendance", prog, a)["sessions_held"] == 1
    assert world.row("rewards", prog, a)["earned_cents"] == 500
    assert world.projections.attendance(prog)["sessions"][1]["absent"] == 0  # a no longer counts there
    assert_matches_oracle(world)


def test_backdated_withdrawal_after_the_roll_call_removes_the_session(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 500})
    a, b = world.parent(prog), world.parent(prog)
    s1, s2 = world.session(prog, D), world.session(prog, D + WEEK)
    world.service.take_roll_call(s1, [(a, "present"), (b, "present")])
    world.service.take_roll_call(s2, [(a, "present"), (b, "absent")])
    assert world.row("rewards", prog, a)["earned_cents"] == 1000
    world.service.withdraw(prog, parent_id=a, reason="te laat doorgegeven", withdrawn_on=D + WEEK)
    assert world.row("attendance", prog, a) == {
        "parent_id": str(a), "sessions_held": 1, "attended": 1, "excused": 0, "absent": 0, "attendance_rate": 1.0}
    assert world.row("rewards", prog, a)["earned_cents"] == 500
    assert world.projections.attendance(prog)["sessions"][1] == {
        "session_id": str(s2), "starts_at": world.service.session(s2).starts_at.isoformat(),
        "present": 0, "absent": 1, "excused": 0}
    assert_matches_oracle(world)


def test_re_enrolment_opens_a_second_period(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 100})
    a, b = world.parent(prog), world.parent(prog)
    s = [world.session(prog, D + i * WEEK) for i in range(4)]
    world.service.take_roll_call(s[0], [(a, "present"), (b, "present")])
    world.service.withdraw(prog, parent_id=a, reason="ziek", withdrawn_on=D + WEEK)
    world.service.take_roll_call(s[1], [(b, "present")])  # held, but a was out that week
    world.service.enroll(prog, parent_id=a, enrolled_on=D + 2 * WEEK)
    for sid in s[2:]:
        world.service.take_roll_call(sid, [(a, "present"), (b, "absent")])
    row = world.row("attendance", prog, a)
    assert (row["sessions_held"], row["attended"]) == (3, 3)
    assert world.row("rewards", prog, a)["earned_cents"] == 300
    assert [r["parent_id"] for r in world.projections.completion(prog)] == [str(a), str(b)]
    assert_matches_oracle(world)


def test_a_correction_replaces_the_status(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 250})
    a = world.parent(prog)
    s = world.session(prog, D)
    world.service.take_roll_call(s, [(a, "absent")])
    world.service.take_roll_call(s, [(a, "present")])
    world.service.take_roll_call(s, [(a, "present")])  # a repeat changes nothing
    assert world.row("attendance", prog, a)["attended"] == 1
    assert world.row("rewards", prog, a)["sessions_cents"] == 250
    world.service.take_roll_call(s, [(a, "excused")])
    assert world.row("attendance", prog, a) == {
        "parent_id": str(a), "sessions_held": 1, "attended": 0, "excused": 1, "absent": 0, "attendance_rate": None}
    assert_matches_oracle(world)


def test_cancelled_sessions_are_not_listed_and_count_for_nobody(world: World) -> None:
    prog = world.program()
    a = world.parent(prog)
    s1, s2 = world.session(prog, D), world.session(prog, D + WEEK)
    world.service.cancel_session(s2, reason="studiedag")
    world.service.take_roll_call(s1, [(a, "present")])
    assert [s["session_id"] for s in world.projections.attendance(prog)["sessions"]] == [str(s1)]
    assert world.row("attendance", prog, a)["sessions_held"] == 1
    assert_matches_oracle(world)


def test_homework_counts_only_on_sessions_that_carry_it(world: World) -> None:
    prog = world.program(rewards={"per_homework_cents": 50}, completion={"min_homework_rate": 0.5})
    a = world.parent(prog)
    s1 = world.session(prog, D, homework="Voorlezen")
    s2 = world.session(prog, D + WEEK)
    s3 = world.session(prog, D + 2 * WEEK, homework="Prentenboek")
    s4 = world.session(prog, D + 3 * WEEK, homework="Not held yet")
    for s in (s1, s2, s3):
        world.service.take_roll_call(s, [(a, "present")])
    world.service.record_homework(s1, [(a, True)])
    world.service.record_homework(s3, [(a, False)])
    world.service.record_homework(s4, [(a, True)])  # recorded, but the session is not held
    row = world.row("completion", prog, a)
    assert (row["homework_assigned"], row["homework_completed"], row["homework_rate"]) == (2, 1, 0.5)
    assert row["completed"] is True
    assert world.row("rewards", prog, a)["homework_cents"] == 50
    assert_matches_oracle(world)


def test_home_visits_count_only_for_their_participants(world: World) -> None:
    prog = world.program(kind="real")
    a, b = world.parent(prog), world.parent(prog)
    visit = world.session(prog, D, participants=[a])
    world.service.take_roll_call(visit, [(a, "present")])
    assert world.row("attendance", prog, a)["sessions_held"] == 1
    assert world.row("attendance", prog, b)["sessions_held"] == 0
    assert world.projections.attendance(prog)["sessions"][0]["absent"] == 0
    assert_matches_oracle(world)


def test_null_rates(world: World) -> None:
    prog = world.program(completion={"min_attendance_rate": 0.5})
    zero = world.program(completion={"min_attendance_rate": 0.0})
    a, b = world.parent(prog), world.parent(zero)
    for p, parent in ((prog, a), (zero, b)):
        s = world.session(p, D)
        world.service.take_roll_call(s, [(parent, "excused")])
    # held - excused == 0: null rate; it fails a minimum above 0 and passes a minimum of 0.
    row_a, row_b = world.row("completion", prog, a), world.row("completion", zero, b)
    assert row_a["attendance_rate"] is None and row_a["completed"] is False
    assert row_b["attendance_rate"] is None and row_b["completed"] is True
    assert row_a["homework_rate"] is None  # none assigned: passes any homework minimum
    assert_matches_oracle(world)


def test_nobody_completes_without_enough_sessions_attended(world: World) -> None:
    prog = world.program(completion={"min_attendance_rate": 0.0, "min_sessions_attended": 2})
    a = world.parent(prog)
    s1, s2 = world.session(prog, D), world.session(prog, D + WEEK)
    world.service.take_roll_call(s1, [(a, "present")])
    assert world.row("completion", prog, a)["completed"] is False
    world.service.take_roll_call(s2, [(a, "present")])
    assert world.row("completion", prog, a)["completed"] is True
    assert_matches_oracle(world)


def test_assessment_exactly_at_the_threshold_earns(world: World) -> None:
    prog = world.program(rewards={"per_assessment_cents": 1000, "assessment_threshold": 0.6})
    parent = world.service.register_parent(school="12AB", name="Ouder", children=[("Kind", 4)])
    world.service.enroll(prog, parent_id=parent.id, enrolled_on=D)
    child = next(iter(parent.children))
    for score in (6, 5.9, 10, 3):  # 6/10 == 0.6 passes, 5.9/10 does not
        world.service.record_assessment(parent.id, program_id=prog, child_id=child, name="Cito",
                                        score=score, max_score=10, taken_on=D)
    other = world.program(rewards={"per_assessment_cents": 1000})
    world.service.enroll(other, parent_id=parent.id, enrolled_on=D)
    world.service.record_assessment(parent.id, program_id=other, child_id=child, name="Cito",
                                    score=10, max_score=10, taken_on=D)
    assert world.row("rewards", prog, parent.id)["assessment_cents"] == 2000
    assert world.row("rewards", other, parent.id)["assessment_cents"] == 1000
    assert_matches_oracle(world)


def test_cap_limits_what_is_earned(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 400, "per_homework_cents": 300, "cap_cents": 1000})
    a = world.parent(prog)
    for i in range(2):
        s = world.session(prog, D + i * WEEK, homework="Lezen")
        world.service.take_roll_call(s, [(a, "present")])
        world.service.record_homework(s, [(a, True)])
    row = world.row("rewards", prog, a)
    assert (row["sessions_cents"], row["homework_cents"], row["earned_cents"]) == (800, 600, 1000)
    assert_matches_oracle(world)


def test_payouts_lower_what_is_outstanding_and_never_exceed_it(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 500})
    a = world.parent(prog)
    s = world.session(prog, D)
    world.service.take_roll_call(s, [(a, "present")])
    world.service.record_payout(prog, parent_id=a, amount_cents=300, method="cash")
    row = world.row("rewards", prog, a)
    assert (row["paid_cents"], row["outstanding_cents"], row["eligible"]) == (300, 200, True)
    with pytest.raises(PayoutExceedsOutstandingError):
        world.service.record_payout(prog, parent_id=a, amount_cents=201, method="cash")
    world.service.record_payout(prog, parent_id=a, amount_cents=200, method="education_fund")
    row = world.row("rewards", prog, a)
    assert (row["paid_cents"], row["outstanding_cents"], row["eligible"]) == (500, 0, False)
    assert_matches_oracle(world)


def test_read_your_writes_without_waiting(world: World) -> None:
    prog = world.program(rewards={"per_session_cents": 100})
    a = world.parent(prog)
    for i in range(5):
        s = world.session(prog, D + i * WEEK)
        world.service.take_roll_call(s, [(a, "present")])
        assert world.row("rewards", prog, a)["earned_cents"] == 100 * (i + 1)
    position = world.service.recorder.max_notification_id()
    world.projections.wait_for(position)
    assert all(v["lag"] == 0 for v in world.projections.status())


def test_another_process_writes_are_read_too(world: World) -> None:
    """A second service on the same store (another worker process) writes; our reads include it."""
    from betrokken.system import open_service

    prog = world.program(rewards={"per_session_cents": 100})
    a = world.parent(prog)
    s = world.session(prog, D)
    other = open_service(world.config)
    try:
        other.take_roll_call(s, [(a, "present")])
    finally:
        other.close()
    assert world.row("rewards", prog, a)["earned_cents"] == 100


def test_no_personal_data_in_projection_tables(world: World) -> None:
    prog = world.program()
    parent = world.service.register_parent(school="12AB", name="Fatima El Amrani", children=[("Yusuf", 3)],
                                           phone="0612345678", email="fatima@example.nl")
    world.service.enroll(prog, parent_id=parent.id, enrolled_on=D)
    s = world.session(prog, D, homework="Lees 'Kikker is verliefd' met Yusuf")
    world.service.take_roll_call(s, [(parent.id, "present")])
    world.service.withdraw(prog, parent_id=parent.id, reason="Fatima is verhuisd naar Utrecht")
    world.projections.catch_up()
    from tests.helpers.projection_world import dump

    text = repr(dump(world.projections))
    for secret in ("Fatima", "Yusuf", "0612345678", "example.nl", "Kikker", "Utrecht", "Bijeenkomst"):
        assert secret not in text
