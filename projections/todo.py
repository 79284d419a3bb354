"""The coordinator's to-do lists ("Te doen"), read from the projection tables (the facts and the
rewards view), never from the aggregates: each line disappears once what it asks is done.

- missing_roll_calls: sessions (not cancelled) that ended without a roll call; a session counts
  as ended SESSION_HOURS after its start.
- consecutive_absences: parents, still enrolled, whose latest roll calls in a programme are two
  or more unexcused absences in a row (an excused session neither counts nor breaks the row).
- overdue_home_visits: families enrolled in a REAL programme whose last home visit they were
  present at (or, without one, their enrolment) lies more than HOME_VISIT_DAYS days back.
- outstanding_payouts: parents with money outstanding who earned at a session more than
  PAYOUT_DAYS days ago and were paid nothing since that session was scheduled (the facts keep
  the order of payouts in the log, not their dates).
- failed_messages: messages whose sending failed, from the `messages` projection table."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Iterable

from projections import messages
from projections.db import Database
from projections.facts import utc_text

SESSION_HOURS = 3
HOME_VISIT_DAYS = 31
PAYOUT_DAYS = 30
MIN_ABSENCES = 2
HOME_VISIT_KINDS = ("real",)


def _in(schools: frozenset[str] | None, column: str = "p.school") -> tuple[str, list[Any]]:
    """An SQL condition limiting rows to the schools (nothing when every school may be seen)."""
    if schools is None:
        return "", []
    if not schools:
        return " AND 1 = 0", []
    return f" AND {column} IN ({','.join('?' * len(schools))})", sorted(schools)


def missing_roll_calls(db: Database, schools: frozenset[str] | None, now: datetime) -> list[dict[str, Any]]:
    """Sessions that ended without a roll call, oldest first."""
    where, params = _in(schools)
    cutoff = utc_text(now - timedelta(hours=SESSION_HOURS))
    return [
        {"session_id": sid, "program_id": pid, "school": school, "starts_at": starts_at}
        for sid, pid, school, starts_at in db.query(
            "SELECT s.session_id, s.program_id, p.school, s.starts_at FROM sessions s"
            " JOIN programs p ON p.program_id = s.program_id"
            f" WHERE s.has_attendance = ? AND s.cancelled = ? AND s.starts_utc < ?{where}"
            " ORDER BY s.starts_utc, s.session_id", [False, False, cutoff, *params])
    ]


def _still_enrolled(db: Database, where: str, params: list[Any]) -> set[tuple[str, str]]:
    return {
        (pid, parent) for pid, parent in db.query(
            "SELECT e.program_id, e.parent_id FROM enrolments e JOIN programs p ON p.program_id = e.program_id"
            f" WHERE e.withdrawn_on IS NULL{where}", params)
    }


def trailing_absences(statuses: Iterable[tuple[str, str, str]]) -> tuple[int, str | None, str | None]:
    """The unexcused absences at the end of a run of (status, session, date) in time order, the
    first session and date of that row (excused ones are passed over)."""
    count, first, since = 0, None, None
    for status, session, day in statuses:
        if status == "present":
            count, first, since = 0, None, None
        elif status == "absent":
            if count == 0:
                first, since = session, day
            count += 1
    return count, first, since


def consecutive_absences(db: Database, schools: frozenset[str] | None) -> list[dict[str, Any]]:
    """Enrolled parents whose latest roll calls are two or more unexcused absences in a row."""
    where, params = _in(schools)
    runs: dict[tuple[str, str, str], list[tuple[str, str, str]]] = {}
    for pid, parent, school, status, sid, day in db.query(
        "SELECT a.program_id, a.parent_id, p.school, a.status, a.session_id, s.session_date FROM attendance_records a"
        " JOIN sessions s ON s.session_id = a.session_id JOIN programs p ON p.program_id = a.program_id"
        f" WHERE s.cancelled = ?{where} ORDER BY a.program_id, a.parent_id, s.starts_utc", [False, *params]
    ):
        runs.setdefault((pid, parent, school), []).append((status, sid, day))
    enrolled = _still_enrolled(db, where, params)
    found = []
    for (pid, parent, school), statuses in runs.items():
        count, first, since = trailing_absences(statuses)
        if count >= MIN_ABSENCES and (pid, parent) in enrolled:
            found.append({"program_id": pid, "parent_id": parent, "school": school, "absences": count,
                          "since": since, "first_session_id": first})
    return found


def overdue_home_visits(db: Database, schools: frozenset[str] | None, today: date) -> list[dict[str, Any]]:
    """REAL families without a home visit (present) in the last HOME_VISIT_DAYS days."""
    where, params = _in(schools)
    kinds = ",".join("?" * len(HOME_VISIT_KINDS))
    last_visit = {
        (pid, parent): day for pid, parent, day in db.query(
            "SELECT a.program_id, a.parent_id, MAX(s.session_date) FROM attendance_records a"
            " JOIN sessions s ON s.session_id = a.session_id JOIN programs p ON p.program_id = a.program_id"
            f" WHERE s.has_participants = ? AND a.status = ? AND p.kind IN ({kinds}){where}"
            " GROUP BY a.program_id, a.parent_id", [True, "present", *HOME_VISIT_KINDS, *params])
    }
    cutoff = (today - timedelta(days=HOME_VISIT_DAYS)).isoformat()
    found = []
    for pid, parent, school, enrolled_on in db.query(
        "SELECT e.program_id, e.parent_id, p.school, MAX(e.enrolled_on) FROM enrolments e"
        " JOIN programs p ON p.program_id = e.program_id"
        f" WHERE e.withdrawn_on IS NULL AND p.kind IN ({kinds}){where}"
        " GROUP BY e.program_id, e.parent_id, p.school ORDER BY e.program_id, e.parent_id",
        [*HOME_VISIT_KINDS, *params],
    ):
        last = last_visit.get((pid, parent))
        if max(last or enrolled_on, enrolled_on) < cutoff:
            found.append({"program_id": pid, "parent_id": parent, "school": school, "last_visit": last,
                          "days": (today - date.fromisoformat(max(last or enrolled_on, enrolled_on))).days})
    return found


def outstanding_payouts(db: Database, schools: frozenset[str] | None, today: date) -> list[dict[str, Any]]:
    """Parents with money outstanding, earned more than PAYOUT_DAYS days ago and unpaid since."""
    where, params = _in(schools)
    cutoff = (today - timedelta(days=PAYOUT_DAYS)).isoformat()
    return [
        {"program_id": pid, "parent_id": parent, "school": school, "outstanding_cents": int(cents), "since": since}
        for pid, parent, school, cents, since in db.query(
            "SELECT r.program_id, r.parent_id, p.school, r.outstanding_cents, MIN(s.session_date)"
            " FROM rewards r JOIN programs p ON p.program_id = r.program_id"
            " JOIN attendance_records a ON a.program_id = r.program_id AND a.parent_id = r.parent_id"
            " JOIN sessions s ON s.session_id = a.session_id"
            f" WHERE r.outstanding_cents > 0 AND a.status = ? AND s.cancelled = ? AND s.session_date < ?{where}"
            " AND s.position > COALESCE((SELECT MAX(x.position) FROM payouts x"
            "  WHERE x.program_id = r.program_id AND x.parent_id = r.parent_id), 0)"
            " GROUP BY r.program_id, r.parent_id, p.school, r.outstanding_cents ORDER BY r.program_id, r.parent_id",
            ["present", False, cutoff, *params])
    ]


def failed_messages(db: Database, schools: frozenset[str] | None) -> list[dict[str, Any]]:
    """Messages whose sending failed, newest first (the `messages` projection table)."""
    return messages.failed(db, schools)


def read(db: Database, schools: frozenset[str] | None, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Every to-do list for these schools (None: all) as of `now` (aware; today is its date)."""
    today = now.date()
    return {
        "missing_roll_calls": missing_roll_calls(db, schools, now),
        "consecutive_absences": consecutive_absences(db, schools),
        "overdue_home_visits": overdue_home_visits(db, schools, today),
        "outstanding_payouts": outstanding_payouts(db, schools, today),
        "failed_messages": failed_messages(db, schools),
    }


def sessions_between(db: Database, schools: frozenset[str] | None, start: datetime, end: datetime) -> list[str]:
    """The ids of the sessions of these schools starting in [start, end), in order of their start."""
    where, params = _in(schools)
    return [row[0] for row in db.query(
        "SELECT s.session_id FROM sessions s JOIN programs p ON p.program_id = s.program_id"
        f" WHERE s.starts_utc >= ? AND s.starts_utc < ?{where} ORDER BY s.starts_utc, s.session_id",
        [utc_text(start), utc_text(end), *params])]
