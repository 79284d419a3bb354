"""The rules that can refuse a command, one exception each (409 at the API)."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the programme refused the command; nothing was recorded."""

    code = "rule_violated"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFoundError(Exception):
    """The parent, programme, session or child does not exist (or is outside the user's schools)."""

    code = "not_found"

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found")
        self.message = f"{what} {ident} not found"


class AlreadyEnrolledError(DomainError):
    code = "already_enrolled"


class NotEnrolledError(DomainError):
    code = "not_enrolled"


class NotAParticipantError(DomainError):
    code = "not_a_participant"


class SessionCancelledError(DomainError):
    code = "session_cancelled"


class RollCallRecordedError(DomainError):
    code = "roll_call_recorded"


class NoHomeworkAssignedError(DomainError):
    code = "no_homework_assigned"


class UnknownChildError(DomainError):
    code = "unknown_child"


class InvalidGroupError(DomainError):
    code = "invalid_group"


class InvalidScoreError(DomainError):
    code = "invalid_score"


class InvalidDateError(DomainError):
    code = "invalid_date"


class SchoolMismatchError(DomainError):
    code = "school_mismatch"


class PayoutExceedsOutstandingError(DomainError):
    code = "payout_exceeds_outstanding"


class InvalidAmountError(DomainError):
    code = "invalid_amount"


class ConcurrentEditError(DomainError):
    """Someone else kept changing the same record; reload and retry."""

    code = "concurrent_edit"
