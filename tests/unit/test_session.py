"""Session: roll call, homework, corrections, cancellation, home visits."""

from datetime import datetime, timedelta, timezone
from uuid import uuid4

import pytest

from domain.errors import (
    DomainError, NoHomeworkAssignedError, NotAParticipantError, RollCallRecordedError,
    SessionCancelledError, StartTimeWithoutOffsetError, UnknownAttendanceStatusError,
)
from domain.session import Session

CET = timezone(timedelta(hours=1))


def session(**kw) -> Session:
    args = dict(program_id=uuid4(), title="Bijeenkomst 1", starts_at=datetime(2026, 9, 7, 19, 30, tzinfo=CET),
                location="Aula", homework="Elke dag 20 minuten samen lezen", participants=None, actor="t")
    args.update(kw)
    return Session.schedule(**args)


def types(s):
    return [type(e).__name__ for e in s.collect_events()]


def test_the_session_date_is_taken_in_its_own_offset():
    late = session(starts_at=datetime(2026, 9, 7, 23, 30, tzinfo=timezone(timedelta(hours=-5))))
    assert late.date.isoformat() == "2026-09-07"  # 8 Sept in UTC, but 7 Sept where it happens


def test_a_time_without_offset_is_refused_by_the_aggregate():
    with pytest.raises(StartTimeWithoutOffsetError):
        session(starts_at=datetime(2026, 9, 7, 19, 30))


def test_repeating_a_roll_call_records_nothing_and_a_different_status_is_a_correction():
    s, a, b = session(), uuid4(), uuid4()
    assert s.record_attendance([(a, "present"), (b, "absent")], actor="t") == 2
    assert s.record_attendance([(a, "present"), (b, "absent")], actor="t") == 0
    assert s.record_attendance([(b, "excused")], actor="t") == 1
    assert s.attendance == {a: "present", b: "excused"}
    assert types(s) == ["Scheduled"] + ["AttendanceRecorded"] * 3


def test_unknown_status_is_refused_before_anything_is_recorded():
    s, a, b = session(), uuid4(), uuid4()
    with pytest.raises(UnknownAttendanceStatusError):
        s.record_attendance([(a, "present"), (b, "late")], actor="t")
    assert s.attendance == {} and types(s) == ["Scheduled"]


def test_a_session_is_held_once_any_attendance_is_recorded():
    s = session()
    assert not s.held
    s.record_attendance([(uuid4(), "absent")], actor="t")
    assert s.held


def test_no_roll_call_or_homework_on_a_cancelled_session():
    s = session()
    s.cancel(reason="Zieke trainer", actor="t")
    with pytest.raises(SessionCancelledError):
        s.record_attendance([(uuid4(), "present")], actor="t")
    with pytest.raises(SessionCancelledError):
        s.record_homework([(uuid4(), True)], actor="t")
    with pytest.raises(SessionCancelledError):
        s.cancel(reason="again", actor="t")


def test_a_session_with_a_roll_call_cannot_be_cancelled():
    s = session()
    s.record_attendance([(uuid4(), "present")], actor="t")
    with pytest.raises(RollCallRecordedError):
        s.cancel(reason="te laat", actor="t")
    assert not s.cancelled


def test_homework_only_where_it_was_assigned():
    s = session(homework=None)
    with pytest.raises(NoHomeworkAssignedError):
        s.record_homework([(uuid4(), True)], actor="t")
    s2, a = session(), uuid4()
    assert s2.record_homework([(a, True)], actor="t") == 1
    assert s2.record_homework([(a, True)], actor="t") == 0
    assert s2.record_homework([(a, False)], actor="t") == 1
    assert s2.homework_done == {a: False}


def test_a_home_visit_takes_only_its_participants():
    family, other = uuid4(), uuid4()
    s = session(participants=[family], title="Huisbezoek")
    with pytest.raises(NotAParticipantError):
        s.record_attendance([(other, "present")], actor="t")
    with pytest.raises(NotAParticipantError):
        s.record_homework([(other, True)], actor="t")
    s.record_attendance([(family, "present")], actor="t")
    assert s.attendance == {family: "present"}


def test_replay_rebuilds_the_same_session():
    s, a = session(), uuid4()
    s.record_attendance([(a, "absent")], actor="t")
    s.record_attendance([(a, "present")], actor="t")
    s.record_homework([(a, True)], actor="t")
    copy = None
    for e in s.collect_events():
        copy = e.mutate(copy)
    assert copy.attendance == s.attendance and copy.homework_done == s.homework_done
    assert copy.starts_at == s.starts_at and copy.version == s.version


@pytest.mark.parametrize("starts_at", [
    datetime(1, 1, 1, 0, 0, tzinfo=CET),  # year 0 in UTC: the projections could never read it
    datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5))),
    datetime(1899, 12, 31, 19, 0, tzinfo=CET),
    datetime(3000, 1, 1, 19, 0, tzinfo=CET),
])
def test_a_session_outside_the_years_1900_to_2999_is_refused(starts_at):
    with pytest.raises(DomainError) as refused:
        session(starts_at=starts_at)
    assert refused.value.code == "invalid_date"
