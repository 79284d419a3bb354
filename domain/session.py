"""The Session aggregate: one meeting (bijeenkomst) or home visit (huisbezoek) of a programme,
with its roll call, homework and possible cancellation."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterable, TypedDict, TypeVar, Unpack
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    InvalidDateError,
    NoHomeworkAssignedError,
    NotAParticipantError,
    RollCallRecordedError,
    SessionCancelledError,
    SessionHeldError,
    StartTimeWithoutOffsetError,
    UnknownAttendanceStatusError,
)
from domain.limits import ATTENDANCE_STATUSES, FIRST_YEAR, LAST_YEAR
from domain.rules import Sitting

T = TypeVar("T")


def ensure_session_time(starts_at: datetime) -> None:
    """Refuse a start time without a UTC offset, or outside FIRST_YEAR..LAST_YEAR."""
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise StartTimeWithoutOffsetError("starts_at must carry a UTC offset")
    if not FIRST_YEAR <= starts_at.year <= LAST_YEAR:
        raise InvalidDateError(
            f"starts_at must lie in the years {FIRST_YEAR} to {LAST_YEAR}", starts_at=starts_at.isoformat()
        )


class SessionDetails(TypedDict):
    """What a session is scheduled with besides its time and participants."""

    program_id: UUID
    title: str
    location: str | None
    homework: str | None
    actor: str


class Session(Aggregate):
    """A scheduled session of a programme; `participants` names the parents of a home visit."""

    # @event(...) makes these event classes at run time, from the method's signature; mypy can't
    # see them, so the ones read outside the aggregate are declared here for it alone.
    if TYPE_CHECKING:

        class Scheduled(Aggregate.Created):
            program_id: UUID
            title: str
            starts_at: datetime
            location: str | None
            homework: str | None
            participants: list[UUID] | None
            actor: str

    @event("Scheduled")
    def __init__(
        self,
        *,
        program_id: UUID,
        title: str,
        starts_at: datetime,
        location: str | None,
        homework: str | None,
        participants: list[UUID] | None,
        actor: str,
    ) -> None:
        self.program_id = program_id
        self.title = title
        self.starts_at = starts_at
        self.location = location
        self.homework = homework
        self.participants = participants
        self.cancelled = False
        self.cancellation_reason: str | None = None
        self.attendance: dict[UUID, str] = {}
        self.homework_done: dict[UUID, bool] = {}

    @classmethod
    def schedule(
        cls, *, starts_at: datetime, participants: list[UUID] | None, **details: Unpack[SessionDetails]
    ) -> "Session":
        """Schedule a session; the time must carry its UTC offset (its date is taken in that offset)."""
        ensure_session_time(starts_at)
        if participants is not None:
            participants = list(dict.fromkeys(participants))
        return cls(starts_at=starts_at, participants=participants, **details)

    @property
    def date(self) -> date:
        """The calendar date of the session, in the offset it was scheduled in."""
        return self.starts_at.date()

    @property
    def has_homework(self) -> bool:
        return self.homework is not None

    @property
    def held(self) -> bool:
        """A session is held once any attendance is recorded and it is not cancelled."""
        return bool(self.attendance) and not self.cancelled

    def sitting(self, parent_id: UUID) -> Sitting:
        """What this session recorded for a parent (as the rules count it)."""
        return Sitting(self.attendance.get(parent_id), self.has_homework, self.homework_done.get(parent_id) is True)

    def ensure_participants(self, parent_ids: Iterable[UUID]) -> None:
        """For a session that names its participants, refuse anyone else."""
        if self.participants is None:
            return
        others = [str(p) for p in parent_ids if p not in self.participants]
        if others:
            raise NotAParticipantError(f"not a participant of this session: {', '.join(others)}", parent_ids=others)

    def _ensure_open(self) -> None:
        if self.cancelled:
            raise SessionCancelledError("this session is cancelled", session_id=str(self.id))

    @staticmethod
    def _record(records: list[tuple[UUID, T]], held: dict[UUID, T], fact: Callable[[UUID, T], None]) -> int:
        """Record each change to what the session holds (the last record per parent counts); how many."""
        changes = [(parent_id, value) for parent_id, value in dict(records).items() if held.get(parent_id) != value]
        for parent_id, value in changes:
            fact(parent_id, value)
        return len(changes)

    def record_attendance(self, records: list[tuple[UUID, str]], *, actor: str) -> int:
        """Take (or correct) the roll call; repeating a status changes nothing. Returns facts recorded."""
        self._ensure_open()
        self.ensure_participants(p for p, _ in records)
        for _, status in records:
            if status not in ATTENDANCE_STATUSES:
                raise UnknownAttendanceStatusError(f"status must be one of {', '.join(ATTENDANCE_STATUSES)}", status=status)
        return self._record(records, self.attendance, lambda p, s: self._attendance_recorded(parent_id=p, status=s, actor=actor))

    @event("AttendanceRecorded")
    def _attendance_recorded(self, *, parent_id: UUID, status: str, actor: str) -> None:
        self.attendance[parent_id] = status

    def record_homework(self, records: list[tuple[UUID, bool]], *, actor: str) -> int:
        """Record (or correct) who did the homework of this session with their child."""
        self._ensure_open()
        if not self.has_homework:
            raise NoHomeworkAssignedError("no homework was assigned at this session")
        self.ensure_participants(p for p, _ in records)
        return self._record(
            records, self.homework_done, lambda p, done: self._homework_recorded(parent_id=p, completed=done, actor=actor)
        )

    @event("HomeworkRecorded")
    def _homework_recorded(self, *, parent_id: UUID, completed: bool, actor: str) -> None:
        self.homework_done[parent_id] = completed

    def cancel(self, *, reason: str, actor: str) -> None:
        """Cancel a session that has no roll call yet."""
        self._ensure_open()
        if self.attendance:
            raise RollCallRecordedError("a session with attendance recorded cannot be cancelled")
        self._cancelled(reason=reason, actor=actor)

    @event("Cancelled")
    def _cancelled(self, *, reason: str, actor: str) -> None:
        self.cancelled = True
        self.cancellation_reason = reason

    # -- moving (the coordinator's week) -----------------------------------------------------

    def move(self, *, starts_at: datetime, actor: str) -> None:
        """Move a session that has no roll call yet to another time (its date decides who it counts for)."""
        self._ensure_open()
        if self.attendance:
            raise SessionHeldError("a session with attendance recorded cannot be moved", session_id=str(self.id))
        ensure_session_time(starts_at)
        if starts_at != self.starts_at:
            self._moved(starts_at=starts_at, actor=actor)

    @event("Moved")
    def _moved(self, *, starts_at: datetime, actor: str) -> None:
        self.starts_at = starts_at
